/** Reading a case's timeline: every integration event of every service, in event-time order. */
import type { SqlClient } from '@complaints/eventstore';

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
}

interface HistoryRow {
  event_id: string;
  source: string;
  type: string;
  occurred_at: Date;
  actor: { id: string; role: string };
  correlation_id: string;
  causation_id: string | null;
  stream_version: number;
  tenant: string;
  data: Record<string, unknown>;
  recorded_at: Date;
}

/** The case's events up to and including `until` (all of them without it). */
export async function readHistory(client: SqlClient, complaintId: string, until?: Date): Promise<HistoryEntry[]> {
  const { rows } = await client.query<HistoryRow>(
    `SELECT event_id, source, type, occurred_at, actor, correlation_id, causation_id, stream_version, tenant, data, recorded_at
       FROM case_history WHERE complaint_id = $1 AND ($2::timestamptz IS NULL OR occurred_at <= $2)
      ORDER BY occurred_at, seq`,
    [complaintId, until?.toISOString() ?? null],
  );
  return rows.map((row) => ({
    eventId: row.event_id,
    source: row.source,
    type: row.type,
    time: row.occurred_at.toISOString(),
    actor: row.actor,
    correlationId: row.correlation_id,
    causationId: row.causation_id,
    streamVersion: row.stream_version,
    tenant: row.tenant,
    data: row.data,
    recordedAt: row.recorded_at.toISOString(),
  }));
}
