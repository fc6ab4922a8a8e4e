/**
 * 6. Audit queries: p50/p99 of GET /audit/cases/:id/history and GET /audit/cases/:id/state?at= for a
 * case with 1,000 events (seeded into analytics' case_history with SQL), one request at a time,
 * against the same SELECT run directly with pg (the database's share of the answer).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { atMost, figure, summarise, type Figure } from '../lib/figures';
import { authorization, envNumber, log, sql, type BenchContext } from '../lib/context';
import { fullTopology } from './e2e';
import { sampleEvent } from '../lib/sample';

const S = '6 audit queries';

/** The case's events: received, routed, opened, then a working case's mix, one minute apart. */
const SEED = `
  INSERT INTO e2e_analytics.case_history
    (event_id, complaint_id, tenant, source, type, occurred_at, actor, correlation_id, causation_id, stream_version, data)
  SELECT gen_random_uuid(), $1::uuid, 'default',
         CASE WHEN i = 1 THEN '/complaints/intake' WHEN i = 2 THEN '/complaints/routing' ELSE '/complaints/resolution' END,
         CASE WHEN i = 1 THEN 'complaint.received.v1' WHEN i = 2 THEN 'complaint.routed.v1' WHEN i = 3 THEN 'case.opened.v1'
              ELSE (ARRAY['case.notification-sent.v1','case.waiting-on-customer.v1','case.resumed.v1','case.reassigned.v1'])[1 + i % 4] END,
         $2::timestamptz + (i || ' minutes')::interval,
         '{"id":"agent-7","role":"agent"}'::jsonb, 'corr-' || $1, NULL, i,
         CASE WHEN i = 1 THEN $3::jsonb
              ELSE jsonb_build_object('caseId', $1::text, 'department', 'metering', 'agentId', 'agent-' || (i % 7),
                     'summary', '回访客户，说明电表校验安排与退费进度（第 ' || i || ' 次）', 'channel', 'phone', 'at',
                     to_char($2::timestamptz + (i || ' minutes')::interval, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')) END
    FROM generate_series(1, $4::int) AS i`;

const HISTORY_SQL = `SELECT event_id, source, type, occurred_at, actor, correlation_id, causation_id, stream_version, tenant, data, recorded_at
  FROM e2e_analytics.case_history WHERE complaint_id = $1 AND ($2::timestamptz IS NULL OR occurred_at <= $2)
  ORDER BY occurred_at, seq`;

async function timed(count: number, work: () => Promise<void>): Promise<ReturnType<typeof summarise>> {
  for (let i = 0; i < Math.min(20, count); i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await work();
    samples.push(performance.now() - start);
  }
  return summarise(samples);
}

export async function auditScenario(ctx: BenchContext): Promise<Figure[]> {
  const events = envNumber('BENCH_AUDIT_EVENTS', 1000);
  const requests = envNumber('BENCH_AUDIT_REQUESTS', 300);
  const analytics = (await fullTopology(ctx)).services.analytics!;
  const caseId = randomUUID();
  const start = new Date('2026-01-05T01:00:00Z');
  // The received event as intake writes it, its personal fields sealed: run alone, as in a full run,
  // the history reveals them.
  const received = (await sampleEvent(ctx)).data;
  await sql(ctx.databaseUrl, SEED, [
    caseId,
    start.toISOString(),
    JSON.stringify({ ...received, complaintId: caseId }),
    events,
  ]);
  await sql(ctx.databaseUrl, 'ANALYZE e2e_analytics.case_history');
  const middle = new Date(start.getTime() + (events / 2) * 60_000).toISOString();
  log(`audit: case ${caseId} with ${events} events, ${requests} sequential requests per query`);

  const get = (path: string) => async () => {
    const response = await fetch(`${analytics.url}${path}`, { headers: authorization('auditor') });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    await response.arrayBuffer();
  };
  const history = await timed(requests, get(`/audit/cases/${caseId}/history`));
  const stateNow = await timed(
    requests,
    get(`/audit/cases/${caseId}/state?at=${encodeURIComponent(new Date().toISOString())}`),
  );
  const stateMid = await timed(requests, get(`/audit/cases/${caseId}/state?at=${encodeURIComponent(middle)}`));

  const client = new Client({ connectionString: ctx.databaseUrl });
  await client.connect();
  let rawAll: ReturnType<typeof summarise>;
  let rawMid: ReturnType<typeof summarise>;
  try {
    rawAll = await timed(requests, async () => void (await client.query(HISTORY_SQL, [caseId, null])));
    rawMid = await timed(requests, async () => void (await client.query(HISTORY_SQL, [caseId, middle])));
  } finally {
    await client.end();
  }
  log(
    `audit: history p99 ${history.p99.toFixed(1)} ms, state p99 ${stateNow.p99.toFixed(1)} ms, SQL p99 ${rawAll.p99.toFixed(1)} ms`,
  );
  const base = (name: string, s: ReturnType<typeof summarise>, p: 'p50' | 'p99') => ({
    name: `${name} ${p}`,
    value: s[p],
  });
  return [
    figure(S, `history of ${events} events, p50`, history.p50, 'ms', {
      baseline: base('same SELECT over pg', rawAll, 'p50'),
    }),
    figure(S, `history of ${events} events, p99`, history.p99, 'ms', {
      baseline: base('same SELECT over pg', rawAll, 'p99'),
      target: atMost(20, 'p99 ≤ 20 ms'),
    }),
    figure(S, `state?at=now (${events} events folded), p50`, stateNow.p50, 'ms', {
      baseline: base('same SELECT over pg', rawAll, 'p50'),
    }),
    figure(S, `state?at=now (${events} events folded), p99`, stateNow.p99, 'ms', {
      baseline: base('same SELECT over pg', rawAll, 'p99'),
    }),
    figure(S, `state?at=middle (${events / 2} events), p99`, stateMid.p99, 'ms', {
      baseline: base('same SELECT up to the instant over pg', rawMid, 'p99'),
    }),
  ];
}
