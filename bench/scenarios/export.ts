/**
 * Export (issue #5): GET /audit/cases/export in NDJSON and CSV over 1,000,000 case summaries seeded
 * with SQL, streamed over HTTP; rows, bytes, rows/s and analytics' peak RSS against the 200 MB goal.
 * Baseline: psql's COPY (SELECT ...) TO STDOUT of the same rows in the same order.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { EXPORT_COLUMNS } from '@complaints/analytics';
import { atMost, figure, type Figure } from '../lib/figures';
import { authorization, envNumber, log, sql, type BenchContext } from '../lib/context';
import { rssMB, rssSampler } from '../lib/services';
import { fullTopology } from './e2e';

const S = 'export';

const SEED = `
  INSERT INTO e2e_analytics.case_summaries (complaint_id, tenant, status, summary)
  SELECT id, 'default', 'open', jsonb_build_object(
           'complaintId', id, 'tenant', 'default', 'status', 'open', 'caseVersion', 3,
           'reference', 'CMP-2025-' || lpad(i::text, 7, '0'), 'channel', (ARRAY['hotline','web','email','branch'])[1 + i % 4],
           'customerId', 'cust-' || (i % 50000), 'department', (ARRAY['metering','billing','service','network'])[1 + i % 4],
           'queue', 'general', 'category', 'metering.accuracy', 'priority', (ARRAY['normal','high','urgent'])[1 + i % 3],
           'receivedAt', received, 'routedAt', received, 'openedAt', received, 'acknowledgeBy', received,
           'resolveBy', received, 'agentId', 'agent-' || (i % 40), 'lastEventAt', received, 'eventCount', 3)
    FROM (SELECT gen_random_uuid() AS id, i,
                 to_char(timestamptz '2025-01-01' + (i || ' seconds')::interval, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS received
            FROM generate_series(1, $1::int) AS i) AS s`;

/** The export's own CSV columns, so COPY produces the same table. */
const CSV_COLUMNS = EXPORT_COLUMNS;

async function psqlCopy(
  url: string,
  query: string,
  options = '',
): Promise<{ bytes: number; lines: number; ms: number }> {
  const start = performance.now();
  const child = spawn('psql', [url, '-X', '-q', '-c', `COPY (${query}) TO STDOUT${options}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let bytes = 0;
  let lines = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`psql COPY failed: ${stderr}`);
  return { bytes, lines, ms: performance.now() - start };
}

async function httpExport(url: string, pid: number) {
  const sampler = rssSampler({ analytics: pid }, 50);
  const start = performance.now();
  const response = await fetch(url, { headers: authorization('auditor') });
  if (!response.ok || !response.body) throw new Error(`GET ${url} answered ${response.status}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  const ms = performance.now() - start;
  return { bytes, lines, ms, peakMB: sampler.stop().analytics! };
}

export async function exportScenario(ctx: BenchContext): Promise<Figure[]> {
  const rows = envNumber('BENCH_EXPORT_ROWS', 1_000_000);
  const analytics = (await fullTopology(ctx)).services.analytics!;
  log(`export: seeding ${rows.toLocaleString('en-US')} case summaries`);
  const seedStart = performance.now();
  await sql(ctx.databaseUrl, SEED, [rows]);
  await sql(ctx.databaseUrl, 'VACUUM ANALYZE e2e_analytics.case_summaries');
  const [{ n }] = (await sql<{ n: string }>(
    ctx.databaseUrl,
    'SELECT count(*) AS n FROM e2e_analytics.case_summaries',
  )) as [{ n: string }];
  const total = Number(n);
  log(
    `export: ${total} rows in ${((performance.now() - seedStart) / 1000).toFixed(0)} s; analytics RSS ${rssMB(analytics.pid).toFixed(0)} MB before`,
  );

  const figures: Figure[] = [];
  for (const format of ['ndjson', 'csv'] as const) {
    const result = await httpExport(`${analytics.url}/audit/cases/export?format=${format}`, analytics.pid);
    const exported = format === 'csv' ? result.lines - 1 : result.lines;
    const query =
      format === 'ndjson'
        ? 'SELECT summary FROM e2e_analytics.case_summaries ORDER BY complaint_id'
        : `SELECT ${CSV_COLUMNS.map((c) => `summary->>'${c}'`).join(', ')} FROM e2e_analytics.case_summaries ORDER BY complaint_id`;
    const copy = await psqlCopy(ctx.databaseUrl, query, format === 'csv' ? ' WITH (FORMAT csv)' : '');
    const rate = exported / (result.ms / 1000);
    log(
      `export ${format}: ${exported} rows, ${(result.bytes / 2 ** 20).toFixed(0)} MiB in ${(result.ms / 1000).toFixed(1)} s, peak RSS ${result.peakMB.toFixed(0)} MB; COPY ${copy.lines} rows in ${(copy.ms / 1000).toFixed(1)} s`,
    );
    const note = `${exported.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows, ${(result.bytes / 2 ** 20).toFixed(0)} MiB (COPY: ${(copy.bytes / 2 ** 20).toFixed(0)} MiB)`;
    figures.push(
      figure(S, `${format} export rows/s`, rate, '/s', {
        baseline: {
          name: `psql COPY (SELECT …) TO STDOUT${format === 'csv' ? ' CSV' : ''}`,
          value: copy.lines / (copy.ms / 1000),
        },
        note,
      }),
      figure(S, `${format} export peak RSS of analytics`, result.peakMB, 'MB', {
        target: atMost(200, '< 200 MB'),
        note: exported === total ? 'every row exported' : `**only ${exported} of ${total} rows**`,
      }),
    );
  }
  return figures;
}
