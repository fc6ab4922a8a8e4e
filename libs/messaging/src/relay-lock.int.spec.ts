/**
 * The relay's session advisory lock must never go back to the pool: a relay query that fails
 * (here cancelled with pg_cancel_backend) would otherwise hand the lock-holding connection to
 * other work, and no relay could take the lock again while that work holds it.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { EventStore, eventStoreMigrations, openDatabase, type Database, type Session } from '@complaints/eventstore';
import {
  createTestDatabase,
  eventually,
  requireEnv,
  uniqueSuffix,
  type TestDatabase,
} from '../../../test/support/database';
import { complaintReceivedData, metadata } from '../../../test/fixtures/events';
import { KafkaTransport, OutboxRelay } from './index';

describe('the outbox relay after a failed query', () => {
  let testDb: TestDatabase;
  let db: Database;
  let admin: Client;
  let transport: KafkaTransport;
  const store = new EventStore();
  const name = 'lock-test';

  beforeAll(async () => {
    testDb = await createTestDatabase('relaylock');
    // Two connections: the relay's session and one for everything else, as in a busy service.
    db = await openDatabase({ url: testDb.url, schema: 'relay_lock', migrations: eventStoreMigrations, poolSize: 2 });
    admin = new Client({ connectionString: testDb.url });
    await admin.connect();
    transport = new KafkaTransport({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId: 'relay-lock-test' });
  });
  afterAll(async () => {
    await transport?.close();
    await admin?.end();
    await db?.close();
    await testDb?.drop();
  });

  const register = async () => {
    const complaintId = randomUUID();
    await db.transaction((tx) =>
      store.append(tx, `complaint-${complaintId}`, 0, [
        {
          eventId: randomUUID(),
          type: 'ComplaintReceived',
          data: complaintReceivedData(complaintId),
          metadata: metadata(),
        },
      ]),
    );
    return complaintId;
  };
  const checkpointOf = async () =>
    (
      await admin.query<{ p: string }>(
        'SELECT global_position::text AS p FROM relay_lock.outbox_checkpoints WHERE name = $1',
        [name],
      )
    ).rows[0]?.p;
  const positionOf = async (complaintId: string) =>
    (
      await admin.query<{ p: string }>(
        'SELECT global_position::text AS p FROM relay_lock.events WHERE stream_id = $1',
        [`complaint-${complaintId}`],
      )
    ).rows[0]!.p;
  const published = async (complaintId: string) =>
    BigInt((await checkpointOf()) ?? 0) >= BigInt(await positionOf(complaintId));

  it('lets go of its lock when a query is cancelled, so publishing resumes at once', async () => {
    const errors: string[] = [];
    const relay = new OutboxRelay({
      db,
      transport,
      name,
      source: '/test',
      topicPrefix: `relaylock${uniqueSuffix()}`,
      pollIntervalMs: 50,
      logger: { error: (line) => errors.push(line) },
      map: (stored) => [
        {
          type: 'complaint.received.v1',
          subject: (stored.data as { complaintId: string }).complaintId,
          data: stored.data,
        },
      ],
    });
    relay.start();
    let held: Session | undefined;
    try {
      const first = await register();
      await eventually('the first event published', async () => ((await published(first)) ? true : undefined), 60_000);

      // Hold off writes to the checkpoints, so the relay's next checkpoint write waits where it can be
      // cancelled (a table lock takes no transaction id: the relay's snapshot still sees new events).
      const blocker = new Client({ connectionString: testDb.url });
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE relay_lock.outbox_checkpoints IN EXCLUSIVE MODE');
      const second = await register();
      const waiting = await eventually('the relay waiting on the checkpoint row', async () => {
        const { rows } = await admin.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO outbox_checkpoints%'",
        );
        return rows[0]?.pid;
      });
      await admin.query('SELECT pg_cancel_backend($1)', [waiting]);
      await eventually('the relay to report the failure', async () => (errors.length > 0 ? true : undefined));
      await blocker.query('ROLLBACK');
      await blocker.end();

      // Other work takes the next connection the pool hands out, and keeps it for a while.
      held = await db.session();
      const { rows } = await held.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
      );
      // The relay takes its lock again after its pause and publishes, while that work goes on.
      const resumed = await eventually(
        'the second event published',
        async () => ((await published(second)) ? true : undefined),
        5_000,
      ).catch(() => false);
      expect({ locksOnTheOtherWork: rows[0]!.n, resumed }).toEqual({ locksOnTheOtherWork: 0, resumed: true });
      expect(errors[0]).toMatch(/canceling statement due to user request/);
    } finally {
      await held?.release();
      await relay.stop();
    }
  }, 120_000);
});
