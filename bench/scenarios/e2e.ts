/**
 * 2. End to end over real Kafka: at 50% of intake's measured maximum, the time from intake's 201 to
 * the case being visible in analytics' history (its complaint.received.v1 row committed), and to the
 * case being opened (received → routed → opened, three hops). Baseline: a raw kafkajs
 * produce → consume round trip at the same rate. Also every service's RSS idle and under load.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { atMost, figure, summarise, type Figure } from '../lib/figures';
import { envNumber, log, type BenchContext } from '../lib/context';
import { complaintBody, complaintHeaders } from '../lib/load';
import { idleRss, rssSampler, startTopology, type Topology } from '../lib/services';
import { cpuMeter, databaseActivity, pidsMatching, type CpuUse, type DatabaseActivity } from '../lib/cpu';

const S = '2 end to end';
/** The bench's own processes in the CPU figures: shown, not counted as the platform's. */
const BENCH_GROUP = 'bench (load and watcher)';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The topology scenarios 2, 6, 7 and the export share: the four services, schemas e2e_<service>. */
export async function fullTopology(ctx: BenchContext): Promise<Topology> {
  ctx.topology ??= await startTopology(['intake', 'routing', 'resolution', 'analytics'], {
    databaseUrl: ctx.databaseUrl,
    kafkaBrokers: ctx.kafkaBrokers,
    topicPrefix: `${ctx.runId}-e2e`,
    schemas: { intake: 'e2e_intake', routing: 'e2e_routing', resolution: 'e2e_resolution', analytics: 'e2e_analytics' },
  });
  return ctx.topology;
}

interface Pending {
  sent: number;
  created?: number;
  visible?: number;
  opened?: number;
}

/** Open loop: request i leaves at start + i / rate, whatever the earlier ones are doing. */
async function openLoop(rate: number, seconds: number, send: (i: number) => Promise<void>, maxInFlight = 512) {
  const start = performance.now();
  const total = Math.floor(rate * seconds);
  const inFlight = new Set<Promise<void>>();
  let skipped = 0;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    if (inFlight.size >= maxInFlight) {
      skipped++;
      continue;
    }
    const p: Promise<void> = send(i)
      .catch(() => undefined)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  return { total, skipped };
}

async function kafkaRoundTrip(ctx: BenchContext, rate: number, seconds: number) {
  const kafka = new Kafka({ clientId: 'bench-rtt', brokers: ctx.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const topic = `${ctx.runId}-rtt`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6 }] });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `${topic}-group` });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.run({
    eachMessage: async ({ message }) => {
      const id = message.key?.toString() ?? '';
      const at = sentAt.get(id);
      if (at !== undefined) latencies.push(performance.now() - at);
    },
  });
  for (let i = 0; i < 100 && !joined; i++) await sleep(100);
  const value = JSON.stringify({ padding: 'x'.repeat(1200) });
  await openLoop(rate, seconds, async () => {
    const id = randomUUID();
    sentAt.set(id, performance.now());
    await producer.send({ topic, acks: -1, messages: [{ key: id, value }] });
  });
  for (let i = 0; i < 100 && latencies.length < sentAt.size; i++) await sleep(100);
  await consumer.disconnect();
  await producer.disconnect();
  return summarise(latencies);
}

/**
 * CPU per complaint of each part, from the load's start until the pipeline drained, against what the
 * machine's cores give one complaint at the offered rate: a ratio over 1 means the load is more than
 * the machine can do, and the latencies are then queueing.
 */
function cpuFigures(cpu: CpuUse, complaints: number, rate: number): Figure[] {
  const per = (ms: number) => ms / Math.max(1, complaints);
  const platform = Object.entries(cpu.byName).filter(([name]) => name !== BENCH_GROUP);
  const total = platform.reduce((sum, [, ms]) => sum + ms, 0);
  const machine = `machine busy ${((100 * cpu.machineBusyMs) / (cpu.wallMs * cpu.cores)).toFixed(0)}% of ${cpu.cores} cores over ${(cpu.wallMs / 1000).toFixed(0)} s`;
  return [
    ...Object.entries(cpu.byName).map(([name, ms]) => figure(S, `CPU per complaint: ${name}`, per(ms), 'ms')),
    figure(S, 'CPU per complaint: services, PostgreSQL and Kafka', per(total), 'ms', {
      baseline: { name: `CPU the cores give one complaint at ${rate.toFixed(0)}/s`, value: (cpu.cores * 1000) / rate },
      note: machine,
    }),
  ];
}

/** PostgreSQL's work per complaint over its whole path (less the watcher's own queries). */
function activityFigures(before: DatabaseActivity, after: DatabaseActivity, complaints: number): Figure[] {
  const per = (key: keyof DatabaseActivity) => (after[key] - before[key]) / Math.max(1, complaints);
  return [
    figure(S, 'PostgreSQL transactions committed per complaint', per('commits'), ''),
    figure(S, 'PostgreSQL rows written per complaint', per('rowsWritten'), ''),
  ];
}

export async function e2eScenario(ctx: BenchContext): Promise<Figure[]> {
  const seconds = envNumber('BENCH_E2E_SECONDS', 20);
  const rate = envNumber('BENCH_E2E_RATE', 0) || 0.5 * (ctx.shared.intakeMax || 200);
  if (ctx.topology) throw new Error('end to end needs fresh services: run it before the audit and export scenarios');
  const topology = await fullTopology(ctx);
  const figures: Figure[] = [];
  const watcher = new Client({ connectionString: ctx.databaseUrl });
  try {
    const s = topology.services;
    for (const service of Object.values(s)) {
      ctx.memory[service.name] = { ...ctx.memory[service.name], idleMB: await idleRss(service, 1000) };
    }
    await watcher.connect();
    // Warm-up: every consumer group joined and every path taken once before anything is timed.
    const warm: string[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${s.intake!.url}/complaints`, {
        method: 'POST',
        headers: complaintHeaders(),
        body: complaintBody(),
      });
      warm.push(((await response.json()) as { complaintId: string }).complaintId);
    }
    const warmDeadline = Date.now() + 180_000;
    for (;;) {
      const { rows } = await watcher.query(
        `SELECT 1 FROM e2e_analytics.case_history WHERE complaint_id = ANY($1::uuid[]) AND type = 'case.opened.v1'`,
        [warm],
      );
      if (rows.length === warm.length) break;
      if (Date.now() > warmDeadline) throw new Error('the warm-up complaints were not opened within 180 s');
      await sleep(100);
    }
    const pending = new Map<string, Pending>();
    let watching = true;
    let watchDeadline = Infinity;
    let watcherQueries = 0; // each a transaction of its own: not the platform's
    // Polls analytics' history for the cases still pending (2 ms apart): a row is seen once committed.
    const watch = (async () => {
      while (watching || [...pending.values()].some((p) => p.created && !p.opened)) {
        const now = performance.now();
        const ids = [...pending.entries()].filter(([, p]) => p.created && !p.opened).map(([id]) => id);
        if (ids.length) {
          watcherQueries++;
          const { rows } = await watcher.query<{ id: string; type: string }>(
            `SELECT complaint_id::text AS id, type FROM e2e_analytics.case_history
              WHERE complaint_id = ANY($1::uuid[]) AND type IN ('complaint.received.v1', 'case.opened.v1')`,
            [ids],
          );
          const seen = performance.now();
          for (const row of rows) {
            const p = pending.get(row.id)!;
            if (row.type === 'complaint.received.v1') p.visible ??= seen;
            else p.opened ??= seen;
          }
          if (now > watchDeadline) break;
        }
        await sleep(2);
      }
    })();
    log(`e2e: ${rate.toFixed(0)} complaints/s for ${seconds} s`);
    const sampler = rssSampler(Object.fromEntries(Object.values(s).map((x) => [x.name, x.pid])));
    const activity0 = await databaseActivity(ctx.adminUrl, ctx.runId);
    const meter = await cpuMeter(
      {
        ...Object.fromEntries(Object.values(s).map((x) => [x.name, [x.pid]])),
        'Kafka broker': pidsMatching('kafka.Kafka'),
        [BENCH_GROUP]: [
          process.pid,
          (await watcher.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid,
        ],
      },
      { adminUrl: ctx.adminUrl, database: ctx.runId },
    );
    const sentAll = await openLoop(rate, seconds, async () => {
      const sent = performance.now();
      const response = await fetch(`${s.intake!.url}/complaints`, {
        method: 'POST',
        headers: complaintHeaders(),
        body: complaintBody(),
      });
      const created = performance.now();
      if (response.status !== 201) return;
      const { complaintId } = (await response.json()) as { complaintId: string };
      pending.set(complaintId, { sent, created });
    });
    // Watch until every case is opened (the pipeline drained) or BENCH_DRAIN_SECONDS passed.
    watchDeadline = performance.now() + envNumber('BENCH_DRAIN_SECONDS', 120) * 1000;
    watching = false;
    await watch;
    const cpu = await meter.stop();
    await sleep(1500); // the backends' counts reach pg_stat_database within a second
    const activity1 = await databaseActivity(ctx.adminUrl, ctx.runId);
    const peaks = sampler.stop();
    for (const [name, peak] of Object.entries(peaks)) ctx.memory[name] = { ...ctx.memory[name], e2eLoadMB: peak };
    const all = [...pending.values()];
    // A case never seen counts as infinitely late: a percentile it reaches shows as "–".
    const late = (at: number | undefined, created: number) => (at === undefined ? Infinity : Math.max(0, at - created));
    const visible = all.map((p) => late(p.visible, p.created!));
    const opened = all.map((p) => late(p.opened, p.created!));
    const v = summarise(visible);
    const o = summarise(opened);
    log(
      `e2e: ${all.length} created of ${sentAll.total} (${sentAll.skipped} skipped); visible p50 ${v.p50.toFixed(1)} p99 ${v.p99.toFixed(1)} ms`,
    );
    log('e2e: baseline raw Kafka round trip at the same rate');
    const rtt = await kafkaRoundTrip(ctx, rate, Math.min(seconds, 10));
    const seen = visible.filter(Number.isFinite).length;
    const note = `${all.length} complaints at ${rate.toFixed(0)}/s; ${seen} seen in history; ${sentAll.skipped} not sent (too many in flight); watcher polls every 2 ms`;
    figures.push(
      figure(S, '201 → visible in history, p50', v.p50, 'ms', {
        baseline: { name: 'raw kafkajs produce → consume p50, same rate', value: rtt.p50 },
        target: atMost(20, 'p50 ≤ 20 ms'),
        note,
      }),
      figure(S, '201 → visible in history, p99', v.p99, 'ms', {
        baseline: { name: 'raw kafkajs produce → consume p99, same rate', value: rtt.p99 },
        target: atMost(100, 'p99 ≤ 100 ms'),
      }),
      figure(S, '201 → case opened (3 hops) in history, p50', o.p50, 'ms', {
        baseline: { name: 'raw kafkajs produce → consume p50', value: rtt.p50 },
        note: `${opened.filter(Number.isFinite).length} opened`,
      }),
      figure(S, '201 → case opened (3 hops) in history, p99', o.p99, 'ms', {
        baseline: { name: 'raw kafkajs produce → consume p99', value: rtt.p99 },
      }),
      ...cpuFigures(cpu, all.length, rate),
      ...activityFigures(activity0, { ...activity1, commits: activity1.commits - watcherQueries }, all.length),
    );
  } finally {
    await watcher.end().catch(() => undefined);
    // The topology stays up for the audit, export and memory scenarios; run.ts stops it.
  }
  return figures;
}
