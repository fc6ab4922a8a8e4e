import { eventStoreMigrations, openDatabase, type Database } from '@complaints/eventstore';
import { createTestDatabase, eventually, type TestDatabase } from '../../../test/support/database';
import { receivedEnvelope } from '../../../test/fixtures/events';
import { embeddedBusMigrations, PostgresTransport, startConsumer } from './index';

describe('the embedded (PostgreSQL) transport', () => {
  let testDb: TestDatabase;
  const opened: Database[] = [];
  const openBus = async () => {
    const db = await openDatabase({ url: testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
    opened.push(db);
    return db;
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('embedded_bus');
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    await testDb?.drop();
  });

  it('delivers every message in per-key order and resumes from its checkpoint after a restart', async () => {
    const publisher = new PostgresTransport(await openBus());
    const sent = Array.from({ length: 300 }, (_, seq) => ({ key: `k${seq % 10}`, seq }));
    await publisher.publish(sent.map((m) => ({ topic: 'orders', key: m.key, value: JSON.stringify(m), headers: {} })));

    const seen: { key: string; seq: number }[] = [];
    const first = new PostgresTransport(await openBus(), { batchSize: 10 });
    const subscription = await first.subscribe({
      groupId: 'g1',
      topics: ['orders'],
      onMessage: async (m) => {
        seen.push(JSON.parse(m.value));
        await new Promise((r) => setTimeout(r, 5)); // slow enough to be stopped part-way
      },
    });
    await eventually('a third of the messages', async () => (seen.length >= 100 ? true : undefined));
    await subscription.stop();
    await first.close();
    const beforeRestart = seen.length;
    expect(beforeRestart).toBeLessThan(300);

    // A new process: a new transport on a new connection continues where the group stopped.
    const second = new PostgresTransport(await openBus());
    const resumed: { key: string; seq: number }[] = [];
    const again = await second.subscribe({
      groupId: 'g1',
      topics: ['orders'],
      onMessage: async (m) => {
        resumed.push(JSON.parse(m.value));
      },
    });
    await eventually('the rest', async () => (beforeRestart + resumed.length >= 300 ? true : undefined));
    await again.stop();

    expect(resumed[0]?.seq).toBe(seen[seen.length - 1]!.seq + 1);
    const all = [...seen, ...resumed];
    expect(all.map((m) => m.seq)).toEqual(sent.map((m) => m.seq));
  });

  it('reads in transaction order where a transaction id gains a digit (as text, 1000 sorts before 999)', async () => {
    const bus = await openDatabase({ url: testDb.url, schema: 'bus_order', migrations: embeddedBusMigrations });
    opened.push(bus);
    await bus.query(
      `INSERT INTO bus_messages (position, transaction_id, topic, key, value, headers)
       VALUES (1, '999', 'ordered', 'a', '{}', '{}'), (2, '1000', 'ordered', 'b', '{}', '{}')`,
    );
    const transport = new PostgresTransport(bus, { batchSize: 1 });
    const consumed: string[] = [];
    const subscription = await transport.subscribe({
      groupId: 'ordered',
      topics: ['ordered'],
      onMessage: async (m) => void consumed.push(m.key),
    });
    await eventually('both messages', async () => (consumed.length >= 2 ? true : undefined));
    await subscription.stop();
    const replayed: string[] = [];
    await (
      await transport.history(['ordered'])
    ).read(async (messages) => void replayed.push(...messages.map((m) => m.key)));
    expect({ consumed, replayed }).toEqual({ consumed: ['a', 'b'], replayed: ['a', 'b'] });
  });

  it('wakes an idle consumer when this process publishes, instead of waiting out its poll interval', async () => {
    const transport = new PostgresTransport(await openBus(), { pollIntervalMs: 10 * 60_000 });
    const seen: string[] = [];
    const subscription = await transport.subscribe({
      groupId: 'woken',
      topics: ['wake'],
      onMessage: async (m) => {
        seen.push(m.key);
      },
    });
    try {
      const publish = (key: string) => transport.publish([{ topic: 'wake', key, value: '{}', headers: {} }]);
      await publish('first');
      await eventually('the first message, the consumer then idle', async () => (seen.length > 0 ? true : undefined));
      // Each check publishes again in case a transaction elsewhere on the server held a read back.
      let nudges = 0;
      await eventually('the second message', async () => {
        if (seen.includes('second')) return true;
        await publish(nudges++ === 0 ? 'second' : 'nudge');
        return undefined;
      });
    } finally {
      await subscription.stop();
      await transport.close();
    }
  });

  it('dead-letters a poison message with its reason and carries on', async () => {
    const bus = await openBus();
    const transport = new PostgresTransport(bus);
    const consumerDb = await openDatabase({ url: testDb.url, schema: 'consumer', migrations: eventStoreMigrations });
    opened.push(consumerDb);
    const good = receivedEnvelope();
    await transport.publish([
      { topic: 'complaints', key: good.subject, value: '{"not":"an event"}', headers: {} },
      { topic: 'complaints', key: good.subject, value: JSON.stringify(good), headers: {} },
    ]);
    const handled: string[] = [];
    const subscription = await startConsumer({
      transport,
      db: consumerDb,
      groupId: 'poison',
      topics: ['complaints'],
      handle: async (event) => {
        handled.push(event.id);
      },
      logger: { warn: () => undefined, error: () => undefined },
    });
    await eventually('the good event', async () => (handled.length > 0 ? true : undefined));
    await subscription.stop();
    expect(handled).toEqual([good.id]);
    const dead = await bus.query<{ value: string; headers: Record<string, string> }>(
      "SELECT value, headers FROM bus_messages WHERE topic = 'complaints.dlt'",
    );
    expect(dead.rows).toHaveLength(1);
    expect(dead.rows[0]?.value).toBe('{"not":"an event"}');
    expect(dead.rows[0]?.headers['dlt-reason']).toMatch(/Invalid event envelope/);
  });

  it('applies a batch in one transaction, and on a failure handles it message by message, dead-lettering only the faulty one', async () => {
    const bus = await openBus();
    const transport = new PostgresTransport(bus);
    const consumerDb = await openDatabase({ url: testDb.url, schema: 'batching', migrations: eventStoreMigrations });
    opened.push(consumerDb);
    await consumerDb.query('CREATE TABLE effects (event_id uuid PRIMARY KEY)');
    const events = Array.from({ length: 20 }, () => receivedEnvelope());
    const faulty = events[7]!;
    await transport.publish(
      events.map((e) => ({ topic: 'batched', key: e.subject, value: JSON.stringify(e), headers: {} })),
    );
    const batchSizes: number[] = [];
    const effect = async (id: string, tx: { query: Database['query'] }) => {
      if (id === faulty.id) throw new Error('this event cannot be applied');
      await tx.query('INSERT INTO effects (event_id) VALUES ($1)', [id]);
    };
    const subscription = await startConsumer({
      transport,
      db: consumerDb,
      groupId: 'batching',
      topics: ['batched'],
      maxAttempts: 2,
      backoffMs: 1,
      handle: (event, tx) => effect(event.id, tx),
      handleBatch: async (batch, tx) => {
        batchSizes.push(batch.length);
        for (const event of batch) await effect(event.id, tx);
      },
      logger: { warn: () => undefined, error: () => undefined },
    });
    await eventually('the faulty event dead-lettered', async () => {
      const dead = await bus.query("SELECT 1 FROM bus_messages WHERE topic = 'batched.dlt'");
      return dead.rowCount === 1 ? true : undefined;
    });
    await subscription.stop();
    expect(batchSizes).toEqual([20]);
    const applied = await consumerDb.query<{ event_id: string }>('SELECT event_id FROM effects');
    expect(applied.rows.map((r) => r.event_id).sort()).toEqual(
      events
        .filter((e) => e !== faulty)
        .map((e) => e.id)
        .sort(),
    );
    const dead = await bus.query<{ headers: Record<string, string> }>(
      "SELECT headers FROM bus_messages WHERE topic = 'batched.dlt'",
    );
    expect(dead.rows[0]?.headers['dlt-reason']).toMatch(/cannot be applied/);
  });

  it('deletes an ephemeral subscription’s group when it stops or the transport closes, and keeps a shared one', async () => {
    const db = await openBus();
    const groups = async () =>
      (await db.query<{ group_id: string }>(`SELECT group_id FROM bus_offsets WHERE group_id LIKE 'eph-%'`)).rows
        .map((r) => r.group_id)
        .sort();
    const transport = new PostgresTransport(db);
    const onMessage = () => Promise.resolve();
    const own = await transport.subscribe({ groupId: 'eph-own', topics: ['policy'], onMessage, ephemeral: true });
    await transport.subscribe({ groupId: 'eph-closed', topics: ['policy'], onMessage, ephemeral: true });
    const shared = await transport.subscribe({ groupId: 'eph-shared', topics: ['policy'], onMessage });
    await eventually('the three groups registered', async () => ((await groups()).length === 3 ? true : undefined));

    await own.stop();
    expect(await groups()).toEqual(['eph-closed', 'eph-shared']);
    await shared.stop();
    await transport.close();
    expect(await groups()).toEqual(['eph-shared']);
  });
});
