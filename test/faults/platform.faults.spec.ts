/**
 * The fault suite: a steady load of complaints through the four services (separate processes) on
 * the suite's own Kafka broker and PostgreSQL cluster, and during the load one fault at a time.
 * After each, every accepted complaint is reconciled case by case (one received, one routed
 * decision, one opened case, one history in analytics), every partition must have been consumed
 * to its end, and the dead-letter topics must hold exactly the poison and nothing else.
 */
import { FaultInfrastructure, faultInfrastructureOptions } from './infrastructure';
import { CONSUMERS, Platform, SERVICES } from './platform';
import { SteadyLoad, type LoadResult } from './load';
import {
  deadLetterCount,
  Duplicator,
  poisonMessages,
  publishPoison,
  readDeadLetters,
  POISON_HEADER,
  type PartitionProgress,
} from './kafka-faults';
import { settle, type Reconciliation } from './reconcile';
import { ObservationLog } from './observations';

const RATE = Number(process.env.FAULTS_RATE ?? 3);
const CONVERGE_MS = Number(process.env.FAULTS_CONVERGE_MS ?? 180_000);
const OUTAGE_MS = 20_000;
const SCENARIO_LIMIT_MS = 480_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => Math.round(ms / 100) / 10;

interface FaultOutcome {
  faultMs: number;
  notes: string[];
}

interface ScenarioChecks {
  expectedDeadLetters?: number;
  /** Runs after the load, before the platform is awaited (e.g. until every copy was made). */
  beforeReconciling?: (load: LoadResult) => Promise<string[]>;
  /** Runs once the platform settled: what it saw, and what is wrong (any problem fails the scenario). */
  afterSettled?: () => Promise<{ notes: string[]; problems: string[] }>;
}

/** Everything that went wrong in a scenario, in words; empty when it passed. */
function findings(
  load: LoadResult,
  reconciliation: Reconciliation,
  progress: PartitionProgress,
  exited: string[],
  problems: string[],
): string[] {
  const first = (list: string[]) => list.slice(0, 5).join('; ');
  return [
    ...(load.accepted.size === 0 ? ['intake accepted no complaint'] : []),
    ...(exited.length > 0 ? [`service(s) exited by themselves: ${exited.join(', ')}`] : []),
    ...(load.unexpected.length > 0 ? [`${load.unexpected.length} unexpected answers: ${first(load.unexpected)}`] : []),
    ...(load.abandoned > 0 ? [`${load.abandoned} complaints never accepted before the client gave up`] : []),
    ...(load.unavailableWithoutRetryAfter > 0 ? [`${load.unavailableWithoutRetryAfter} 503s without Retry-After`] : []),
    ...(reconciliation.lost.length > 0 ? [`lost: ${first(reconciliation.lost)}`] : []),
    ...(reconciliation.duplicated.length > 0 ? [`duplicated: ${first(reconciliation.duplicated)}`] : []),
    ...(reconciliation.inboxDuplicates + reconciliation.historyDuplicates > 0
      ? [`inbox or history rows twice: ${reconciliation.inboxDuplicates + reconciliation.historyDuplicates}`]
      : []),
    ...(progress.behind.length > 0 ? [`partitions behind: ${first(progress.behind)}`] : []),
    ...problems,
  ];
}

describe('the platform under faults, on real Kafka and PostgreSQL processes', () => {
  const infrastructure = new FaultInfrastructure(faultInfrastructureOptions());
  let platform: Platform;
  let log: ObservationLog;

  beforeAll(async () => {
    if (!Number.isFinite(RATE) || RATE <= 0 || RATE > 20) throw new Error(`FAULTS_RATE must be 1-20 per second`);
    log = new ObservationLog(RATE);
    await infrastructure.up();
    platform = new Platform(infrastructure.databaseUrl, infrastructure.kafkaBrokers);
    await platform.createDatabase();
    await platform.startAll();
  }, 900_000);

  afterAll(async () => {
    log?.finish();
    await platform?.stopAll();
    await platform?.dispose().catch((error: Error) => console.warn(`cleaning up the run: ${error.message}`));
    await infrastructure.down();
  }, 300_000);

  /** A fault: 5 s into the load, stop it for OUTAGE_MS, start it again (up.sh) and load 5 s more. */
  function outage(what: string, stop: () => Promise<void>): () => Promise<FaultOutcome> {
    return async () => {
      await sleep(5000);
      const stopped = Date.now();
      await stop();
      await sleep(OUTAGE_MS);
      await infrastructure.up();
      const faultMs = Date.now() - stopped;
      await sleep(5000);
      return { faultMs, notes: [`${what} down for ${seconds(faultMs)} s until it answered again`] };
    };
  }

  /** Runs the load, the fault during it, waits for the platform to settle, reconciles and records. */
  async function underLoad(
    scenario: string,
    action: string,
    fault: () => Promise<FaultOutcome>,
    checks: ScenarioChecks = {},
  ): Promise<LoadResult> {
    const { expectedDeadLetters = 0 } = checks;
    const deadLettersBefore = await deadLetterCount(platform);
    const load = new SteadyLoad(platform.url('intake'), scenario.replace(/\W+/g, '-'), RATE);
    const started = Date.now();
    load.start();
    const outcome = await fault();
    const result = await load.stop();
    const loadEnded = Date.now();
    const notes = [...outcome.notes, ...((await checks.beforeReconciling?.(result)) ?? [])];
    const ids = [...result.accepted.values()];
    const { reconciliation, progress, settledAt } = await settle(platform, ids, CONVERGE_MS);
    const deadLettered = (await deadLetterCount(platform)) - deadLettersBefore;
    const seen = (await checks.afterSettled?.()) ?? { notes: [], problems: [] };
    notes.push(...seen.notes);
    const failures = findings(result, reconciliation, progress, platform.exited(), seen.problems);
    if (deadLettered !== expectedDeadLetters) {
      failures.push(`${deadLettered} messages dead-lettered, ${expectedDeadLetters} expected`);
    }
    log.add({
      scenario,
      action,
      accepted: ids.length,
      lost: reconciliation.lost.length,
      duplicated: reconciliation.duplicated.length,
      deadLettered,
      expectedDeadLetters,
      partitions: { caughtUp: progress.caughtUp, total: progress.total },
      responses: result.responses,
      seconds: {
        load: seconds(loadEnded - started),
        fault: seconds(outcome.faultMs),
        converged: seconds(settledAt - loadEnded),
      },
      notes: [...notes, ...failures],
      passed: failures.length === 0,
    });
    expect(failures).toEqual([]);
    return result;
  }

  it(
    'loses and doubles nothing when each service in turn is killed (SIGKILL) and restarted during the load',
    async () => {
      await underLoad(
        'SIGKILL each service',
        'SIGKILL intake, then routing, then resolution, then analytics, each restarted at once, during the load',
        async () => {
          const notes: string[] = [];
          const began = Date.now();
          for (const service of SERVICES) {
            await sleep(4000);
            const killed = Date.now();
            await platform.kill(service);
            await platform.start(service);
            notes.push(`${service} back in ${seconds(Date.now() - killed)} s`);
          }
          const faultMs = Date.now() - began;
          await sleep(4000);
          return { faultMs, notes };
        },
      );
    },
    SCENARIO_LIMIT_MS,
  );

  it(
    'loses and doubles nothing when the Kafka broker is stopped for 20 s and started again',
    async () => {
      await underLoad(
        'Kafka down 20 s',
        'stop the Kafka broker (SIGTERM) for 20 s, then start it again',
        outage('broker', () => infrastructure.stopKafka()),
      );
    },
    SCENARIO_LIMIT_MS,
  );

  it(
    'answers 503 with Retry-After while PostgreSQL is stopped for 20 s, never 2xx for what it did not store, and loses nothing',
    async () => {
      const load = await underLoad(
        'PostgreSQL down 20 s',
        'stop PostgreSQL (fast shutdown) for 20 s, then start it again',
        outage('database', () => infrastructure.stopPostgres()),
      );
      // Intake was asked to store complaints while its database was down, and said so.
      expect(load.responses['503'] ?? 0).toBeGreaterThan(0);
    },
    SCENARIO_LIMIT_MS,
  );

  it(
    'applies nothing twice when every Kafka message is delivered twice',
    async () => {
      const duplicator = new Duplicator(platform);
      await duplicator.start();
      try {
        await underLoad(
          'every message twice',
          'a test-only producer publishes every message of the three topics a second time (same key, value and headers)',
          async () => {
            await sleep(20_000);
            return { faultMs: 20_000, notes: [] };
          },
          {
            beforeReconciling: async (load) => {
              // Each accepted complaint makes three messages (received, routed, opened): all copied.
              const wanted = 3 * load.accepted.size;
              const deadline = Date.now() + CONVERGE_MS;
              while (duplicator.duplicated < wanted && Date.now() < deadline) await sleep(1000);
              expect(duplicator.duplicated).toBeGreaterThanOrEqual(wanted);
              return [`${duplicator.duplicated} messages delivered a second time`];
            },
          },
        );
      } finally {
        await duplicator.stop();
      }
    },
    SCENARIO_LIMIT_MS,
  );

  it(
    'dead-letters every poison message with its reason, in every consumer group of its topic, and keeps every partition moving',
    async () => {
      const poison = poisonMessages();
      let unpublishable = '';
      // Each poison message is dead-lettered once in every consumer group of its topic (CONSUMERS).
      const groupsOf = (p: { topic: keyof typeof CONSUMERS }) => CONSUMERS[p.topic].length;
      await underLoad(
        'poison messages',
        `publish ${poison.length / 3} poison messages (bad JSON, not an envelope, wrong schema, unknown event version) into each of the three topics during the load, and store a routing decision its contract refuses in routing's outbox`,
        async () => {
          await sleep(5000);
          await publishPoison(platform, poison);
          unpublishable = await platform.storeUnpublishableRoutingDecision();
          await sleep(15_000);
          return { faultMs: 0, notes: [] };
        },
        {
          // and the stored event the relay would not publish, once, by the relay
          expectedDeadLetters: poison.reduce((sum, p) => sum + groupsOf(p), 0) + 1,
          afterSettled: async () => {
            const all = await readDeadLetters(platform);
            const deadLetters = all.filter((m) => m.headers[POISON_HEADER]);
            const notes = new Set<string>();
            const problems = poison.flatMap((p) => {
              const found = deadLetters.filter((m) => m.headers[POISON_HEADER] === p.id);
              const reasons = found.map((m) => m.headers['dlt-reason'] ?? '');
              for (const m of found) {
                notes.add(
                  `${p.kind} → ${m.headers['dlt-consumer-group']?.replace(`${platform.topicPrefix}.`, '')}: "${m.headers['dlt-reason']?.slice(0, 120)}"`,
                );
              }
              const complete =
                found.length === groupsOf(p) &&
                reasons.every((r) => r.length > 0) &&
                found.every((m) => m.value === p.value);
              return complete ? [] : [`${p.kind} in ${p.topic}: ${found.length} dead letters (${reasons.join(' | ')})`];
            });
            const parked = all.filter((m) => m.headers['ce_id'] === unpublishable);
            if (parked.length === 1 && parked[0]?.headers['dlt-consumer-group'] === 'outbox-relay') {
              notes.add(
                `a stored event failing its contract → outbox-relay: "${parked[0].headers['dlt-reason']?.slice(0, 120)}"`,
              );
            } else {
              problems.push(
                `the unpublishable stored event ${unpublishable} is in the dead letters ${parked.length} times`,
              );
            }
            // One line per kind of poison is enough for the report.
            const perKind = [...notes].filter(
              (n, i, all) => all.findIndex((m) => m.split(' → ')[0] === n.split(' → ')[0]) === i,
            );
            return { notes: perKind, problems };
          },
        },
      );
    },
    SCENARIO_LIMIT_MS,
  );
});
