/**
 * Attacker: a tenant whose identifiers happen to equal another tenant's (a reference, a customer
 * id, an idempotency key chosen by its own channel). Every table that holds tenant data keeps the
 * tenant in its primary key, so no row of one tenant can collide with, overwrite or stand for
 * another's, even where row-level security is bypassed (the service's own maintenance, a
 * superuser). Checked on the schemas as the services migrate them, not on a list kept by hand.
 */
import { eventStoreMigrations, openDatabase, type Database, type Migration } from '@complaints/eventstore';
import { apiKeyMigrations } from '@complaints/kit';
import { embeddedBusMigrations } from '@complaints/messaging';
import { privacyMigrations } from '@complaints/privacy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { intakeMigrations } from '../../services/intake/src/infrastructure/migrations';
import { routingMigrations } from '../../services/routing/src/infrastructure/migrations';
import { resolutionMigrations } from '../../services/resolution/src/infrastructure/migrations';
import { analyticsMigrations } from '../../services/analytics/src/infrastructure/migrations';

const SCHEMAS: Record<string, Migration[]> = {
  intake: [...eventStoreMigrations, ...apiKeyMigrations, ...intakeMigrations],
  routing: [...eventStoreMigrations, ...routingMigrations],
  resolution: [...eventStoreMigrations, ...resolutionMigrations],
  analytics: [...eventStoreMigrations, ...analyticsMigrations],
  privacy: privacyMigrations,
  bus: embeddedBusMigrations,
};

/**
 * Tables whose primary key may leave the tenant out: a surrogate the database or the platform makes,
 * which no tenant chooses and no two tenants can share. Each with why; a table not listed fails.
 */
const SURROGATE_KEYS: Record<string, { key: string; why: string }> = {
  'analytics.case_history': { key: 'seq', why: 'a bigserial the database assigns (the event id is unique besides)' },
  'intake.api_keys': {
    key: 'id',
    why: 'random bytes the platform issues; the key presented names it, and the row names the tenant',
  },
  'privacy.data_keys': { key: 'key_id', why: 'a random UUID the vault makes for each (tenant, subject) key' },
  'resolution.fee_waivers': { key: 'event_id', why: 'the id resolution gave the event that granted the waiver' },
};

describe('the tenant in every key', () => {
  let testDb: TestDatabase;
  const opened: Database[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase('tenant_keys');
    for (const [schema, migrations] of Object.entries(SCHEMAS))
      opened.push(await openDatabase({ url: testDb.url, schema, migrations }));
  });
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
    await testDb?.drop();
  });

  it('keeps the tenant in the primary key of every table with a tenant, but for surrogate keys no tenant chooses', async () => {
    const [db] = opened;
    if (!db) throw new Error('no schema migrated');
    const { rows } = await db.query<{ table: string; key: string | null }>(
      `SELECT t.table_schema || '.' || t.table_name AS table,
              (SELECT string_agg(a.attname, ',' ORDER BY a.attnum)
                 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = (quote_ident(t.table_schema) || '.' || quote_ident(t.table_name))::regclass
                  AND i.indisprimary) AS key
         FROM information_schema.columns t
        WHERE t.column_name = 'tenant' AND t.table_schema = ANY($1)
        ORDER BY 1`,
      [Object.keys(SCHEMAS)],
    );
    const tenantless = rows.filter((r) => !(r.key ?? '').split(',').includes('tenant'));
    expect(tenantless.map(({ table, key }) => ({ table, key }))).toEqual(
      Object.entries(SURROGATE_KEYS).map(([table, { key }]) => ({ table, key })),
    );
  });
});
