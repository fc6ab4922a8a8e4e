/**
 * Attacker: someone holding a copy of the database's data directory — every file, WAL included, as
 * a stolen disk, a WAL archive or a backup gives it — and every piece of master-key material that
 * exists when the copy is taken (the key directory, PII_KEY_DIR). They scan the raw files for
 * anything that looks like a wrapped data key (each 60-byte window after the key's id: iv 12 | tag 16
 * | key 32) and try to unwrap it with every master key they hold.
 *
 * Intake runs in this process on a PostgreSQL of the test's own, with its master keys in a key
 * directory (PII_KEY_DIR). Before rotation the attack recovers an erased subject's key from the WAL
 * and heap (the control: 7614b2a's behaviour, where the one master key never changes). After erasure
 * and `npm run pii -- rotate` (live keys re-wrapped under a new master key, the old one destroyed) it
 * recovers nothing of the erased subject — from the copy taken then, nor from the copy taken before
 * the rotation (an old backup) — while intake, not restarted, still reads the other subject.
 */
import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { intakeService } from '@complaints/intake';
import { ERASED, keyIdOf, unseal } from '@complaints/privacy';
import { api } from '../support/auth';
import { startInProcess, type InProcessService } from '../support/in-process';
import { complaintBody } from '../support/journey';
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
  let intake: InProcessService;

  beforeAll(async () => {
    postgres = createPrivatePostgres(freePort());
    postgres.start();
    keyDir = join(mkdtempSync(join(tmpdir(), 'pii-keys-')), 'keys');
    // Intake's database on the private cluster: startInProcess makes it on DATABASE_URL's server.
    const shared = process.env.DATABASE_URL;
    process.env.DATABASE_URL = postgres.url;
    try {
      intake = await startInProcess(intakeService, undefined, { PII_KEY_DIR: keyDir, PII_MASTER_KEY: '' });
    } finally {
      process.env.DATABASE_URL = shared;
    }
  });
  afterAll(async () => {
    await intake?.app.close(); // its database goes with the cluster
    postgres?.destroy();
    if (keyDir) rmSync(join(keyDir, '..'), { recursive: true, force: true });
  });

  /** A complaint through intake's API; its subject, and every sealed field intake stored for it. */
  async function register(name: string, phone: string, description: string) {
    const response = await api(`${intake.base}/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...complaintBody(description), complainant: { name, contact: { phone } } }),
    });
    expect(response.status).toBe(201);
    const { complaintId } = (await response.json()) as { complaintId: string };
    const complaint = (await (await api(`${intake.base}/complaints/${complaintId}`)).json()) as {
      complainant: { subjectId: string };
    };
    const { rows } = await intake.db.query<{ data: unknown }>('SELECT data FROM events WHERE stream_id LIKE $1', [
      `%${complaintId}`,
    ]);
    const sealed = JSON.stringify(rows).match(/pii:v1:[0-9a-f-]{36}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]*:[A-Za-z0-9_-]+/g)!;
    expect(sealed.length).toBeGreaterThanOrEqual(3); // name, phone, description at least
    const keyId = keyIdOf(sealed[0]);
    return { complaintId, sealed, target: { keyId, subjectId: complaint.complainant.subjectId } };
  }

  /** Everything written so far on disk, as a copy of the directory would find it. */
  const checkpoint = () => intake.db.query('CHECKPOINT');

  it('recovers the erased subject before rotation, and nothing of it after erasure and rotation', async () => {
    const erased = await register('王女士', '13800000001', '王女士的电表读数异常');
    const live = await register('李先生', '13800000002', '李先生的账单重复扣款');
    const erasure = await api(`${intake.base}/data-subjects/${erased.target.subjectId}/erasure`, {
      method: 'POST',
      headers: { 'x-actor-role': 'admin' },
    });
    expect(erasure.status).toBe(200);
    await checkpoint();

    // Control: erased, not yet rotated. The wrapped key is still in the WAL and the heap's dead
    // tuple, and the master key that wrapped it still exists — the attack must work here.
    const backup = copyOf(postgres.dataDir);
    const before = attack([backup], keyMaterialIn(keyDir), [erased.target, live.target]);
    const recoveredErased = before.get(erased.target.keyId);
    expect(recoveredErased).toBeDefined();
    expect(erased.sealed.map((field) => unseal(field, recoveredErased!.key))).toContain('王女士');

    // The operator's command (the schedule does the same after an erasure); intake keeps running.
    const out = execFileSync(process.execPath, [join(__dirname, '../../libs/kit/dist/pii-cli.js'), 'rotate'], {
      env: { ...process.env, PII_KEY_DIR: keyDir, PII_MASTER_KEY: '', DATABASE_URL: intake.testDb.url },
      encoding: 'utf8',
    });
    expect(out).toMatch(/\(\d+ re-wrapped\); destroyed: mk-000001/);
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
    expect(erased.sealed.filter((field) => everyKey.some((key) => opens(field, key)))).toEqual([]);
    // The same scan still finds what it may: the live subject's key, re-wrapped under the new master key.
    expect(live.sealed.map((field) => unseal(field, after.get(live.target.keyId)!.key))).toContain('李先生');
    // Intake, not restarted, reads the live subject under the new master key, and the erased one as erased.
    const read = async (id: string) =>
      ((await (await api(`${intake.base}/complaints/${id}`)).json()) as { complainant: { name: string } }).complainant
        .name;
    expect([await read(live.complaintId), await read(erased.complaintId)]).toEqual(['李先生', ERASED]);
  });
});
