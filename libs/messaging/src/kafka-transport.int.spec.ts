import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { eventStoreMigrations, openDatabase, type Database } from '@complaints/eventstore';
import {
  createTestDatabase,
  eventually,
  requireEnv,
  uniqueSuffix,
  type TestDatabase,
} from '../../../test/support/database';
import { receivedEnvelope } from '../../../test/fixtures/events';
import { KafkaTransport, startConsumer, type IncomingMessage, type Subscription } from './index';

const brokers = () => requireEnv('KAFKA_BROKERS').split(',');

describe('the Kafka transport on a real broker', () => {
  let transport: KafkaTransport;
  let testDb: TestDatabase;
  let db: Database;
  const subscriptions: Subscription[] = [];

  beforeAll(async () => {
    transport = new KafkaTransport({
      brokers: brokers(),
      clientId: 'kafka-int-test',
      partitions: 6,
      sessionTimeout: 6000,
    });
    testDb = await createTestDatabase('kafka');
    db = await openDatabase({
      url: testDb.url,
      schema: 'consumer_test',
      migrations: [
        ...eventStoreMigrations,
        { name: 'Effects1763800009000', up: 'CREATE TABLE effects (id bigserial PRIMARY KEY, event_id uuid NOT NULL)' },
      ],
    });
  });
  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
  });
  afterAll(async () => {
    await transport?.close();
    await db?.close();
    await testDb?.drop();
  });

  it('keeps per-key order across 1,000 events on 6 partitions', async () => {
    const topic = `order-${uniqueSuffix()}`;
    await transport.ensureTopics([topic]);
    const keys = Array.from({ length: 40 }, (_, i) => `complaint-${i}`);
    const sent = Array.from({ length: 1000 }, (_, n) => ({ key: keys[n % keys.length]!, seq: n }));
    for (let i = 0; i < sent.length; i += 100) {
      await transport.publish(
        sent.slice(i, i + 100).map((m) => ({ topic, key: m.key, value: JSON.stringify(m), headers: {} })),
      );
    }
    const received: IncomingMessage[] = [];
    subscriptions.push(
      await transport.subscribe({
        groupId: `g-${topic}`,
        topics: [topic],
        onMessage: async (m) => {
          received.push(m);
        },
      }),
    );
    await eventually('all 1,000 events', async () => (received.length >= 1000 ? true : undefined), 90_000);

    const partitions = new Set(received.map((m) => m.partition));
    expect(partitions.size).toBe(6);
    const byKey = new Map<string, number[]>();
    for (const message of received) {
      const { key, seq } = JSON.parse(message.value) as { key: string; seq: number };
      byKey.set(key, [...(byKey.get(key) ?? []), seq]);
    }
    expect(byKey.size).toBe(keys.length);
    for (const [key, seqs] of byKey) {
      const expected = sent.filter((m) => m.key === key).map((m) => m.seq);
      expect({ key, seqs }).toEqual({ key, seqs: expected });
    }
  }, 120_000);

  it('changes nothing when a consumer dies after its database commit but before its offset commit', async () => {
    const topic = `crash-${uniqueSuffix()}`;
    const group = `g-${topic}`;
    await transport.ensureTopics([topic]);
    const complaintId = '0190a1b2-0000-7000-8000-00000000c0de';
    const first = receivedEnvelope(complaintId);
    await transport.publish([{ topic, key: complaintId, value: JSON.stringify(first), headers: {} }]);

    const child = spawn(process.execPath, [join(__dirname, '../../../test/support/crashing-consumer.js')], {
      env: { ...process.env, DATABASE_URL: testDb.url, TOPIC: topic, GROUP: group, SCHEMA: 'consumer_test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
    expect({ signal, output }).toEqual({ signal: 'SIGKILL', output: expect.stringContaining('effect committed') });
    expect((await db.query('SELECT 1 FROM effects WHERE event_id = $1', [first.id])).rowCount).toBe(1);

    // The offset was never committed, so the group gets the same event again, then a new one.
    const second = receivedEnvelope(complaintId);
    await transport.publish([{ topic, key: complaintId, value: JSON.stringify(second), headers: {} }]);
    const delivered: string[] = [];
    subscriptions.push(
      await startConsumer({
        transport,
        db,
        groupId: group,
        topics: [topic],
        handle: async (event, tx) => {
          await tx.query('INSERT INTO effects (event_id) VALUES ($1)', [event.id]);
        },
        afterCommit: (event) => {
          delivered.push(event.id);
        },
      }),
    );
    await eventually('the second event', async () => (delivered.includes(second.id) ? true : undefined), 60_000);

    expect(delivered).toEqual([first.id, second.id]);
    const effects = await db.query<{ event_id: string }>(
      'SELECT event_id FROM effects WHERE event_id = ANY($1) ORDER BY id',
      [[first.id, second.id]],
    );
    expect(effects.rows.map((r) => r.event_id)).toEqual([first.id, second.id]);
  }, 120_000);

  it('sends a poison message to the dead-letter topic with the reason and processes the next one', async () => {
    const topic = `poison-${uniqueSuffix()}`;
    await transport.ensureTopics([topic]);
    const complaintId = '0190a1b2-0000-7000-8000-00000000beef';
    const bad = receivedEnvelope(complaintId, { data: { complaintId, reference: 42 } });
    const good = receivedEnvelope(complaintId);
    await transport.publish([
      { topic, key: complaintId, value: 'this is not json', headers: { origin: 'test' } },
      { topic, key: complaintId, value: JSON.stringify(bad), headers: { origin: 'test' } },
      { topic, key: complaintId, value: JSON.stringify(good), headers: {} },
    ]);
    const handled: string[] = [];
    subscriptions.push(
      await startConsumer({
        transport,
        db,
        groupId: `g-${topic}`,
        topics: [topic],
        handle: async (event) => {
          handled.push(event.id);
        },
        logger: { warn: () => undefined, error: () => undefined },
      }),
    );
    await eventually('the good event', async () => (handled.includes(good.id) ? true : undefined), 60_000);
    expect(handled).toEqual([good.id]);

    const dead: { value: string; headers: Record<string, string> }[] = [];
    const kafka = new Kafka({ clientId: 'dlt-reader', brokers: brokers(), logLevel: logLevel.NOTHING });
    const reader = kafka.consumer({ groupId: `dlt-${topic}` });
    await reader.connect();
    await reader.subscribe({ topic: `${topic}.dlt`, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        dead.push({
          value: message.value?.toString() ?? '',
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        });
      },
    });
    try {
      await eventually('two dead letters', async () => (dead.length >= 2 ? true : undefined), 60_000);
    } finally {
      await reader.disconnect();
    }
    expect(dead.map((d) => d.value)).toEqual(['this is not json', JSON.stringify(bad)]);
    expect(dead[0]?.headers).toMatchObject({
      origin: 'test',
      'dlt-original-topic': topic,
      'dlt-reason': expect.stringContaining('Unparseable'),
    });
    expect(dead[1]?.headers['dlt-reason']).toMatch(/Invalid complaint.received.v1 payload: data.reference/);
  }, 120_000);

  it('deletes an ephemeral subscription’s consumer group when it stops or the transport closes, and keeps a shared one', async () => {
    const topic = `ephemeral-${uniqueSuffix()}`;
    const [own, closed, shared] = ['own', 'closed', 'shared'].map((name) => `${topic}-${name}`) as [
      string,
      string,
      string,
    ];
    const other = new KafkaTransport({ brokers: brokers(), clientId: 'kafka-int-ephemeral', sessionTimeout: 6000 });
    await other.ensureTopics([topic]);
    const seen = new Set<string>();
    const onMessage = async (m: IncomingMessage) => void seen.add(m.value);
    const ownSubscription = await other.subscribe({ groupId: own, topics: [topic], onMessage, ephemeral: true });
    await other.subscribe({ groupId: closed, topics: [topic], onMessage, ephemeral: true });
    const sharedSubscription = await other.subscribe({ groupId: shared, topics: [topic], onMessage });
    await other.publish([{ topic, key: 'k', value: 'v', headers: {} }]);
    await eventually('every group consumed', async () => (seen.has('v') ? true : undefined));

    const admin = new Kafka({ brokers: brokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const groupsOf = async () =>
      (await admin.listGroups()).groups
        .map((g) => g.groupId)
        .filter((g) => g.startsWith(topic))
        .sort();
    try {
      await eventually('the three groups exist', async () => ((await groupsOf()).length === 3 ? true : undefined));
      await ownSubscription.stop();
      expect(await groupsOf()).toEqual([closed, shared]);
      await sharedSubscription.stop();
      await other.close();
      expect(await groupsOf()).toEqual([shared]);
    } finally {
      await admin.deleteGroups([shared]).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
