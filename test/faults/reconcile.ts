/**
 * Case-by-case reconciliation of accepted complaints against what each service stored: intake's
 * received event, routing's decision, resolution's opened case, analytics' history. A complaint
 * missing anywhere is lost; one with two of anything was applied twice.
 */
import { Client } from 'pg';
import { partitionProgress, type PartitionProgress } from './kafka-faults';
import type { Platform } from './platform';

/** The private event (or history entry) each complaint must have exactly once, per service schema. */
const EXPECTED = [
  {
    where: 'intake',
    what: 'received',
    sql: `SELECT stream_id AS id FROM intake.events WHERE type = 'ComplaintReceived'`,
  },
  {
    where: 'routing',
    what: 'routed',
    sql: `SELECT stream_id AS id FROM routing.events WHERE type = 'ComplaintRouted'`,
  },
  {
    where: 'resolution',
    what: 'opened',
    sql: `SELECT stream_id AS id FROM resolution.events WHERE type = 'CaseOpened'`,
  },
  ...['complaint.received.v1', 'complaint.routed.v1', 'case.opened.v1'].map((type) => ({
    where: 'analytics',
    what: type,
    sql: `SELECT complaint_id::text AS id FROM analytics.case_history WHERE type = '${type}'`,
  })),
] as const;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

export interface Reconciliation {
  accepted: number;
  /** Accepted complaints missing at least one of the expected facts. */
  lost: string[];
  /** Accepted complaints with any expected fact more than once. */
  duplicated: string[];
  /** Inbox rows recorded twice for one consumer and event (the primary key forbids it; checked anyway). */
  inboxDuplicates: number;
  /** Complaints in analytics' history with an event id twice (its unique key forbids it; checked anyway). */
  historyDuplicates: number;
}

export async function reconcile(platform: Platform, complaintIds: string[]): Promise<Reconciliation> {
  const client = new Client({ connectionString: platform.databaseUrl });
  await client.connect();
  try {
    const counts = new Map<string, Map<string, number>>();
    for (const expected of EXPECTED) {
      const perComplaint = new Map<string, number>();
      for (const { id } of (await client.query<{ id: string }>(expected.sql)).rows) {
        const complaintId = UUID.exec(id)?.[0];
        if (complaintId) perComplaint.set(complaintId, (perComplaint.get(complaintId) ?? 0) + 1);
      }
      counts.set(`${expected.where} ${expected.what}`, perComplaint);
    }
    const lost: string[] = [];
    const duplicated: string[] = [];
    for (const id of complaintIds) {
      const seen = [...counts].map(([fact, perComplaint]) => [fact, perComplaint.get(id) ?? 0] as const);
      const missing = seen.filter(([, n]) => n === 0).map(([fact]) => fact);
      const twice = seen.filter(([, n]) => n > 1).map(([fact, n]) => `${fact} ×${n}`);
      if (missing.length > 0) lost.push(`${id}: no ${missing.join(', no ')}`);
      if (twice.length > 0) duplicated.push(`${id}: ${twice.join(', ')}`);
    }
    const duplicatesIn = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
    let inboxDuplicates = 0;
    for (const schema of ['routing', 'resolution', 'analytics']) {
      inboxDuplicates += await duplicatesIn(
        `SELECT count(*) - count(DISTINCT (consumer, event_id)) AS n FROM ${schema}.inbox`,
      );
    }
    const historyDuplicates = await duplicatesIn(
      'SELECT count(*) - count(DISTINCT event_id) AS n FROM analytics.case_history',
    );
    return { accepted: complaintIds.length, lost, duplicated, inboxDuplicates, historyDuplicates };
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until every complaint reconciles and every partition is consumed to its end, or until
 * `timeoutMs`; then, as anything applied twice would show a moment later, counts once more.
 */
export async function settle(
  platform: Platform,
  complaintIds: string[],
  timeoutMs: number,
): Promise<{ reconciliation: Reconciliation; progress: PartitionProgress; settledAt: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reconciliation = await reconcile(platform, complaintIds);
    const progress = await partitionProgress(platform);
    if (reconciliation.lost.length + progress.behind.length === 0 || Date.now() > deadline) break;
    await sleep(2000);
  }
  const settledAt = Date.now();
  await sleep(3000);
  return {
    reconciliation: await reconcile(platform, complaintIds),
    progress: await partitionProgress(platform),
    settledAt,
  };
}
