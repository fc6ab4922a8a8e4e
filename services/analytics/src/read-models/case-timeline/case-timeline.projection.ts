/**
 * Keeps every integration event of a case (the audit timeline) and the case's current summary.
 * The live consumer applies a batch of events inside its inbox transaction, through `apply`, which
 * is idempotent on the event id: an event already in `case_history` changes nothing, so the live
 * consumer and a rebuild that overlap never count an event twice. A rebuild loads fresh tables
 * with the same rows and the same fold (`historyRow`, `foldSummaries`) in bulk (rebuild/).
 */
import { Injectable } from '@nestjs/common';
import type { IntegrationEvent } from '@complaints/contracts';
import type { SqlClient } from '@complaints/eventstore';
import { evolveSummary, type CaseSummary, type SummaryInput } from '../../domain/case-summary';

/** The part of an integration event the projection keeps (all of it that `case_history` stores). */
export type ProjectedEvent = Pick<
  IntegrationEvent,
  | 'id'
  | 'subject'
  | 'tenant'
  | 'source'
  | 'time'
  | 'actor'
  | 'correlationId'
  | 'causationId'
  | 'streamVersion'
  | 'eventhash'
  | 'streamid'
> & { type: string; data: Record<string, unknown> };

/** The tables this projection owns: a rebuild creates and swaps exactly these. */
export const projectionTables = ['case_history', 'case_summaries'] as const;

/** Advisory-lock class of the per-case locks (the two-key form keeps them apart from other locks). */
const CASE_LOCK_CLASS = 0x5ca5e;

/** The `case_history` columns an event fills, in this order (the rest have defaults). */
export const HISTORY_COLUMNS = [
  'event_id',
  'complaint_id',
  'tenant',
  'source',
  'type',
  'occurred_at',
  'actor',
  'correlation_id',
  'causation_id',
  'stream_version',
  'data',
  'event_hash',
  'source_stream',
] as const;

/** An event as its `case_history` row (HISTORY_COLUMNS). */
export function historyRow(e: ProjectedEvent) {
  return {
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
    event_hash: e.eventhash ?? null,
    source_stream: e.streamid ?? null,
  };
}

/** Stores the events `case_history` does not hold yet; returns them (the first copy of each), in order. */
export async function storeNewEvents(events: readonly ProjectedEvent[], tx: SqlClient): Promise<ProjectedEvent[]> {
  const { rows: inserted } = await tx.query<{ event_id: string }>(
    `INSERT INTO case_history (${HISTORY_COLUMNS.join(', ')})
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(event_id uuid, complaint_id uuid, tenant text, source text, type text,
            occurred_at timestamptz, actor jsonb, correlation_id text, causation_id text, stream_version integer, data jsonb,
            event_hash text, source_stream text)
     ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
    [JSON.stringify(events.map(historyRow))],
  );
  const fresh = new Set(inserted.map((r) => r.event_id));
  return events.filter((e) => fresh.delete(e.id));
}

/** PostgreSQL text never holds a NUL, so no tenant holds the separator of a case key. */
const KEY_SEPARATOR = '\u0000';

/**
 * Where a case's summary is kept: a complaint id is one tenant's, and another tenant's event naming
 * the same id is another case (the table's key is (tenant, complaint_id); docs/security.md).
 */
export const caseKey = (tenant: string, complaintId: string): string => `${tenant}${KEY_SEPARATOR}${complaintId}`;

/** The (tenant, complaint id) pairs of case keys, as two arrays for `unnest($1::text[], $2::uuid[])`. */
export function caseKeyColumns(keys: Iterable<string>): [string[], string[]] {
  const tenants: string[] = [];
  const ids: string[] = [];
  for (const key of keys) {
    const at = key.lastIndexOf(KEY_SEPARATOR);
    tenants.push(key.slice(0, at));
    ids.push(key.slice(at + 1));
  }
  return [tenants, ids];
}

/** Folds events, in order, into the summaries of their cases (by `caseKey`; missing ones start from nothing). */
export function foldSummaries(summaries: Map<string, CaseSummary>, events: readonly SummaryInput[]): void {
  for (const event of events) {
    const key = caseKey(event.tenant, event.subject);
    summaries.set(key, evolveSummary(summaries.get(key), event));
  }
}

@Injectable()
export class CaseTimelineProjection {
  handle(event: IntegrationEvent, tx: SqlClient): Promise<void> {
    return this.apply([event], tx);
  }

  /**
   * `sole: true` when nobody else writes these tables: no per-case locks, which also keeps a
   * rebuild's switch from waiting on a live transaction's lock.
   */
  async apply(events: readonly ProjectedEvent[], tx: SqlClient, { sole = false } = {}): Promise<void> {
    if (events.length === 0) return;
    // Topics (and partitions) are consumed concurrently: two transactions may bring the first
    // events of one case at once, and `FOR UPDATE` locks no summary row that does not exist yet.
    // A lock per case, taken in one order by everybody, makes them fold one after the other. Keyed
    // by the complaint id alone: two tenants' cases of one id merely wait for each other, and
    // instances of every version take the same lock.
    if (!sole)
      await tx.query(
        `SELECT pg_advisory_xact_lock(${CASE_LOCK_CLASS}, k)
         FROM (SELECT DISTINCT hashtext(id) AS k FROM unnest($1::text[]) AS id ORDER BY k OFFSET 0) AS ordered`,
        [[...new Set(events.map((e) => e.subject))]],
      );
    const toFold = await storeNewEvents(events, tx);
    if (toFold.length === 0) return;
    const cases = [...new Set(toFold.map((e) => caseKey(e.tenant, e.subject)))];
    const { rows } = await tx.query<{ tenant: string; complaint_id: string; summary: CaseSummary }>(
      `SELECT tenant, complaint_id, summary FROM case_summaries
        WHERE (tenant, complaint_id) IN (SELECT * FROM unnest($1::text[], $2::uuid[])) FOR UPDATE`,
      caseKeyColumns(cases),
    );
    const summaries = new Map<string, CaseSummary>(rows.map((r) => [caseKey(r.tenant, r.complaint_id), r.summary]));
    foldSummaries(summaries, toFold);
    const changed = [...summaries.values()];
    await tx.query(
      `INSERT INTO case_summaries (complaint_id, tenant, status, summary)
       SELECT complaint_id, tenant, status, summary
         FROM jsonb_to_recordset($1::jsonb) AS s(complaint_id uuid, tenant text, status text, summary jsonb)
       ON CONFLICT (tenant, complaint_id) DO UPDATE SET status = EXCLUDED.status, summary = EXCLUDED.summary, updated_at = now()`,
      [
        JSON.stringify(
          changed.map((s) => ({ complaint_id: s.complaintId, tenant: s.tenant, status: s.status, summary: s })),
        ),
      ],
    );
  }
}
