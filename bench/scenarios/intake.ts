/**
 * 1. Intake throughput and latency: POST /complaints under load at several concurrencies, against
 * the same Nest app's trivial endpoint (GET /health/live: the framework ceiling) and pgbench's
 * single-row INSERT with the same number of clients on the same server (same durability).
 * Then p99 at 70% of the best measured rate. Also intake's RSS idle and under load (scenario 7).
 */
import type { Figure } from '../lib/figures';
import { atLeast, atMost, figure } from '../lib/figures';
import { envList, envNumber, log, sql, type BenchContext } from '../lib/context';
import { httpLoad, pgbenchInsert } from '../lib/load';
import { idleRss, rssSampler, startTopology } from '../lib/services';
import { cpuMeter } from '../lib/cpu';

const S = '1 intake';

export async function intakeScenario(ctx: BenchContext): Promise<Figure[]> {
  const concurrencies = envList('BENCH_INTAKE_CONCURRENCY', [4, 16, 64]);
  const seconds = envNumber('BENCH_INTAKE_SECONDS', 10);
  const figures: Figure[] = [];
  const topology = await startTopology(['intake'], {
    databaseUrl: ctx.databaseUrl,
    kafkaBrokers: ctx.kafkaBrokers,
    topicPrefix: `${ctx.runId}-intake`,
  });
  try {
    const intake = topology.services.intake!;
    ctx.memory.intake = { idleMB: await idleRss(intake) };
    // The row pgbench inserts: intake's stored event of the same kind, as written by intake.
    await httpLoad({ url: `${intake.url}/complaints`, connections: 4, seconds: 3, post: true });
    const [sample] = await sql<{ data: Record<string, unknown>; metadata: Record<string, unknown> }>(
      ctx.databaseUrl,
      `SELECT data, metadata FROM intake.events WHERE type = 'ComplaintReceived' ORDER BY global_position DESC LIMIT 1`,
    );
    if (!sample) throw new Error('intake registered no complaint during the warm-up');
    ctx.sampleEvent = sample;
    const row = JSON.stringify(sample.data);
    await sql(
      ctx.databaseUrl,
      `CREATE TABLE IF NOT EXISTS pgbench_insert (id bigserial PRIMARY KEY, data jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`,
    );

    let best = { rate: 0, connections: concurrencies[0]!, pgbenchTps: 0 };
    const sampler = rssSampler({ intake: intake.pid });
    for (const c of concurrencies) {
      log(`intake: ${c} connections, ${seconds} s each for /health/live, POST /complaints, pgbench`);
      const ceiling = await httpLoad({ url: `${intake.url}/health/live`, connections: c, seconds });
      const meter = await cpuMeter({ intake: [intake.pid] }, { adminUrl: ctx.adminUrl, database: ctx.runId });
      const posts = await httpLoad({ url: `${intake.url}/complaints`, connections: c, seconds, post: true });
      const cpu = await meter.stop();
      const pg = await pgbenchInsert(ctx.databaseUrl, { clients: c, seconds, row });
      log(
        `  c=${c}: intake ${posts.okPerSecond.toFixed(0)}/s p50 ${posts.p50} p99 ${posts.p99} ms (${posts.failed} failed); ` +
          `ceiling ${ceiling.okPerSecond.toFixed(0)}/s; pgbench ${pg.tps.toFixed(0)} tps p99 ${pg.p99.toFixed(2)} ms`,
      );
      const note = posts.failed ? `${posts.failed} non-2xx/errors` : undefined;
      figures.push(
        figure(S, `complaints/s, ${c} connections`, posts.okPerSecond, '/s', {
          baseline: { name: `pgbench single-row INSERT, ${c} clients`, value: pg.tps },
          target: atLeast(0.6, '≥ 60% of pgbench INSERT', 'ratio'),
          ...(note ? { note } : {}),
        }),
        figure(S, `complaints/s vs framework ceiling, ${c} connections`, posts.okPerSecond, '/s', {
          baseline: { name: `GET /health/live, ${c} connections`, value: ceiling.okPerSecond },
        }),
        figure(S, `p50 latency, ${c} connections`, posts.p50, 'ms', {
          baseline: { name: `pgbench INSERT p50, ${c} clients`, value: pg.p50 },
        }),
        figure(S, `p99 latency, ${c} connections`, posts.p99, 'ms', {
          baseline: { name: `pgbench INSERT p99, ${c} clients`, value: pg.p99 },
        }),
        ...['intake', 'PostgreSQL'].map((name) =>
          figure(S, `CPU per complaint: ${name}, ${c} connections`, cpu.byName[name]! / Math.max(1, posts.ok), 'ms'),
        ),
      );
      if (posts.okPerSecond > best.rate) best = { rate: posts.okPerSecond, connections: c, pgbenchTps: pg.tps };
    }
    ctx.memory.intake.loadMB = sampler.stop().intake;
    ctx.shared.intakeMax = best.rate;
    figures.push(
      figure(S, `max complaints/s (${best.connections} connections)`, best.rate, '/s', {
        baseline: { name: 'pgbench INSERT at the same clients', value: best.pgbenchTps },
        target: atLeast(1500, '≥ 1,500/s on 2 cores'),
      }),
    );

    const rate70 = 0.7 * best.rate;
    log(`intake: p99 at 70% load (${rate70.toFixed(0)}/s, ${best.connections} connections)`);
    const at70 = await httpLoad({
      url: `${intake.url}/complaints`,
      connections: best.connections,
      seconds,
      rate: rate70,
      post: true,
    });
    const pg70 = await pgbenchInsert(ctx.databaseUrl, { clients: best.connections, seconds, row, rate: rate70 });
    figures.push(
      figure(S, `p99 latency at 70% load (${rate70.toFixed(0)}/s)`, at70.p99, 'ms', {
        baseline: { name: `pgbench INSERT p99 at the same rate`, value: pg70.p99 },
        target: atMost(25, 'p99 ≤ 25 ms'),
        note: `achieved ${at70.okPerSecond.toFixed(0)}/s, p50 ${at70.p50} ms`,
      }),
    );
  } finally {
    await topology.stop();
  }
  return figures;
}
