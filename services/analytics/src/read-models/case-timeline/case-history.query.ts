/** Reading a case's timeline: every integration event of every service, in event-time order. */
import { NotFoundError } from '@complaints/decider';
import { isoTimeSql, type SqlClient } from '@complaints/eventstore';
import { mayAccess, type RequestMeta } from '@complaints/kit';
import type { CaseSummary } from '../../domain/case-summary';

export interface HistoryEntry {
  eventId: string;
  source: string;
  type: string;
  time: string;
  actor: { id: string; role: string };
  correlationId: string;
  causationId: string | null;
  streamVersion: number;
  tenant: string;
  data: Record<string, unknown>;
  recordedAt: string;
  /** The source event's hash in its service's chain, and its stream there (absent on older entries). */
  evidence?: { eventHash: string; streamId: string };
}

interface HistoryRow {
  event_id: string;
  source: string;
  type: string;
  time: string;
  actor: { id: string; role: string };
  correlation_id: string;
  causation_id: string | null;
  stream_version: number;
  tenant: string;
  data: Record<string, unknown>;
  recorded_at: string;
  event_hash: string | null;
  source_stream: string | null;
}

/** The tenant's case's events up to and including `until` (all of them without it). */
export async function readHistory(
  client: SqlClient,
  tenant: string,
  complaintId: string,
  until?: Date,
): Promise<HistoryEntry[]> {
  const { rows } = await client.query<HistoryRow>(
    // Instants as text from PostgreSQL: parsing two Dates a row only to format them back took about
    // a quarter of the CPU of reading a 1,000-event history (bench/README.md, audit queries).
    `SELECT event_id, source, type, ${isoTimeSql('occurred_at')} AS time, actor, correlation_id, causation_id,
            stream_version, tenant, data, ${isoTimeSql('recorded_at')} AS recorded_at, event_hash, source_stream
       FROM case_history WHERE complaint_id = $1 AND tenant = $3 AND ($2::timestamptz IS NULL OR occurred_at <= $2)
      ORDER BY occurred_at, seq`,
    [complaintId, until?.toISOString() ?? null, tenant],
  );
  return rows.map((row) => ({
    eventId: row.event_id,
    source: row.source,
    type: row.type,
    time: row.time,
    actor: row.actor,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    streamVersion: row.stream_version,
    tenant: row.tenant,
    data: row.data,
    recordedAt: row.recorded_at,
    ...(row.event_hash && row.source_stream
      ? { evidence: { eventHash: row.event_hash, streamId: row.source_stream } }
      : {}),
  }));
}

/** The case's summary when the caller may see the case: its tenant's, and its department's for scoped roles. */
export async function visibleSummary(client: SqlClient, meta: RequestMeta, complaintId: string): Promise<CaseSummary> {
  const { rows } = await client.query<{ tenant: string; summary: CaseSummary }>(
    'SELECT tenant, summary FROM case_summaries WHERE tenant = $1 AND complaint_id = $2',
    [meta.tenant, complaintId],
  );
  const row = rows[0];
  if (!row || !mayAccess(meta, row.tenant, row.summary.department)) throw new NotFoundError('Case', complaintId);
  return row.summary;
}
