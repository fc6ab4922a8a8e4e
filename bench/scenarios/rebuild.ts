/**
 * 5. Rebuild: events/s of analytics' projection rebuild (the code of `npm run rebuild -- analytics`)
 * over BENCH_REBUILD_EVENTS (1,000,000) events of whole case histories published to Kafka beforehand,
 * from reading the topics' beginning to the atomic switch, against a plain SELECT of the same rows
 * from the rebuilt history table (psql with a 10,000-row fetch size, output discarded).
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { prefixed, Topics } from '@complaints/contracts';
import { loadServiceConfig } from '@complaints/kit';
import { KafkaTransport } from '@complaints/messaging';
import { rebuildAnalytics } from '@complaints/analytics';
import { caseHistories, EVENTS_PER_CASE } from '../lib/case-histories';
import { atLeast, figure, type Figure } from '../lib/figures';
import { envNumber, log, sql, type BenchContext } from '../lib/context';

const S = '5 rebuild';
const SCHEMA = 'rebuild_analytics';

async function plainSelect(url: string): Promise<{ rows: number; ms: number }> {
  const start = performance.now();
  const child = spawn(
    'psql',
    [url, '-X', '-q', '-A', '-t', '-v', 'FETCH_COUNT=10000', '-c', `SELECT * FROM ${SCHEMA}.case_history`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let rows = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`psql SELECT failed: ${stderr}`);
  return { rows, ms: performance.now() - start };
}

export async function rebuildScenario(ctx: BenchContext): Promise<Figure[]> {
  const cases = Math.ceil(envNumber('BENCH_REBUILD_EVENTS', 1_000_000) / EVENTS_PER_CASE);
  const prefix = `${ctx.runId}-rebuild`;
  const kafka = new KafkaTransport({ brokers: ctx.kafkaBrokers.split(','), clientId: 'bench-rebuild' });
  try {
    await kafka.ensureTopics([Topics.intake, Topics.routing, Topics.resolution].map((t) => prefixed(prefix, t)));
    log(`rebuild: publishing ${(cases * EVENTS_PER_CASE).toLocaleString('en-US')} events of ${cases} cases`);
    // 500 cases (5,000 messages) a request: well inside the broker's 1 MiB per partition batch.
    for (let from = 0; from < cases; from += 500) {
      await kafka.publish(caseHistories(Math.min(500, cases - from), prefix, from));
    }
  } finally {
    await kafka.close();
  }

  const config = loadServiceConfig('analytics', {
    DATABASE_URL: ctx.databaseUrl,
    KAFKA_BROKERS: ctx.kafkaBrokers,
    TOPIC_PREFIX: prefix,
    ANALYTICS_DB_SCHEMA: SCHEMA,
    PII_MASTER_KEY: process.env.PII_MASTER_KEY,
  });
  // As the product runs it (each loaded slice commits without waiting for the WAL flush; the switch
  // commits with the server's setting, which flushes them all), then with every slice flushed.
  const runs = [];
  for (const flushEachSlice of [false, true]) {
    await sql(ctx.databaseUrl, `DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`); // each run starts from empty live tables
    log(`rebuild: rebuilding analytics from the topics${flushEachSlice ? ', every slice flushed' : ''}`);
    const report = await rebuildAnalytics({ config, flushEachSlice });
    log(`rebuild: ${report.read} events in ${report.seconds.toFixed(1)} s (${report.eventsPerSecond}/s)`);
    runs.push(report);
  }
  const [{ n }] = (await sql<{ n: string }>(ctx.databaseUrl, `SELECT count(*) AS n FROM ${SCHEMA}.case_history`)) as [
    { n: string },
  ];
  const select = await plainSelect(ctx.databaseUrl);
  log(`rebuild: plain SELECT of ${select.rows} rows in ${(select.ms / 1000).toFixed(1)} s`);
  const baseline = {
    name: 'plain SELECT of the rebuilt rows (psql, FETCH_COUNT=10000)',
    value: select.rows / (select.ms / 1000),
  };
  const [asShipped, flushed] = runs as [(typeof runs)[0], (typeof runs)[0]];
  const [server] = (await sql<{ synchronous_commit: string }>(ctx.databaseUrl, 'SHOW synchronous_commit')) as [
    { synchronous_commit: string },
  ];
  const rows = `${Number(n).toLocaleString('en-US')} rows in the rebuilt history`;
  return [
    figure(
      S,
      `rebuild events/s (${asShipped.read.toLocaleString('en-US')} events, read to switch; loaded slices commit with synchronous_commit=off, the switch as the server has it)`,
      asShipped.eventsPerSecond,
      '/s',
      {
        baseline,
        target: atLeast(25_000, '≥ 25,000 events/s'),
        note: `${rows}, ${asShipped.skipped} unreadable, ${asShipped.seconds.toFixed(0)} s`,
      },
    ),
    figure(
      S,
      `rebuild events/s, every loaded slice flushed (synchronous_commit=${server.synchronous_commit}, the server's)`,
      flushed.eventsPerSecond,
      '/s',
      {
        baseline,
        target: atLeast(25_000, '≥ 25,000 events/s'),
        note: `${flushed.skipped} unreadable, ${flushed.seconds.toFixed(0)} s`,
      },
    ),
  ];
}
