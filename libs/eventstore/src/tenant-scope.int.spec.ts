/**
 * Tenants kept apart by PostgreSQL: inside a tenant scope every statement runs as the tenant role
 * under row-level security, so even SQL that forgets the tenant sees and writes only its own rows.
 */
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { metadata } from '../../../test/fixtures/events';
import {
  bindTenant,
  EventStore,
  eventStoreMigrations,
  forAllTenants,
  openDatabase,
  tenantIsolation,
  TENANT_ROLE,
  withTenantScope,
  type Database,
} from './index';

const asTenant = <T>(tenant: string, work: () => Promise<T>): Promise<T> =>
  withTenantScope(() => {
    bindTenant(tenant);
    return work();
  });

describe('tenant isolation below the application (row-level security)', () => {
  let testDb: TestDatabase;
  let db: Database;
  const store = new EventStore();
  const streamOf = { red: `s-${randomUUID()}`, blue: `s-${randomUUID()}` };

  beforeAll(async () => {
    testDb = await createTestDatabase('tenantscope');
    db = await openDatabase({
      url: testDb.url,
      schema: 'scope_test',
      migrations: [
        ...eventStoreMigrations,
        {
          name: 'Notes1763800090000',
          up: `CREATE TABLE notes (id serial PRIMARY KEY, tenant text NOT NULL, body text NOT NULL);
               ${tenantIsolation('notes')}`,
        },
      ],
    });
    for (const tenant of ['red', 'blue'] as const) {
      await db.transaction((tx) =>
        store.append(tx, streamOf[tenant], 0, [
          { eventId: randomUUID(), type: 'Noted', data: {}, metadata: { ...metadata(), tenant } },
        ]),
      );
      await db.query('INSERT INTO notes (tenant, body) VALUES ($1, $2), ($1, $3)', [tenant, 'one', 'two']);
    }
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it('runs a scoped request as the tenant role, with its tenant set', async () => {
    const { rows } = await asTenant('red', () =>
      db.query<{ role: string; tenant: string }>(
        "SELECT current_user AS role, current_setting('app.tenant', true) AS tenant",
      ),
    );
    expect(rows).toEqual([{ role: TENANT_ROLE, tenant: 'red' }]);
  });

  it('sets a tenant with quotes and backslashes exactly as given', async () => {
    const tenant = "o'brien\\'; RESET ROLE; --";
    const { rows } = await asTenant(tenant, () =>
      db.query<{ role: string; tenant: string }>(
        "SELECT current_user AS role, current_setting('app.tenant', true) AS tenant",
      ),
    );
    expect(rows).toEqual([{ role: TENANT_ROLE, tenant }]);
  });

  it('rolls a failed scoped transaction back and returns its connection clean, more times than the pool has connections', async () => {
    for (let i = 0; i < 12; i++) {
      await expect(
        asTenant('red', () =>
          db.transaction(async (tx) => {
            await tx.query('INSERT INTO notes (tenant, body) VALUES ($1, $2)', ['red', 'rolled back']);
            await tx.query('SELECT 1 / 0');
          }),
        ),
      ).rejects.toThrow(/division by zero/);
    }
    const after = await asTenant('red', () => db.query<{ body: string }>('SELECT body FROM notes ORDER BY id'));
    expect(after.rows.map((r) => r.body)).toEqual(['one', 'two']);
  });

  it('shows a tenant only its own rows, even to SQL that names no tenant', async () => {
    const notes = await asTenant('red', () => db.query<{ tenant: string }>('SELECT tenant FROM notes'));
    expect(notes.rows).toEqual([{ tenant: 'red' }, { tenant: 'red' }]);
    const events = await asTenant('blue', () =>
      db.query<{ stream_id: string }>('SELECT stream_id FROM events ORDER BY global_position'),
    );
    expect(events.rows.map((r) => r.stream_id)).toEqual([streamOf.blue]);
    expect(await asTenant('blue', () => store.readStream(db, streamOf.red))).toEqual([]);
  });

  it("refuses to write a row of another tenant, and cannot change or delete another tenant's rows", async () => {
    await expect(
      asTenant('red', () => db.query("INSERT INTO notes (tenant, body) VALUES ('blue', 'planted')")),
    ).rejects.toThrow(/row-level security/);
    const changed = await asTenant('red', () => db.query("UPDATE notes SET body = 'changed' WHERE tenant = 'blue'"));
    const deleted = await asTenant('red', () => db.query('DELETE FROM notes WHERE tenant = $1', ['blue']));
    expect([changed.rowCount, deleted.rowCount]).toEqual([0, 0]);
    const blue = await db.query<{ body: string }>("SELECT body FROM notes WHERE tenant = 'blue' ORDER BY id");
    expect(blue.rows.map((r) => r.body)).toEqual(['one', 'two']);
  });

  it("cannot append to another tenant's stream", async () => {
    await expect(
      asTenant('red', () =>
        db.transaction((tx) =>
          store.append(tx, `s-${randomUUID()}`, 0, [
            { eventId: randomUUID(), type: 'Noted', data: {}, metadata: { ...metadata(), tenant: 'blue' } },
          ]),
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('sees every tenant outside a scope and in forAllTenants, and nothing as the tenant role with no tenant', async () => {
    expect((await db.query('SELECT 1 FROM notes')).rowCount).toBe(4);
    expect((await asTenant('red', () => forAllTenants(() => db.query('SELECT 1 FROM notes')))).rowCount).toBe(4);
    const client = new Client({ connectionString: testDb.url });
    await client.connect();
    try {
      await client.query(`SET ROLE ${TENANT_ROLE}`);
      expect((await client.query('SELECT 1 FROM scope_test.notes')).rowCount).toBe(0);
      expect((await client.query('SELECT 1 FROM scope_test.events')).rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('refuses to rebind a request to another tenant', async () => {
    await expect(
      asTenant('red', async () => {
        bindTenant('blue');
        return db.query('SELECT 1');
      }),
    ).rejects.toThrow(/already bound/);
  });
});
