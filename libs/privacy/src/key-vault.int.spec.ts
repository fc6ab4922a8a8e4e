import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { bindTenant, openDatabase, TENANT_ROLE, withTenantScope } from '@complaints/eventstore';
import { KeyVault, type KeyVaultOptions } from './key-vault';
import { FileKeyRing, FIRST_MASTER_KEY_ID } from './master-key-ring';
import { pseudonymKey, subjectIdFor } from './subject';
import { ERASED, sealedKeyIds } from './sealed';

describe('the key vault', () => {
  let testDb: TestDatabase;
  let vault: KeyVault;
  const masterKey = randomBytes(32);

  const keyRows = async () => {
    const client = new Client({ connectionString: testDb.url });
    await client.connect();
    try {
      return (
        await client.query<Record<string, unknown>>('SELECT subject_id, wrapped_key, erased_at FROM privacy.data_keys')
      ).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('privacy_vault');
    vault = await KeyVault.open({ url: testDb.url, masterKey });
  });
  afterAll(async () => {
    await vault?.close();
    await testDb?.drop();
  });

  it('stores a new subject key only when kept, and reuses the live one', async () => {
    const subject = vault.subjectId('bank-a', 'phone:13800000001');
    const refused = await vault.dataKeyFor('bank-a', subject);
    refused.seal('never stored');
    expect(await keyRows()).toEqual([]);

    const first = await vault.dataKeyFor('bank-a', subject);
    const sealed = first.seal('王女士');
    await first.keep();
    const again = await vault.dataKeyFor('bank-a', subject);
    expect(await vault.reveal('bank-a', { a: sealed, b: again.seal('13800000001') })).toEqual({
      a: '王女士',
      b: '13800000001',
    });
    const rows = await keyRows();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain('王女士');
  });

  it('reads an erased subject as erased, keeps others readable, and gives a returning subject a new key', async () => {
    const gone = vault.subjectId('bank-a', 'id:C-1');
    const stays = vault.subjectId('bank-a', 'id:C-2');
    const goneKey = await vault.dataKeyFor('bank-a', gone);
    await goneKey.keep();
    const staysKey = await vault.dataKeyFor('bank-a', stays);
    await staysKey.keep();
    const doc = { name: goneKey.seal('Ann'), other: staysKey.seal('Bob'), plain: 'CMP-2026-000001' };

    expect(await vault.erase('bank-a', gone)).toBe(1);
    expect(await vault.erase('bank-a', gone)).toBe(0);
    expect(await vault.reveal('bank-a', doc)).toEqual({ name: ERASED, other: 'Bob', plain: 'CMP-2026-000001' });

    const returning = await vault.dataKeyFor('bank-a', gone);
    await returning.keep();
    expect(await vault.reveal('bank-a', { later: returning.seal('Ann again'), earlier: doc.name })).toEqual({
      later: 'Ann again',
      earlier: ERASED,
    });
  });

  it('seals for a registered subject with its live key, and for an erased one with a key it never stores', async () => {
    const subject = vault.subjectId('bank-a', 'id:C-3');
    const registered = await vault.dataKeyFor('bank-a', subject);
    await registered.keep();
    const note = (await vault.sealerFor('bank-a', subject))('Called Mrs Li about her refund');
    expect(await vault.reveal('bank-a', note)).toBe('Called Mrs Li about her refund');

    await vault.erase('bank-a', subject);
    const rowsBefore = await keyRows();
    const afterErasure = (await vault.sealerFor('bank-a', subject))('Told Mrs Li the case is closed');
    expect(afterErasure).not.toContain('Mrs Li');
    expect(await vault.reveal('bank-a', { note, afterErasure })).toEqual({ note: ERASED, afterErasure: ERASED });
    expect(await keyRows()).toEqual(rowsBefore);
  });

  it("keeps a new key in the service's transaction when the vault shares its database, even as the tenant role", async () => {
    const service = await openDatabase({ url: testDb.url, schema: 'vault_service', migrations: [] });
    const colocated = await KeyVault.open({ url: testDb.url, masterKey, serviceDatabaseUrl: testDb.url });
    const inTenantScope = <T>(work: () => Promise<T>) =>
      withTenantScope(() => {
        bindTenant('bank-a');
        return work();
      });
    const subject = colocated.subjectId('bank-a', 'phone:13800000009');
    const keysOf = async () => (await keyRows()).filter((r) => r.subject_id === subject).length;
    try {
      await expect(
        inTenantScope(() =>
          service.transaction(async (tx) => {
            await colocated.dataKeyFor('bank-a', subject, tx);
            expect((await tx.query('SELECT current_user AS who')).rows).toEqual([{ who: TENANT_ROLE }]);
            throw new Error('the registration failed after the key was read');
          }),
        ),
      ).rejects.toThrow(/registration failed/);
      expect(await keysOf()).toBe(0);

      const sealed = await inTenantScope(() =>
        service.transaction(async (tx) => (await colocated.dataKeyFor('bank-a', subject, tx)).seal('王女士')),
      );
      expect(await keysOf()).toBe(1);
      const again = await inTenantScope(() =>
        service.transaction(async (tx) => (await colocated.dataKeyFor('bank-a', subject, tx)).seal('13800000009')),
      );
      expect(await keysOf()).toBe(1);
      expect(await vault.reveal('bank-a', { sealed, again })).toEqual({ sealed: '王女士', again: '13800000009' });

      // A transaction of one tenant cannot read or store a key for another tenant.
      await expect(
        inTenantScope(() => service.transaction(async (tx) => colocated.dataKeyFor('bank-b', subject, tx))),
      ).rejects.toThrow(/not the transaction's tenant/);

      // A vault elsewhere (PII_VAULT_URL of its own) leaves the transaction alone: kept only by keep().
      const other = colocated.subjectId('bank-a', 'phone:13800000010');
      await service.transaction(async (tx) => vault.dataKeyFor('bank-a', other, tx));
      expect((await keyRows()).filter((r) => r.subject_id === other)).toEqual([]);
    } finally {
      await colocated.close();
      await service.close();
    }
  });

  it("keeps a key to its tenant: another tenant's key for the same subject id is neither used, revealed nor erased", async () => {
    const subject = vault.subjectId('bank-b', 'id:C-9');
    const theirs = await vault.dataKeyFor('bank-b', subject);
    await theirs.keep();
    const sealed = theirs.seal('Mrs Li');
    expect(await vault.erase('bank-a', subject)).toBe(0);
    expect(await vault.reveal('bank-a', sealed)).toBe(ERASED);
    const mine = await vault.dataKeyFor('bank-a', subject);
    expect(sealedKeyIds(mine.seal('x'))).not.toEqual(sealedKeyIds(sealed));
    expect(await vault.reveal('bank-b', sealed)).toBe('Mrs Li');
  });

  it('tags equal values alike under one key, and differently under another', async () => {
    const one = await vault.dataKeyFor('bank-a', vault.subjectId('bank-a', 'id:T-1'));
    const two = await vault.dataKeyFor('bank-a', vault.subjectId('bank-a', 'id:T-2'));
    expect(one.tags(['  a', ' ab', 'abc'])).toEqual(one.tags(['  a', ' ab', 'abc']));
    expect(one.tags(['abc'])[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(two.tags(['abc'])).not.toEqual(one.tags(['abc']));
  });

  it('cannot open, so cannot reveal, with another master key', async () => {
    const subject = vault.subjectId('bank-a', 'email:x@example.org');
    const key = await vault.dataKeyFor('bank-a', subject);
    await key.keep();
    // The pseudonym secret is wrapped by the master key: a vault with another one fails at once.
    await expect(KeyVault.open({ url: testDb.url, masterKey: randomBytes(32) })).rejects.toThrow(/No master key/);
  });
});

describe('master-key rotation', () => {
  let testDb: TestDatabase;
  let dir: string;
  const masterKey = randomBytes(32);
  const vaults: KeyVault[] = [];
  const open = async (options: Partial<KeyVaultOptions>) => {
    const vault = await KeyVault.open({ url: testDb.url, ...options });
    vaults.push(vault);
    return vault;
  };
  const sql = async <T extends Record<string, unknown>>(text: string, params: unknown[] = []) => {
    const client = new Client({ connectionString: testDb.url });
    await client.connect();
    try {
      return (await client.query<T>(text, params)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('privacy_rotation');
    dir = mkdtempSync(join(tmpdir(), 'pii-ring-'));
  });
  afterAll(async () => {
    for (const vault of vaults) await vault.close();
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves a PII_MASTER_KEY deployment onto a ring, rotates, and keeps every subject id and live key', async () => {
    // A deployment from before the ring: one master key, subject ids derived from it.
    const legacy = await open({ masterKey });
    const subject = legacy.subjectId('bank-a', 'phone:13800000001');
    expect(subject).toBe(subjectIdFor(pseudonymKey(masterKey), 'bank-a', 'phone:13800000001'));
    const key = await legacy.dataKeyFor('bank-a', subject);
    await key.keep();
    const sealed = key.seal('王女士');
    await expect(legacy.rotate()).rejects.toThrow(/PII_KEY_DIR/);

    // PII_KEY_DIR named, PII_MASTER_KEY still given: the ring starts with it.
    const ringDir = join(dir, 'migrated');
    const intake = await open({ keyRing: new FileKeyRing(ringDir, masterKey) });
    const analytics = await open({ keyRing: new FileKeyRing(ringDir) });
    expect(readdirSync(ringDir)).toEqual([`${FIRST_MASTER_KEY_ID}.key`]);
    expect(statSync(ringDir).mode & 0o777).toBe(0o700);
    expect(await intake.reveal('bank-a', sealed)).toBe('王女士');

    const rotation = await intake.rotate();
    expect(rotation).toEqual({ masterKeyId: 'mk-000001', rewrapped: 1, destroyed: [FIRST_MASTER_KEY_ID] });
    expect(readdirSync(ringDir)).toEqual(['mk-000001.key']);
    expect(await sql('SELECT DISTINCT master_key_id FROM privacy.data_keys')).toEqual([{ master_key_id: 'mk-000001' }]);
    // Another service, not restarted, reads and writes under the new master key.
    expect(await analytics.reveal('bank-a', sealed)).toBe('王女士');
    expect(analytics.subjectId('bank-a', 'phone:13800000001')).toBe(subject);
    const other = analytics.subjectId('bank-a', 'phone:13800000002');
    await (await analytics.dataKeyFor('bank-a', other)).keep();
    expect(await sql('SELECT master_key_id FROM privacy.data_keys WHERE subject_id = $1', [other])).toEqual([
      { master_key_id: 'mk-000001' },
    ]);
    // A vault opened later, with the old key gone from everywhere, keeps the same subject ids.
    const later = await open({ keyRing: new FileKeyRing(ringDir) });
    expect(later.subjectId('bank-a', 'phone:13800000001')).toBe(subject);
    // And the old master key alone opens nothing any more.
    await expect(KeyVault.open({ url: testDb.url, masterKey })).rejects.toThrow(/No master key/);
  });

  it('names the master key of a key kept in a service transaction, and refuses one wrapped by a retired key', async () => {
    const ring = new FileKeyRing(join(dir, 'migrated'));
    const vault = await open({ keyRing: ring, serviceDatabaseUrl: testDb.url });
    const service = await openDatabase({ url: testDb.url, schema: 'rotation_service', migrations: [] });
    try {
      const subject = vault.subjectId('bank-a', 'id:C-7');
      await service.transaction((tx) => vault.dataKeyFor('bank-a', subject, tx));
      expect(await sql('SELECT master_key_id FROM privacy.data_keys WHERE subject_id = $1', [subject])).toEqual([
        { master_key_id: ring.current().id },
      ]);
      // A writer that wrapped with the master key a rotation has just retired is refused, not lost.
      const stale = ring.current();
      await vault.rotate();
      const late = randomBytes(60);
      await expect(
        sql(
          `INSERT INTO privacy.data_keys (key_id, subject_id, wrapped_key, master_key_id) VALUES (gen_random_uuid(), 'ds-late', $1, $2)`,
          [late, stale.id],
        ),
      ).rejects.toThrow(/retired master key/);
      await expect(
        sql(
          `INSERT INTO privacy.data_keys (key_id, subject_id, wrapped_key) VALUES (gen_random_uuid(), 'ds-late', $1)`,
          [late],
        ),
      ).rejects.toThrow(/no master key id/);
    } finally {
      await service.close();
    }
  });

  it('refuses a new ring on a vault written under another master key', async () => {
    await expect(open({ keyRing: new FileKeyRing(join(dir, 'forgot-the-master-key')) })).rejects.toThrow(
      /not the one this vault was written with/,
    );
  });

  it('rotates on one instance at a time, and only when due', async () => {
    const ringDir = join(dir, 'migrated');
    const a = await open({ keyRing: new FileKeyRing(ringDir) });
    const b = await open({ keyRing: new FileKeyRing(ringDir) });
    const other = new Client({ connectionString: testDb.url });
    await other.connect();
    try {
      // Another instance rotating holds the lock: this one leaves it to them.
      await other.query(`SELECT pg_advisory_lock(hashtext('privacy:master-key-rotation'))`);
      expect(await a.rotate()).toBeUndefined();
    } finally {
      await other.end();
    }
    expect(await b.rotate()).toBeDefined();
    const hour = { onlyIfDue: { intervalMs: 3_600_000 } };
    expect(await a.rotate(hour)).toBeUndefined(); // just rotated, nothing erased since
    const subject = a.subjectId('bank-a', 'id:C-8');
    await (await a.dataKeyFor('bank-a', subject)).keep();
    await a.erase('bank-a', subject);
    expect(await b.rotate(hour)).toMatchObject({ rewrapped: expect.any(Number) }); // an erasure since
    expect(await a.rotate(hour)).toBeUndefined();
    expect(await a.rotate({ onlyIfDue: { intervalMs: 0 } })).toBeUndefined(); // no interval: erasures only
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await a.rotate({ onlyIfDue: { intervalMs: 10 } })).toBeDefined(); // the interval has passed
  });
});
