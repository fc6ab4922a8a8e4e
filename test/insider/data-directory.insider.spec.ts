/**
 * Attacker: someone holding a copy of the database's data directory — every file, WAL included, as
 * a stolen disk, a WAL archive or a backup gives it — and every piece of master-key material that
 * exists when the copy is taken (the key directory, PII_KEY_DIR). They scan the raw files for
 * anything that looks like a wrapped data key (each 60-byte window after the key's id: iv 12 | tag 16
 * | key 32) and try to unwrap it with every master key they hold.
 *
 * Before rotation the attack recovers an erased subject's key from the WAL and heap (the control:
 * 7614b2a's behaviour, where the one master key never changes). After erasure and rotation (live keys
 * re-wrapped under a new master key, the old one destroyed) it recovers nothing of the erased
 * subject — from the copy taken then, nor from the copy taken before the rotation (an old backup).
 */
import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openDatabase, type Database } from '@complaints/eventstore';
import { FileKeyRing, KeyVault, unseal } from '@complaints/privacy';
import { createPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { freePort } from '../support/processes';

jest.setTimeout(180_000);

interface Target {
  keyId: string;
  subjectId: string;
}

/** Every file under the data directory, read as the attacker's copy of the disk. */
function copyOf(dir: string): Buffer[] {
  const files: Buffer[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) files.push(...copyOf(path));
    else if (stat?.isFile()) files.push(readFileSync(path));
  }
  return files;
}

/** Every master key the attacker finds in the key directory now: each file that decodes to 32 bytes. */
function keyMaterialIn(dir: string): Buffer[] {
  return readdirSync(dir)
    .map((name) => Buffer.from(readFileSync(join(dir, name), 'utf8').trim(), 'base64'))
    .filter((key) => key.length === 32);
}

function tryUnwrap(masterKey: Buffer, target: Target, window: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, window.subarray(0, 12));
    decipher.setAAD(Buffer.from(`${target.keyId}\n${target.subjectId}`));
    decipher.setAuthTag(window.subarray(12, 28));
    return Buffer.concat([decipher.update(window.subarray(28, 60)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** The data keys the attack recovers, and the wrapped bytes it found them in. */
function attack(copies: Buffer[][], masterKeys: Buffer[], targets: Target[]) {
  const recovered = new Map<string, { key: Buffer; wrapped: Buffer }>();
  for (const target of targets) {
    const id = Buffer.from(target.keyId.replace(/-/g, ''), 'hex');
    for (const file of copies.flat()) {
      for (let at = file.indexOf(id); at >= 0; at = file.indexOf(id, at + 1)) {
        for (let start = at + 16; start + 60 <= Math.min(file.length, at + 400); start++) {
          const window = file.subarray(start, start + 60);
          for (const masterKey of masterKeys) {
            const key = tryUnwrap(masterKey, target, window);
            if (key) recovered.set(target.keyId, { key, wrapped: Buffer.from(window) });
          }
        }
      }
    }
  }
  return recovered;
}

const opens = (sealed: string, key: Buffer) => {
  try {
    unseal(sealed, key);
    return true;
  } catch {
    return false;
  }
};

describe('an attacker with a copy of the data directory and the key material of the day', () => {
  let postgres: PrivatePostgres;
  let keyDir: string;
  let vault: KeyVault;
  let service: Database;

  beforeAll(async () => {
    postgres = createPrivatePostgres(freePort());
    postgres.start();
    keyDir = join(mkdtempSync(join(tmpdir(), 'pii-keys-')), 'keys');
    vault = await KeyVault.open({
      url: postgres.url,
      keyRing: new FileKeyRing(keyDir),
      serviceDatabaseUrl: postgres.url,
    });
    service = await openDatabase({
      url: postgres.url,
      schema: 'intake_like',
      migrations: [
        { name: 'Complaints1763800000000', up: 'CREATE TABLE complaints (subject_id text, name text, phone text)' },
      ],
    });
  });
  afterAll(async () => {
    await service?.close();
    await vault?.close();
    postgres?.destroy();
    if (keyDir) rmSync(join(keyDir, '..'), { recursive: true, force: true });
  });

  /** As intake registers: the subject's key read or created in the complaint's own transaction. */
  async function register(identity: string, name: string, phone: string) {
    const subjectId = vault.subjectId('bank-a', identity);
    const sealed = await service.transaction(async (tx) => {
      const key = await vault.dataKeyFor(subjectId, tx);
      const row = { name: key.seal(name), phone: key.seal(phone) };
      await tx.query('INSERT INTO complaints (subject_id, name, phone) VALUES ($1, $2, $3)', [
        subjectId,
        row.name,
        row.phone,
      ]);
      return row;
    });
    const client = new Client({ connectionString: postgres.url });
    await client.connect();
    const { rows } = await client.query<{ key_id: string }>(
      'SELECT key_id FROM privacy.data_keys WHERE subject_id = $1',
      [subjectId],
    );
    await client.end();
    return { target: { keyId: rows[0]!.key_id, subjectId }, sealed };
  }

  /** Everything written so far on disk, as a copy of the directory would find it. */
  async function checkpoint() {
    const client = new Client({ connectionString: postgres.url });
    await client.connect();
    await client.query('CHECKPOINT');
    await client.end();
  }

  it('recovers the erased subject before rotation, and nothing of it after erasure and rotation', async () => {
    const erased = await register('phone:13800000001', '王女士', '13800000001');
    const live = await register('phone:13800000002', '李先生', '13800000002');
    await vault.erase(erased.target.subjectId);
    await checkpoint();

    // Control: erased, not yet rotated. The wrapped key is still in the WAL and the heap's dead
    // tuple, and the master key that wrapped it still exists — the attack must work here.
    const backup = copyOf(postgres.dataDir);
    const before = attack([backup], keyMaterialIn(keyDir), [erased.target, live.target]);
    const recoveredErased = before.get(erased.target.keyId);
    expect(recoveredErased).toBeDefined();
    expect(unseal(erased.sealed.name, recoveredErased!.key)).toBe('王女士');

    const rotation = await vault.rotate();
    expect(rotation).toMatchObject({ rewrapped: 1, destroyed: [expect.any(String)] });
    await checkpoint();

    // The attack after rotation: the copy of today plus the backup of before, and every master key
    // that exists now.
    const today = copyOf(postgres.dataDir);
    const masterKeys = keyMaterialIn(keyDir);
    expect(masterKeys).toHaveLength(1);
    // The old wrapped key is still on disk (the WAL keeps it): only the master key is gone.
    expect(today.some((file) => file.includes(recoveredErased!.wrapped))).toBe(true);
    const after = attack([today, backup], masterKeys, [erased.target, live.target]);
    expect(after.has(erased.target.keyId)).toBe(false);
    const everyKey = [...after.values()].map((r) => r.key).concat(masterKeys);
    expect(everyKey.filter((key) => opens(erased.sealed.name, key) || opens(erased.sealed.phone, key))).toEqual([]);
    // The same scan still finds what it may: the live subject's key, re-wrapped under the new master key.
    expect(unseal(live.sealed.name, after.get(live.target.keyId)!.key)).toBe('李先生');
    expect(await vault.reveal(live.sealed)).toEqual({ name: '李先生', phone: '13800000002' });
  });
});
