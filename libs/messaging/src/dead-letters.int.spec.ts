import { openDatabase, type Database } from '@complaints/eventstore';
import {
  createTestDatabase,
  eventually,
  requireEnv,
  uniqueSuffix,
  type TestDatabase,
} from '../../../test/support/database';
import {
  embeddedBusMigrations,
  KafkaTransport,
  listDeadLetters,
  PostgresTransport,
  replayDeadLetters,
  type IncomingMessage,
  type Transport,
} from './index';

/** A dead letter as a consumer writes it: the original message plus the `dlt-*` headers. */
const deadLetter = (topic: string, key: string, value: string, offset: number) => ({
  topic: `${topic}.dlt`,
  key,
  value,
  headers: {
    ce_id: `id-${key}`,
    origin: 'test',
    'dlt-reason': 'handler failed',
    'dlt-original-topic': topic,
    'dlt-original-partition': '0',
    'dlt-original-offset': String(offset),
    'dlt-consumer-group': 'routing',
    'dlt-attempts': '5',
    'dlt-failed-at': new Date().toISOString(),
  },
});

async function readTopic(transport: Transport, topic: string): Promise<IncomingMessage[]> {
  const reader = await transport.history([topic]);
  const messages: IncomingMessage[] = [];
  await reader.read(async (batch) => void messages.push(...batch));
  return messages;
}

let testDb: TestDatabase;
let bus: Database;
beforeAll(async () => {
  testDb = await createTestDatabase('dead_letters');
  bus = await openDatabase({ url: testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
});
afterAll(async () => {
  await bus?.close();
  await testDb?.drop();
});

describe.each([
  [
    'Kafka (real broker)',
    () => new KafkaTransport({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId: 'dlt-test', partitions: 1 }),
  ],
  ['embedded (PostgreSQL)', () => new PostgresTransport(bus)],
])('dead letters on the %s transport', (_name, open) => {
  let transport: Transport;
  let topic: string;
  beforeAll(async () => {
    transport = open();
    topic = `dlt-test-${uniqueSuffix()}`;
    await transport.ensureTopics([topic]);
    await transport.publish([deadLetter(topic, 'k1', '{"n":1}', 7), deadLetter(topic, 'k2', '{"n":2}', 8)]);
  });
  afterAll(async () => {
    if (transport instanceof KafkaTransport) await transport.close();
  });

  it('lists them with their reason and replays one to its topic without the dlt-* headers', async () => {
    // The embedded bus shows a message once every older transaction on the (shared) server ended.
    const listed = await eventually('both dead letters', async () => {
      const letters = await listDeadLetters(transport, topic);
      return letters.length === 2 ? letters : undefined;
    });
    expect(listed.map((d) => [d.key, d.reason, d.replayed])).toEqual([
      ['k1', 'handler failed', false],
      ['k2', 'handler failed', false],
    ]);
    const result = await replayDeadLetters(transport, topic, [listed[1]!.id, '9/999']);
    expect(result).toEqual({ replayed: [listed[1]!.id], alreadyReplayed: [], unknown: ['9/999'] });

    const republished = await readTopic(transport, topic);
    expect(republished).toHaveLength(1);
    expect(republished[0]).toMatchObject({ key: 'k2', value: '{"n":2}' });
    expect(republished[0]!.headers).toEqual({
      ce_id: 'id-k2',
      origin: 'test',
      'dlt-replayed-from': `${topic}.dlt/${listed[1]!.id}`,
    });
  }, 120_000);

  it('publishes each dead letter once however often it is replayed', async () => {
    const first = await replayDeadLetters(transport, topic);
    expect(first.replayed).toHaveLength(1);
    expect(first.alreadyReplayed).toHaveLength(1);
    const again = await replayDeadLetters(transport, topic);
    expect(again.replayed).toEqual([]);
    const republished = await readTopic(transport, topic);
    expect(republished.map((m) => m.key).sort()).toEqual(['k1', 'k2']);
    expect((await listDeadLetters(transport, topic)).every((d) => d.replayed)).toBe(true);
  }, 120_000);

  it('lists only what failed since a given time', async () => {
    expect(await listDeadLetters(transport, topic, { since: new Date(Date.now() + 60_000) })).toEqual([]);
  }, 120_000);
});
