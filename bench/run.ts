/**
 * `npm run bench`: starts what it needs (PostgreSQL and Kafka from DATABASE_URL / KAFKA_BROKERS, else
 * deploy/local/up.sh), runs each scenario against the services in the distributed topology, and
 * writes bench/results/<run>.json and .md. A scenario is a module exporting
 * `(ctx) => Promise<Figure[]>`; add it to SCENARIOS. BENCH_SCENARIOS=intake,e2e,... runs a subset.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  createDatabase,
  describeMachine,
  dropDatabase,
  ensureInfrastructure,
  prepareTokens,
  kafkaReachable,
  log,
  type BenchContext,
} from './lib/context';
import type { Figure } from './lib/figures';
import { markdown, writeResults, type RunResult } from './lib/report';
import { auditScenario } from './scenarios/audit';
import { consumerScenario } from './scenarios/consumer';
import { e2eScenario } from './scenarios/e2e';
import { exportScenario } from './scenarios/export';
import { intakeScenario } from './scenarios/intake';
import { memoryScenario } from './scenarios/memory';
import { slaMemoryScenario } from './scenarios/sla-memory';
import { rebuildScenario } from './scenarios/rebuild';
import { relayScenario } from './scenarios/relay';

type Scenario = (ctx: BenchContext) => Promise<Figure[]>;

/**
 * In run order: later scenarios use what earlier ones measured (the end-to-end load is half of
 * intake's maximum; audit and export reuse the end-to-end services; memory reports what they saw).
 */
const SCENARIOS: [string, Scenario][] = [
  ['intake', intakeScenario],
  ['e2e', e2eScenario],
  ['audit', auditScenario],
  ['export', exportScenario],
  ['memory', memoryScenario],
  ['sla-memory', slaMemoryScenario],
  ['relay', relayScenario],
  ['consumer', consumerScenario],
  ['rebuild', rebuildScenario],
];

async function main(): Promise<void> {
  const startedAt = new Date();
  const infra = ensureInfrastructure();
  await prepareTokens();
  await kafkaReachable(infra.kafkaBrokers);
  const runId = `bench${startedAt.toISOString().replace(/\D/g, '').slice(0, 14)}`;
  const databaseUrl = await createDatabase(infra.databaseUrl, runId);
  const machine = await describeMachine(databaseUrl);
  log(`run ${runId}: ${machine.cpus} cores, ${machine.memoryGiB} GiB, load ${machine.loadAverageAtStart.join(' ')}`);
  log(`durability: ${JSON.stringify(machine.durability)}`);
  const ctx: BenchContext = {
    adminUrl: infra.databaseUrl,
    databaseUrl,
    kafkaBrokers: infra.kafkaBrokers,
    runId,
    shared: {},
    memory: {},
  };
  const wanted = (process.env.BENCH_SCENARIOS ?? '').split(',').filter(Boolean);
  const figures: Figure[] = [];
  const errors: RunResult['errors'] = [];
  try {
    for (const [name, scenario] of SCENARIOS) {
      if (wanted.length && !wanted.includes(name)) continue;
      const started = Date.now();
      log(`scenario ${name}`);
      try {
        figures.push(...(await scenario(ctx)));
      } catch (error) {
        log(`scenario ${name} failed: ${(error as Error).stack ?? String(error)}`);
        errors.push({ scenario: name, message: (error as Error).message.split('\n')[0]! });
      }
      log(`scenario ${name} took ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    await ctx.topology?.stop();
    if (process.env.BENCH_KEEP_DB !== '1') await dropDatabase(infra.databaseUrl, runId).catch(() => undefined);
  }
  const settings: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(process.env))
    if (key.startsWith('BENCH_') && key !== 'BENCH_NOTE' && value) settings[key] = value;
  const result: RunResult = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    loadAverageAtEnd: loadavg().map((v) => Math.round(v * 100) / 100),
    settings,
    figures,
    errors,
    notes: (process.env.BENCH_NOTE ?? '').split('|').filter(Boolean),
  };
  const name = process.env.BENCH_RESULT_NAME ?? startedAt.toISOString().slice(0, 16).replace(/:/g, '');
  const files = writeResults(process.env.BENCH_RESULTS_DIR ?? join(__dirname, '..', 'results'), name, result);
  console.log(`\n${markdown(result)}`);
  log(`wrote ${files.json} and ${files.md}`);
  if (infra.startedByBench)
    log('infrastructure was started with deploy/local/up.sh: stop it with `npm run infra:down`');
  process.exitCode = errors.length ? 1 : 0;
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
