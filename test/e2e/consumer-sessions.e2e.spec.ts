/**
 * How long a service's partitions stall when one of its instances goes: a process stopped with
 * SIGTERM leaves its consumer group on the way out, so another member takes its partitions at
 * once; one killed with SIGKILL says nothing, and the group waits KAFKA_SESSION_TIMEOUT_MS for it.
 * The other member here is a bare kafkajs consumer in resolution's group, which tells the moment
 * it is given every partition of the topic resolution consumes.
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { prefixed, Topics } from '@complaints/contracts';
import { KafkaTransport } from '@complaints/messaging';
import { createTestDatabase, eventually, requireEnv, uniqueSuffix, type TestDatabase } from '../support/database';
import { freePort, startService, waitUntilReady, type RunningProcess } from '../support/processes';

const PARTITIONS = 4;

describe("a resolution instance's partitions when it goes", () => {
  let testDb: TestDatabase;
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    testDb = await createTestDatabase('sessions');
  });
  afterEach(async () => {
    for (const stop of cleanup.splice(0).reverse()) await stop().catch(() => undefined);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  /** Starts resolution and a second member of its group; resolves once both hold partitions. */
  async function twoMembers(sessionTimeoutMs: number) {
    const prefix = `sess${uniqueSuffix()}`;
    const topic = prefixed(prefix, Topics.routing);
    const brokers = requireEnv('KAFKA_BROKERS').split(',');
    const transport = new KafkaTransport({ brokers, clientId: 'sessions-test', partitions: PARTITIONS });
    cleanup.push(() => transport.close());
    await transport.ensureTopics([topic]);
    const port = freePort();
    const service: RunningProcess = startService('resolution', {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: testDb.url,
      RESOLUTION_DB_SCHEMA: `resolution_${prefix}`,
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_PARTITIONS: String(PARTITIONS),
      TOPIC_PREFIX: prefix,
      KAFKA_SESSION_TIMEOUT_MS: String(sessionTimeoutMs),
      KAFKA_HEARTBEAT_INTERVAL_MS: '500',
      INSTANCE_ID: 'resolution-under-test',
      LOG_LEVEL: 'log',
      SLA_MONITOR: 'off',
    });
    cleanup.push(() => service.stop('SIGKILL'));
    await waitUntilReady(service, `http://127.0.0.1:${port}`);

    // The other member: a long session of its own (it stays), and it consumes nothing.
    const consumer: Consumer = new Kafka({ clientId: 'other-member', brokers, logLevel: logLevel.NOTHING }).consumer({
      groupId: prefixed(prefix, 'resolution'),
      sessionTimeout: 30_000,
      heartbeatInterval: 500,
    });
    cleanup.push(() => consumer.disconnect());
    let assigned: { at: number; partitions: number } = { at: 0, partitions: 0 };
    consumer.on(consumer.events.GROUP_JOIN, ({ payload, timestamp }) => {
      assigned = { at: timestamp, partitions: payload.memberAssignment[topic]?.length ?? 0 };
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({ eachMessage: () => new Promise(() => undefined) });
    await eventually(
      'the partitions shared by both members',
      async () => (assigned.partitions > 0 && assigned.partitions < PARTITIONS ? true : undefined),
      60_000,
    );
    return {
      service,
      takenOverAt: async () => {
        await eventually(
          'every partition with the other member',
          async () => (assigned.partitions === PARTITIONS ? assigned.at : undefined),
          60_000,
        );
        return assigned.at;
      },
    };
  }

  it('are taken over within seconds of a SIGTERM: the stopping service leaves its group', async () => {
    // A session far longer than the wait allowed: only leaving the group explains a quick takeover.
    const { service, takenOverAt } = await twoMembers(60_000);
    await service.stop('SIGTERM');
    const exitedAt = Date.now();
    expect(await service.exited).toBe(0);
    const stall = (await takenOverAt()) - exitedAt;
    process.stdout.write(`partitions stalled ${stall} ms after resolution's SIGTERM exit (session 60 s)\n`);
    expect(stall).toBeLessThan(5_000);

    // Its log lines name the instance; the rebalances it went through are no errors or warnings.
    const lines = service
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; service?: string; instance?: string; message?: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.service !== 'resolution' || l.instance !== 'resolution-under-test')).toEqual([]);
    expect(lines.filter((l) => l.level >= 40 && /rebalanc|re-?join/i.test(JSON.stringify(l)))).toEqual([]);
  }, 180_000);

  it('stall for KAFKA_SESSION_TIMEOUT_MS after a SIGKILL, not a fixed 15 s', async () => {
    const { service, takenOverAt } = await twoMembers(6_000);
    await service.stop('SIGKILL');
    const killedAt = Date.now();
    const stall = (await takenOverAt()) - killedAt;
    process.stdout.write(`partitions stalled ${stall} ms after resolution's SIGKILL (session 6 s)\n`);
    expect(stall).toBeGreaterThanOrEqual(3_000); // the group waited for the session to lapse
    expect(stall).toBeLessThan(11_000);
  }, 180_000);
});
