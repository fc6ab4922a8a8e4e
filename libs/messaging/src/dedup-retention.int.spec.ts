import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { eventStoreMigrations, openDatabase, type Database } from '@complaints/eventstore';
import { recordInInbox } from './consumer';
import { INBOX_TABLE, pruneDedupTables } from './dedup-retention';

const DAY = 86_400_000;
const RETENTION = 30 * DAY;

describe('pruning de-duplication tables by age', () => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase('dedup_retention');
    db = await openDatabase({
      url: testDb.url,
      schema: 'dedup_test',
      migrations: [
        ...eventStoreMigrations,
        {
          name: 'DedupTestKeys1763800009000',
          up: `CREATE TABLE idempotency_keys (key text PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now())`,
        },
      ],
    });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  const processedDaysAgo = (consumer: string, eventId: string, days: number) =>
    db.query(
      `INSERT INTO inbox (consumer, event_id, processed_at) VALUES ($1, $2, now() - make_interval(days => $3))`,
      [consumer, eventId, days],
    );

  it('deletes inbox rows past the retention, keeps recent ones, and still de-duplicates a redelivery within it', async () => {
    const consumer = `c-${randomUUID()}`;
    const [old, recent, edge] = [randomUUID(), randomUUID(), randomUUID()];
    await processedDaysAgo(consumer, old, 31);
    await processedDaysAgo(consumer, edge, 29);
    await db.transaction((tx) => recordInInbox(tx, consumer, recent));

    const pruned = await pruneDedupTables(db, [INBOX_TABLE], RETENTION);

    expect(pruned.inbox).toBeGreaterThanOrEqual(1);
    const { rows } = await db.query<{ event_id: string }>('SELECT event_id FROM inbox WHERE consumer = $1', [consumer]);
    expect(rows.map((r) => r.event_id).sort()).toEqual([edge, recent].sort());
    // A redelivery inside the window is still recognised; one of a pruned event is not (it is past the window).
    expect(await db.transaction((tx) => recordInInbox(tx, consumer, recent))).toBe(false);
    expect(await db.transaction((tx) => recordInInbox(tx, consumer, edge))).toBe(false);
    expect(await db.transaction((tx) => recordInInbox(tx, consumer, old))).toBe(true);
  });

  it('deletes only the rows a table says may age out, in batches until none is left', async () => {
    await db.query(
      `INSERT INTO idempotency_keys (key, created_at)
       SELECT 'idempotency:' || g, now() - interval '40 days' FROM generate_series(1, 12000) g`,
    );
    await db.query(`INSERT INTO idempotency_keys (key, created_at) VALUES
      ('email:<old@example.com>', now() - interval '400 days'), ('idempotency:fresh', now())`);

    const pruned = await pruneDedupTables(
      db,
      [{ table: 'idempotency_keys', writtenAt: 'created_at', only: "key LIKE 'idempotency:%'" }],
      RETENTION,
    );

    expect(pruned).toEqual({ idempotency_keys: 12000 });
    const { rows } = await db.query<{ key: string }>('SELECT key FROM idempotency_keys ORDER BY key');
    expect(rows.map((r) => r.key)).toEqual(['email:<old@example.com>', 'idempotency:fresh']);
  });

  it('refuses a table or column name that is not a plain identifier', async () => {
    await expect(
      pruneDedupTables(db, [{ table: 'inbox; DROP TABLE events', writtenAt: 'x' }], RETENTION),
    ).rejects.toThrow(/not a table or column name/);
  });
});
