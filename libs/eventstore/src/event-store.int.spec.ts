import { randomUUID } from 'node:crypto';
import { createTestDatabase, eventually, type TestDatabase } from '../../../test/support/database';
import { complaintReceivedData, metadata } from '../../../test/fixtures/events';
import { embeddedBusMigrations, isInfrastructureFailure, OutboxRelay, PostgresTransport } from '@complaints/messaging';
import {
  EventStore,
  LOG_START,
  StreamVersionConflict,
  eventStoreMigrations,
  openDatabase,
  type Database,
  type NewEvent,
} from './index';

const event = (type = 'ComplaintReceived', data: unknown = { n: 1 }): NewEvent => ({
  eventId: randomUUID(),
  type,
  data,
  metadata: metadata(),
});

describe('the PostgreSQL event store', () => {
  let testDb: TestDatabase;
  let db: Database;
  const store = new EventStore();

  beforeAll(async () => {
    testDb = await createTestDatabase('eventstore');
    db = await openDatabase({ url: testDb.url, schema: 'store_test', migrations: eventStoreMigrations });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('appends to a stream and reads it back in version order', async () => {
    const stream = `s-${randomUUID()}`;
    await db.transaction((tx) => store.append(tx, stream, 0, [event('A'), event('B')]));
    await db.transaction((tx) => store.append(tx, stream, 2, [event('C')]));
    const read = await store.readStream(db, stream);
    expect(read.map((e) => [e.type, e.streamVersion])).toEqual([
      ['A', 1],
      ['B', 2],
      ['C', 3],
    ]);
    expect(read[0]?.metadata.actor).toEqual({ id: 'test', role: 'agent' });
  });

  it('reads committed events in transaction order, also where a transaction id gains a digit', async () => {
    // As text, transaction 1000 sorts before 999: a reader in text order would hand out 1000's
    // event first, move past it, and never return 999's.
    const ordered = await openDatabase({ url: testDb.url, schema: 'commit_order', migrations: eventStoreMigrations });
    try {
      await ordered.query(
        `INSERT INTO events (global_position, transaction_id, event_id, stream_id, stream_version, type, data, metadata)
         VALUES (1, '999', $1, 's-a', 1, 'A', '{}', $3), (2, '1000', $2, 's-b', 1, 'B', '{}', $3)`,
        [randomUUID(), randomUUID(), JSON.stringify(metadata())],
      );
      const seen: string[] = [];
      for (let from = LOG_START; ;) {
        const [next] = await store.readCommitted(ordered, from, 1);
        if (!next) break;
        seen.push(`${next.type}@${next.transactionId}`);
        from = { transactionId: next.transactionId, globalPosition: next.globalPosition };
      }
      expect(seen).toEqual(['A@999', 'B@1000']);
    } finally {
      await ordered.close();
    }
  });

  it('refuses an append at a stale expected version and writes nothing', async () => {
    const stream = `s-${randomUUID()}`;
    await db.transaction((tx) => store.append(tx, stream, 0, [event()]));
    await expect(db.transaction((tx) => store.append(tx, stream, 0, [event()]))).rejects.toBeInstanceOf(
      StreamVersionConflict,
    );
    expect(await store.readStream(db, stream)).toHaveLength(1);
  });

  it('lets exactly one of two concurrent writers at the same version win', async () => {
    const stream = `s-${randomUUID()}`;
    // Writer A appends and holds its transaction open until writer B is blocked behind it.
    const a = await db.session();
    await a.query('BEGIN');
    await store.append(a, stream, 0, [event('FromA')]);
    const b = db.transaction((tx) => store.append(tx, stream, 0, [event('FromB')]));
    await new Promise((r) => setTimeout(r, 300));
    await a.query('COMMIT');
    await a.release();
    await expect(b).rejects.toBeInstanceOf(StreamVersionConflict);
    expect((await store.readStream(db, stream)).map((e) => e.type)).toEqual(['FromA']);
  });

  it('has exactly one winner among ten racing writers', async () => {
    const stream = `s-${randomUUID()}`;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => db.transaction((tx) => store.append(tx, stream, 0, [event(`W${i}`)]))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failures).toHaveLength(9);
    for (const failure of failures) expect(failure.reason).toBeInstanceOf(StreamVersionConflict);
    expect(await store.readStream(db, stream)).toHaveLength(1);
  });

  it('reports a connection the server ended mid-transaction as an outage on every later query, never as a bug', async () => {
    const failures: unknown[] = [];
    const outcome = await db
      .transaction(async (tx) => {
        await tx.query('SELECT pg_terminate_backend(pg_backend_pid())').catch((error: unknown) => failures.push(error));
        // Let the driver see the connection end: TypeORM then releases the query runner under us.
        await new Promise((r) => setTimeout(r, 200));
        await tx.query('SELECT 1');
      })
      .then(
        () => 'committed',
        (error: unknown) => failures.push(error),
      );
    expect(outcome).not.toBe('committed');
    expect(failures).toHaveLength(2);
    expect(failures.filter((error) => !isInfrastructureFailure(error))).toEqual([]);
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});

describe('the outbox relay', () => {
  let testDb: TestDatabase;
  let db: Database;
  let busDb: Database;
  const store = new EventStore();

  beforeAll(async () => {
    testDb = await createTestDatabase('relay');
    db = await openDatabase({ url: testDb.url, schema: 'relay_test', migrations: eventStoreMigrations });
    busDb = await openDatabase({ url: testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
  });
  afterAll(async () => {
    await db?.close();
    await busDb?.close();
    await testDb?.drop();
  });

  /** A relay publishing every stored event as a complaint.received.v1 onto the embedded bus. */
  const receivedRelay = (name: string, logger?: { error: (line: string) => void }, pollIntervalMs?: number) =>
    new OutboxRelay({
      db,
      transport: new PostgresTransport(busDb),
      name,
      source: '/test',
      map: (stored) => [
        {
          type: 'complaint.received.v1',
          subject: (stored.data as { complaintId: string }).complaintId,
          data: stored.data,
        },
      ],
      ...(logger ? { logger } : {}),
      ...(pollIntervalMs ? { pollIntervalMs } : {}),
    });

  it('publishes a late-committing row that a later row overtook, in commit order', async () => {
    const relay = receivedRelay('late-commit');
    const early = randomUUID();
    const late = randomUUID();
    // Transaction 1 takes the lower global position but stays open ...
    const slow = await db.session();
    await slow.query('BEGIN');
    await store.append(slow, `complaint-${early}`, 0, [event('ComplaintReceived', complaintReceivedData(early))]);
    // ... while transaction 2 takes a higher position and commits first.
    await db.transaction((tx) =>
      store.append(tx, `complaint-${late}`, 0, [event('ComplaintReceived', complaintReceivedData(late))]),
    );
    // The relay must not move past the open transaction (that is how rows get skipped).
    expect(await relay.relayOnce()).toBe(0);
    await slow.query('COMMIT');
    await slow.release();
    const positions = await db.query<{ stream_id: string }>('SELECT stream_id FROM events ORDER BY global_position');
    expect(positions.rows.map((r) => r.stream_id)).toEqual([`complaint-${early}`, `complaint-${late}`]);
    // Transactions elsewhere on the server can hold the snapshot's xmin back for a moment.
    let relayed = 0;
    await eventually('both rows relayed', async () => ((relayed += await relay.relayOnce()) >= 2 ? true : undefined));
    expect(relayed).toBe(2);
    expect(await relay.relayOnce()).toBe(0);

    const published = await busDb.query<{ key: string }>('SELECT key FROM bus_messages ORDER BY position');
    expect(published.rows.map((r) => r.key)).toEqual([early, late]);
  });
  it('dead-letters a stored event that fails its contract, with the reason, and publishes the events after it', async () => {
    const errors: string[] = [];
    const relay = receivedRelay('bad-stored-event', { error: (line: string) => errors.push(line) });
    await eventually('the relay caught up with the earlier tests', async () =>
      (await relay.relayOnce()) === 0 ? true : undefined,
    );
    const bad = randomUUID();
    const good = randomUUID();
    await db.transaction((tx) =>
      store.append(tx, `complaint-${bad}`, 0, [
        event('ComplaintReceived', { ...complaintReceivedData(bad), channel: 'carrier-pigeon' }),
      ]),
    );
    await db.transaction((tx) =>
      store.append(tx, `complaint-${good}`, 0, [event('ComplaintReceived', complaintReceivedData(good))]),
    );
    let relayed = 0;
    await eventually('both rows relayed', async () => ((relayed += await relay.relayOnce()) >= 2 ? true : undefined));

    const published = await busDb.query<{ topic: string; key: string; headers: Record<string, string> }>(
      'SELECT topic, key, headers FROM bus_messages WHERE key = ANY($1) ORDER BY position',
      [[bad, good]],
    );
    expect(published.rows.map((r) => [r.topic, r.key])).toEqual([
      ['complaints.intake.v1.dlt', bad],
      ['complaints.intake.v1', good],
    ]);
    expect(published.rows[0]?.headers).toMatchObject({
      'dlt-consumer-group': 'outbox-relay',
      'dlt-original-topic': 'complaints.intake.v1',
      'dlt-reason': expect.stringMatching(/Invalid complaint\.received\.v1 payload: data\.channel/),
    });
    expect(errors).toEqual([expect.stringContaining(`dead-lettering stored event`)]);
  });

  it('is woken by a commit of its own process instead of waiting out its poll interval', async () => {
    const relay = receivedRelay('woken', undefined, 10 * 60_000);
    relay.start();
    try {
      const append = async () => {
        const id = randomUUID();
        await db.transaction((tx) =>
          store.append(tx, `complaint-${id}`, 0, [event('ComplaintReceived', complaintReceivedData(id))]),
        );
        return id;
      };
      // A transaction elsewhere on the server can hold a read back (pg_snapshot_xmin); each check
      // then commits again (an empty transaction): any commit of this process wakes the relay.
      const published = (id: string) =>
        eventually(`${id} published`, async () => {
          if ((await busDb.query('SELECT 1 FROM bus_messages WHERE key = $1', [id])).rowCount > 0) return true;
          await db.transaction(async () => undefined);
          return undefined;
        });
      await published(await append()); // caught up, then idle
      await published(await append());
    } finally {
      await relay.stop();
    }
  });
});
