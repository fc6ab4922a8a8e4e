/**
 * The audit checkpointer runs on a timer (`void this.checkpoint()`): a failure must end in its log,
 * never as a rejected promise nobody awaits, which Node turns into the end of the process.
 */
import { eventStoreMigrations, openDatabase, type Database } from '@complaints/eventstore';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { testAuditEnv } from '../../../test/support/audit';
import type { Transport } from '@complaints/messaging';
import { AuditCheckpointer, AuditWitnesses } from './audit';
import { loadAuditConfig, type ServiceConfig } from './config';

/** A checkpointer signing with the tests' key, witnessed nowhere outside (no witness folder, no Kafka). */
function checkpointerOf(db: Database): AuditCheckpointer {
  const config = { schema: 'audit_test', audit: loadAuditConfig(testAuditEnv) } as ServiceConfig;
  return new AuditCheckpointer(db, config, new AuditWitnesses(config, { kind: 'embedded' } as Transport));
}

describe('the audit checkpointer', () => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase('checkpointer');
    db = await openDatabase({ url: testDb.url, schema: 'audit_test', migrations: eventStoreMigrations, poolSize: 2 });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('signs a checkpoint, and lets go of its lock', async () => {
    const checkpointer = checkpointerOf(db);
    await checkpointer.checkpoint();
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_checkpoints');
    expect(rows[0]!.n).toBe(1);
    const locks = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(locks.rows[0]!.n).toBe(0);
  });

  it('logs, and does not reject, when it cannot get a connection (the database is gone)', async () => {
    const checkpointer = checkpointerOf(db);
    // Every pooled connection is terminated with the database, so the next needs a new one, which fails.
    await testDb.drop();
    await expect(checkpointer.checkpoint()).resolves.toBeUndefined();
  });
});
