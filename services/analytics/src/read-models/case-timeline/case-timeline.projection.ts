/**
 * Keeps every integration event of a case (the audit timeline) and the case's current summary.
 * Runs inside the consumer's transaction, so the inbox record and these rows commit together.
 */
import { Injectable } from '@nestjs/common';
import type { IntegrationEvent } from '@complaints/contracts';
import type { SqlClient } from '@complaints/eventstore';
import { evolveSummary, type CaseSummary } from '../../domain/case-summary';

@Injectable()
export class CaseTimelineProjection {
  async handle(event: IntegrationEvent, tx: SqlClient): Promise<void> {
    await tx.query(
      `INSERT INTO case_history (event_id, complaint_id, tenant, source, type, occurred_at, actor, correlation_id, causation_id, stream_version, data)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11::jsonb)`,
      [
        event.id,
        event.subject,
        event.tenant,
        event.source,
        event.type,
        event.time,
        JSON.stringify(event.actor),
        event.correlationId,
        event.causationId,
        event.streamVersion,
        JSON.stringify(event.data),
      ],
    );
    const { rows } = await tx.query<{ summary: CaseSummary }>(
      'SELECT summary FROM case_summaries WHERE complaint_id = $1 FOR UPDATE',
      [event.subject],
    );
    const summary = evolveSummary(rows[0]?.summary, { ...event, data: event.data });
    await tx.query(
      `INSERT INTO case_summaries (complaint_id, tenant, status, summary) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (complaint_id) DO UPDATE SET status = EXCLUDED.status, summary = EXCLUDED.summary, updated_at = now()`,
      [event.subject, summary.tenant, summary.status, JSON.stringify(summary)],
    );
  }
}
