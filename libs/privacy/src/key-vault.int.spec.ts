import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/database';
import { bindTenant, openDatabase, TENANT_ROLE, withTenantScope } from '@complaints/eventstore';
import { KeyVault } from './key-vault';
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

  it('cannot reveal with another master key', async () => {
    const subject = vault.subjectId('bank-a', 'email:x@example.org');
    const key = await vault.dataKeyFor('bank-a', subject);
    await key.keep();
    const sealed = key.seal('secret');
    const impostor = await KeyVault.open({ url: testDb.url, masterKey: randomBytes(32) });
    try {
      await expect(impostor.reveal('bank-a', sealed)).rejects.toThrow();
    } finally {
      await impostor.close();
    }
  });
});
