import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { FileKeyRing, KeyVault } from '@complaints/privacy';
import { createTestDatabase, eventually, type TestDatabase } from '../../../test/support/database';
import { loadServiceConfig } from './config';
import { KeyRotation } from './key-rotation';

describe('master-key rotation on schedule', () => {
  let testDb: TestDatabase;
  let dir: string;
  let vault: KeyVault;
  let rotation: KeyRotation | undefined;

  beforeAll(async () => {
    testDb = await createTestDatabase('kit_key_rotation');
    dir = join(mkdtempSync(join(tmpdir(), 'pii-keys-')), 'keys');
    vault = await KeyVault.open({ url: testDb.url, keyRing: new FileKeyRing(dir) });
  });
  afterAll(async () => {
    rotation?.beforeApplicationShutdown();
    await vault?.close();
    await testDb?.drop();
    rmSync(join(dir, '..'), { recursive: true, force: true });
  });

  it('rotates soon after an erasure, once for erasures close together, and not without one', async () => {
    const config = loadServiceConfig('intake', {
      DATABASE_URL: testDb.url,
      PII_KEY_DIR: dir,
      PII_KEY_ROTATION_AFTER_ERASURE_MS: '300',
    });
    expect(config.piiKeys).toMatchObject({ dir, rotationIntervalMs: 86_400_000, rotationAfterErasureMs: 300 });
    rotation = new KeyRotation(vault, config);
    rotation.onApplicationBootstrap();
    const first = readdirSync(dir);
    for (const identity of ['id:C-1', 'id:C-2']) {
      const subject = vault.subjectId('bank-a', identity);
      await (await vault.dataKeyFor('bank-a', subject)).keep();
      await vault.erase('bank-a', subject);
    }
    const rotated = await eventually('a rotation after the erasures', async () => {
      const now = readdirSync(dir);
      return now.length === 1 && now[0] !== first[0] ? now : undefined; // the old key destroyed
    });
    expect(rotated).toEqual(['mk-000002.key']);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(readdirSync(dir)).toEqual(['mk-000002.key']);
  });

  it('rotates on command: npm run pii -- rotate', () => {
    const out = execFileSync(process.execPath, [join(__dirname, '../dist/pii-cli.js'), 'rotate'], {
      env: { ...process.env, PII_KEY_DIR: dir, PII_MASTER_KEY: '', DATABASE_URL: testDb.url },
      encoding: 'utf8',
    });
    expect(out).toMatch(/master key mk-000003 now wraps every live data key .* destroyed: mk-000002/);
    expect(readdirSync(dir)).toEqual(['mk-000003.key']);
  });
});
