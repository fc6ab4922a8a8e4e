/**
 * Keeps every integration event of a case (the audit timeline) and the case's current summary.
 * The live consumer applies one event inside its inbox transaction; a rebuild applies thousands
 * at a time into fresh tables. Both go through `apply`, which is idempotent on the event id: an
 * event already in `case_history` changes nothing, so the live consumer and a rebuild that
 * overlap never count an event twice.
 */
import { Injectable } from '@nestjs/common';
import type { IntegrationEvent } from '@complaints/contracts';
import type { SqlClient } from '@complaints/eventstore';
import { evolveSummary, type CaseSummary } from '../../domain/case-summary';

/** The part of an integration event the projection keeps (all of it that `case_history` stores). */
export type ProjectedEvent = Pick<
  IntegrationEvent,
  'id' | 'subject' | 'tenant' | 'source' | 'time' | 'actor' | 'correlationId' | 'causationId' | 'streamVersion'
> & { type: string; data: Record<string, unknown> };

/** The tables this projection owns: a rebuild creates and swaps exactly these. */
export const projectionTables = ['case_history', 'case_summaries'] as const;

/** Advisory-lock class of the per-case locks (the two-key form keeps them apart from other locks). */
const CASE_LOCK_CLASS = 0x5ca5e;

@Injectable()
export class CaseTimelineProjection {
  handle(event: IntegrationEvent, tx: SqlClient): Promise<void> {
    return this.apply([event], tx);
  }

  /**
   * `sole: true` when nobody else writes these tables (a rebuild's fresh ones): no per-case locks,
   * which also keeps the rebuild's switch from waiting on a live transaction's lock.
   */
  async apply(events: readonly ProjectedEvent[], tx: SqlClient, { sole = false } = {}): Promise<void> {
    if (events.length === 0) return;
    // Topics (and partitions) are consumed concurrently: two transactions may bring the first
    // events of one case at once, and `FOR UPDATE` locks no summary row that does not exist yet.
    // A lock per case, taken in one order by everybody, makes them fold one after the other.
    if (!sole)
      await tx.query(
        `SELECT pg_advisory_xact_lock(${CASE_LOCK_CLASS}, k)
         FROM (SELECT DISTINCT hashtext(id) AS k FROM unnest($1::text[]) AS id ORDER BY k OFFSET 0) AS ordered`,
        [[...new Set(events.map((e) => e.subject))]],
      );
    const { rows: inserted } = await tx.query<{ event_id: string }>(
      `INSERT INTO case_history (event_id, complaint_id, tenant, source, type, occurred_at, actor, correlation_id, causation_id, stream_version, data)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(event_id uuid, complaint_id uuid, tenant text, source text, type text,
              occurred_at timestamptz, actor jsonb, correlation_id text, causation_id text, stream_version integer, data jsonb)
       ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      [
        JSON.stringify(
          events.map((e) => ({
            event_id: e.id,
            complaint_id: e.subject,
            tenant: e.tenant,
            source: e.source,
            type: e.type,
            occurred_at: e.time,
            actor: e.actor,
            correlation_id: e.correlationId,
            causation_id: e.causationId ?? null,
            stream_version: e.streamVersion,
            data: e.data,
          })),
        ),
      ],
    );
    const fresh = new Set(inserted.map((r) => r.event_id));
    const toFold = events.filter((e) => fresh.delete(e.id)); // first copy of each newly stored event
    if (toFold.length === 0) return;
    const cases = [...new Set(toFold.map((e) => e.subject))];
    const { rows } = await tx.query<{ complaint_id: string; summary: CaseSummary }>(
      'SELECT complaint_id, summary FROM case_summaries WHERE complaint_id = ANY($1::uuid[]) FOR UPDATE',
      [cases],
    );
    const summaries = new Map<string, CaseSummary>(rows.map((r) => [r.complaint_id, r.summary]));
    for (const event of toFold) summaries.set(event.subject, evolveSummary(summaries.get(event.subject), event));
    const changed = cases.map((id) => summaries.get(id)!);
    await tx.query(
      `INSERT INTO case_summaries (complaint_id, tenant, status, summary)
       SELECT complaint_id, tenant, status, summary
         FROM jsonb_to_recordset($1::jsonb) AS s(complaint_id uuid, tenant text, status text, summary jsonb)
       ON CONFLICT (complaint_id) DO UPDATE SET status = EXCLUDED.status, summary = EXCLUDED.summary, updated_at = now()`,
      [
        JSON.stringify(
          changed.map((s) => ({ complaint_id: s.complaintId, tenant: s.tenant, status: s.status, summary: s })),
        ),
      ],
    );
  }
}
