/**
 * The fault suite: a steady load of complaints through two instances of each of the four services
 * (separate processes, both in each consumer group) on the suite's own Kafka broker and PostgreSQL
 * cluster, and during the load one fault at a time. After each, every accepted complaint is
 * reconciled case by case (one received, one routed decision, one opened case, one history in
 * analytics), every partition must have been consumed to its end, and the dead-letter topics must
 * hold exactly the poison and nothing else; the time to recover, the longest stall and the p99
 * end to end during the fault are measured (measure.ts).
 *
 * Profiles: quick (default, what .ci/run runs) and full (`npm run test:faults -- --full`:
 * FAULTS_PROFILE=full, at least 30 complaints/s and 10,000 complaints in the run).
 */
import { FaultInfrastructure, faultInfrastructureOptions } from './infrastructure';
import { CONSUMERS, INSTANCES, Platform, SERVICES, type Instance } from './platform';
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
import { IsolatedLink, type LinkTarget } from './network';
import { LagSampler, recoveredAt, timings } from './measure';

const FULL = process.env.FAULTS_PROFILE === 'full';
const PROFILE = FULL
  ? { name: 'full', rate: 30, leadMs: 5000, faultMs: 20_000, tailMs: 5000, minComplaints: 10_000, convergeMs: 300_000 }
  : { name: 'quick', rate: 5, leadMs: 2000, faultMs: 8000, tailMs: 2000, minComplaints: 0, convergeMs: 180_000 };
const RATE = Number(process.env.FAULTS_RATE ?? PROFILE.rate);
const CONVERGE_MS = Number(process.env.FAULTS_CONVERGE_MS ?? PROFILE.convergeMs);
const SCENARIO_LIMIT_MS = 900_000;
/** The instance placed behind its own link (network namespace) for the network faults. */
const ISOLATED = (process.env.FAULTS_ISOLATED ?? 'routing-2') as Instance;
/** What every instance runs with: 8 processes × (6 + 2) connections = 64 of the cluster's 200. */
const SETTINGS: Record<string, string> = {
  KAFKA_SESSION_TIMEOUT_MS: process.env.FAULTS_KAFKA_SESSION_TIMEOUT_MS ?? '10000',
  KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
  DB_POOL_SIZE: '6',
  PII_VAULT_POOL_SIZE: '2',
};
/** The services with an outbox, whose relay one instance holds (analytics publishes nothing). */
const RELAYING = ['intake', 'routing', 'resolution'] as const;
const BROKER_DISK_MB = Number(process.env.FAULTS_BROKER_DISK_MB ?? 1024);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => Math.round(ms / 100) / 10;

interface FaultOutcome {
  /** When the fault began and when it was over (the thing broken was whole again). */
  start: number;
  end: number;
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
    ...(exited.length > 0 ? [`instance(s) exited by themselves: ${exited.join(', ')}`] : []),
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

describe('the platform under faults, two instances of every service, on real Kafka and PostgreSQL processes', () => {
  const infrastructure = new FaultInfrastructure(faultInfrastructureOptions());
  const link = new IsolatedLink(infrastructure.options.kafkaPort, infrastructure.options.postgresPort);
  let linkError: Error | undefined;
  let platform: Platform;
  let log: ObservationLog;
  let totalAccepted = 0;
  let totalSent = 0;
  let totalSendingMs = 0;

  beforeAll(async () => {
    if (!Number.isFinite(RATE) || RATE <= 0 || RATE > 60) throw new Error(`FAULTS_RATE must be 1-60 per second`);
    log = new ObservationLog(RATE, PROFILE.name, SETTINGS, ISOLATED);
    // A clean start: whatever an earlier, cut-short run left of the suite's own broker and cluster.
    await infrastructure.down();
    await infrastructure.mountBrokerDisk(BROKER_DISK_MB);
    await infrastructure.up();
    platform = new Platform(infrastructure.databaseUrl, infrastructure.kafkaBrokers, SETTINGS);
    try {
      await link.create();
      platform.namespaced = {
        instance: ISOLATED,
        inside: (command, args) => link.inside(command, args),
        namespaceAddress: link.namespaceAddress,
        kafkaBrokers: link.kafkaBrokers,
        postgresHost: link.postgresHost,
      };
    } catch (error) {
      // The network scenarios fail with this; the others run.
      linkError = error as Error;
    }
    await platform.createDatabase();
    // The first instance of each service, then the second (migrations run once, under a lock).
    await Promise.all(SERVICES.map((s) => platform.start(`${s}-1`)));
    await Promise.all(SERVICES.map((s) => platform.start(`${s}-2`)));
  }, 900_000);

  afterAll(async () => {
    log?.finish();
    await platform?.stopAll();
    await platform?.dispose().catch((error: Error) => console.warn(`cleaning up the run: ${error.message}`));
    await link.destroy().catch((error: Error) => console.warn(`removing the network namespace: ${error.message}`));
    await infrastructure.down();
    await infrastructure
      .unmountBrokerDisk()
      .catch((error: Error) => console.warn(`unmounting the broker's tmpfs: ${error.message}`));
  }, 300_000);

  /**
   * A fault lasting the profile's fault time: `begin` breaks something, `end` makes it whole again
   * (always, even when `begin` failed half way, so one scenario's failure is not the next one's).
   */
  function lasting(begin: () => Promise<string[] | void>, end: () => Promise<string[] | void>) {
    return async (): Promise<FaultOutcome> => {
      await sleep(PROFILE.leadMs);
      const start = Date.now();
      const notes: string[] = [];
      let failure: Error | undefined;
      try {
        notes.push(...((await begin()) ?? []));
        await sleep(Math.max(0, start + PROFILE.faultMs - Date.now()));
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
      }
      notes.push(...((await end()) ?? []));
      if (failure) throw failure;
      const done = Date.now();
      await sleep(PROFILE.tailMs);
      return { start, end: done, notes };
    };
  }

  /** Stopping the broker or the database for the fault's time, then starting it again (up.sh). */
  function outage(what: string, stop: () => Promise<void>) {
    let stopped = 0;
    return lasting(
      async () => {
        stopped = Date.now();
        await stop();
      },
      async () => {
        await infrastructure.up();
        return [`${what} down for ${seconds(Date.now() - stopped)} s until it answered again`];
      },
    );
  }

  /** The link between the isolated instance and Kafka or PostgreSQL cut or slowed for the fault's time. */
  function impaired(target: LinkTarget, fault: { partition: true } | { rate: string }) {
    return lasting(
      async () => {
        if (linkError) throw linkError;
        const owner = await platform.relayOwner('routing');
        await link.impair(target, fault);
        return [
          `${ISOLATED} in network namespace ${link.namespace} (${link.namespaceAddress}); ${owner ?? 'no instance'} held routing's relay as it began`,
        ];
      },
      async () => {
        await link.heal();
        return [`${ISOLATED} holds routing's relay afterwards: ${(await platform.relayOwner('routing')) === ISOLATED}`];
      },
    );
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
    const load = new SteadyLoad(platform.intakeUrls(), scenario.replace(/\W+/g, '-'), RATE);
    const sampler = new LagSampler(platform);
    const started = Date.now();
    sampler.start();
    load.start();
    const outcome = await fault().catch(async (error: Error) => {
      const [partial] = await Promise.all([load.stop(), sampler.stop()]);
      // The report shows a scenario that could not even be run, and why.
      log.add({
        scenario,
        action,
        accepted: partial.accepted.size,
        lost: 0,
        duplicated: 0,
        deadLettered: 0,
        expectedDeadLetters,
        partitions: { caughtUp: 0, total: 0 },
        responses: partial.responses,
        seconds: {
          load: seconds(Date.now() - started),
          fault: 0,
          converged: 0,
          recovered: 0,
          longestStall: 0,
          p50: null,
          p99: null,
          max: null,
        },
        duringFault: 0,
        lagPeak: 0,
        notes: [`the fault could not be made or undone: ${error.message}`, 'not reconciled'],
        passed: false,
      });
      throw error;
    });
    const result = await load.stop();
    const loadEnded = Date.now();
    const notes = [...outcome.notes, ...((await checks.beforeReconciling?.(result)) ?? [])];
    const ids = [...result.accepted.values()];
    const { reconciliation, progress, settledAt } = await settle(platform, ids, CONVERGE_MS);
    const samples = await sampler.stop();
    const deadLettered = (await deadLetterCount(platform)) - deadLettersBefore;
    const seen = (await checks.afterSettled?.()) ?? { notes: [], problems: [] };
    notes.push(...seen.notes);
    const failures = findings(result, reconciliation, progress, platform.exited(), seen.problems);
    if (deadLettered !== expectedDeadLetters) {
      failures.push(`${deadLettered} messages dead-lettered, ${expectedDeadLetters} expected`);
    }
    const recovery = recoveredAt(
      samples,
      { loadStart: started, faultStart: outcome.start, faultEnd: outcome.end },
      Math.ceil(RATE * 3),
      settledAt,
    );
    const time = await timings(platform, result.accepted, result.firstSent, outcome);
    notes.push(
      `lag (messages, all groups): ${recovery.baseline} before the fault, at most ${recovery.peak} after it began; ${samples.filter((s) => s.lag === null).length} of ${samples.length} samples unanswered`,
    );
    totalAccepted += ids.length;
    totalSent += result.sent;
    totalSendingMs += result.sendingMs;
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
        fault: seconds(outcome.end - outcome.start),
        converged: seconds(settledAt - loadEnded),
        recovered: seconds(Math.max(0, recovery.at - outcome.end)),
        longestStall: seconds(time.longestStallMs),
        p50: time.p50Ms === null ? null : seconds(time.p50Ms),
        p99: time.p99Ms === null ? null : seconds(time.p99Ms),
        max: time.maxMs === null ? null : seconds(time.maxMs),
      },
      duringFault: time.duringFault,
      lagPeak: recovery.peak,
      notes: [...notes, ...failures],
      passed: failures.length === 0,
    });
    expect(failures).toEqual([]);
    return result;
  }

  /** SIGKILLs each instance in turn, restarting it at once; notes who held and who took the relay. */
  function killEach(pick: () => Promise<Instance[]>) {
    return async (): Promise<FaultOutcome> => {
      await sleep(PROFILE.leadMs);
      const start = Date.now();
      const notes: string[] = [];
      for (const instance of await pick()) {
        const service = instance.replace(/-\d+$/, '') as (typeof SERVICES)[number];
        const owner = await platform.relayOwner(service);
        const killed = Date.now();
        await platform.kill(instance);
        let heir: Instance | undefined;
        if (owner === instance) {
          heir = await platform.awaitRelayOwner(service);
          notes.push(
            `${instance} held ${service}'s relay; ${heir} took it ${seconds(Date.now() - killed)} s after the kill`,
          );
        }
        await platform.start(instance);
        notes.push(`${instance} back (ready) ${seconds(Date.now() - killed)} s after the kill`);
        await sleep(1000);
      }
      const end = Date.now();
      await sleep(PROFILE.tailMs);
      return { start, end, notes };
    };
  }

  it(
    "loses and doubles nothing when the instance holding each service's relay lock is killed (SIGKILL) and restarted",
    async () => {
      await underLoad(
        'SIGKILL each relay owner',
        'SIGKILL the instance whose readiness says it holds the outbox relay (`outbox-relay.owner`), of intake, then routing, resolution and analytics, each restarted at once',
        killEach(async () => [
          ...(await Promise.all(RELAYING.map((s) => platform.awaitRelayOwner(s)))),
          // analytics publishes nothing (no outbox): its first instance.
          'analytics-1' as const,
        ]),
      );
    },
    SCENARIO_LIMIT_MS,
  );

  if (FULL) {
    it(
      'loses and doubles nothing when each instance not holding the relay is killed (SIGKILL) and restarted',
      async () => {
        await underLoad(
          'SIGKILL each other instance',
          'SIGKILL the instance of intake, routing and resolution not holding its relay, and analytics-2, each restarted at once',
          killEach(async () => {
            const owners = await Promise.all(RELAYING.map((s) => platform.awaitRelayOwner(s)));
            return INSTANCES.filter((i) => !owners.includes(i) && i !== 'analytics-1');
          }),
        );
      },
      SCENARIO_LIMIT_MS,
    );
  }

  it(
    'loses and doubles nothing when one routing and one resolution instance die together, and measures the stall',
    async () => {
      const pair: Instance[] = ['routing-1', 'resolution-1'];
      await underLoad(
        'SIGKILL routing-1 + resolution-1',
        `SIGKILL routing-1 and resolution-1 at once, keep them down for ${seconds(PROFILE.faultMs)} s, then restart both (KAFKA_SESSION_TIMEOUT_MS=${SETTINGS.KAFKA_SESSION_TIMEOUT_MS})`,
        lasting(
          async () => {
            await Promise.all(pair.map((i) => platform.kill(i)));
          },
          async () => {
            await Promise.all(pair.map((i) => platform.start(i)));
          },
        ),
      );
    },
    SCENARIO_LIMIT_MS,
  );

  it(
    'loses and doubles nothing when the Kafka broker is stopped and started again',
    async () => {
      await underLoad(
        'Kafka broker stopped',
        `stop the Kafka broker (SIGTERM) for ${seconds(PROFILE.faultMs)} s, then start it again`,
        outage('broker', () => infrastructure.stopKafka()),
      );
    },
    SCENARIO_LIMIT_MS,
  );

  it(
    'answers 503 with Retry-After while PostgreSQL is stopped, never 2xx for what it did not store, and loses nothing',
    async () => {
      const load = await underLoad(
        'PostgreSQL stopped',
        `stop PostgreSQL (fast shutdown) for ${seconds(PROFILE.faultMs)} s, then start it again`,
        outage('database', () => infrastructure.stopPostgres()),
      );
      // Intake was asked to store complaints while its database was down, and said so.
      expect(load.responses['503'] ?? 0).toBeGreaterThan(0);
    },
    SCENARIO_LIMIT_MS,
  );

  const slow = process.env.FAULTS_SLOW_RATE ?? '64kbit';
  const netFaults: { name: string; target: LinkTarget; fault: { partition: true } | { rate: string }; what: string }[] =
    [
      {
        name: 'partition',
        target: 'kafka',
        fault: { partition: true },
        what: 'a queue of 0 packets: every packet dropped',
      },
      {
        name: 'partition',
        target: 'postgres',
        fault: { partition: true },
        what: 'a queue of 0 packets: every packet dropped',
      },
      { name: 'slow link', target: 'kafka', fault: { rate: slow }, what: `${slow} each way` },
      { name: 'slow link', target: 'postgres', fault: { rate: slow }, what: `${slow} each way` },
    ];
  for (const { name, target, fault, what } of netFaults) {
    const other = target === 'kafka' ? 'Kafka' : 'PostgreSQL';
    it(
      `loses and doubles nothing with a ${name} between ${ISOLATED} alone and ${other}`,
      async () => {
        await underLoad(
          `${name}: ${ISOLATED} ↔ ${other}`,
          `tc (HTB class + u32 filter on ${other}'s port) on both ends of ${ISOLATED}'s veth: ${what}, for ${seconds(PROFILE.faultMs)} s`,
          impaired(target, fault),
        );
      },
      SCENARIO_LIMIT_MS,
    );
  }

  it(
    "loses and doubles nothing when the broker's disk fills up",
    async () => {
      await underLoad(
        "broker's disk full",
        `fill the broker's log directory (a ${BROKER_DISK_MB} MB tmpfs) to the last byte for ${seconds(PROFILE.faultMs)} s, then free it and start the broker again if it stopped`,
        lasting(
          async () => [`filled ${Math.round((await infrastructure.fillBrokerDisk()) / 2 ** 20)} MB`],
          async () => {
            const exitedBefore = !infrastructure.kafkaRunning();
            const stoppedItself = await infrastructure.freeBrokerDisk();
            await infrastructure.up();
            return [
              exitedBefore
                ? 'the broker had exited (its log directory failed) before the disk was freed; started again'
                : stoppedItself
                  ? 'the broker shut itself down (its log directory failed) as the disk was freed; started again'
                  : 'the broker was still running when the disk was freed',
            ];
          },
        ),
      );
    },
    SCENARIO_LIMIT_MS,
  );

  it(
    "loses and doubles nothing when one instance's clock jumps an hour ahead and back",
    async () => {
      const jumped: Instance = 'resolution-2';
      const hour = 3_600_000;
      await underLoad(
        `clock jump: ${jumped}`,
        `move ${jumped}'s clock (TEST_CLOCK=enabled, \`PUT /test/clock\`; the other instances keep theirs) an hour ahead, and after ${seconds(PROFILE.faultMs)} s back`,
        lasting(
          async () => [`${jumped} read ${await platform.moveClock(jumped, hour)} after the jump`],
          async () => [`${jumped} read ${await platform.moveClock(jumped, -hour)} after the jump back`],
        ),
      );
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
          lasting(
            async () => undefined,
            async () => undefined,
          ),
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
        lasting(
          async () => {
            await publishPoison(platform, poison);
            unpublishable = await platform.storeUnpublishableRoutingDecision();
          },
          async () => undefined,
        ),
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

  if (FULL) {
    it(`ran at the full profile's scale: at least ${PROFILE.minComplaints} complaints, at least ${PROFILE.rate} per second`, () => {
      expect(totalAccepted).toBeGreaterThanOrEqual(PROFILE.minComplaints);
      expect(totalSent / (totalSendingMs / 1000)).toBeGreaterThanOrEqual(PROFILE.rate * 0.95);
    });
  }
});
