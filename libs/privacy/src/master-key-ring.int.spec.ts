import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyRing, FIRST_MASTER_KEY_ID, openKeyRing, StaticKeyRing } from './master-key-ring';

describe('the master-key ring', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'ring-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('starts with one key (0600) that a second process opening the directory uses too', () => {
    const dir = join(root, 'keys');
    const [a, b] = [new FileKeyRing(dir), new FileKeyRing(dir)];
    expect(a.current()).toEqual(b.current());
    expect(readdirSync(dir)).toEqual(['mk-000001.key']);
    expect(statSync(join(dir, 'mk-000001.key')).mode & 0o777).toBe(0o600);
  });

  it('makes a new key current for every process, and destroys the old one for all of them', () => {
    const dir = join(root, 'keys');
    const seed = randomBytes(32);
    const rotating = new FileKeyRing(dir, seed);
    const reader = new FileKeyRing(dir, randomBytes(32)); // a seed only starts an empty ring
    expect(reader.current()).toEqual({ id: FIRST_MASTER_KEY_ID, key: seed });
    const next = rotating.create();
    expect(reader.current()).toEqual(next);
    expect(reader.all().map((k) => k.id)).toEqual([next.id, FIRST_MASTER_KEY_ID]);
    const held = reader.all()[1]!.key;
    rotating.destroy(FIRST_MASTER_KEY_ID);
    expect(reader.all().map((k) => k.id)).toEqual([next.id]);
    expect(held.equals(Buffer.alloc(32))).toBe(true); // the reader's copy in memory is zeroed too
    expect(readdirSync(dir)).toEqual([`${next.id}.key`]);
  });

  it('refuses a damaged key file, and rotation without a key directory', () => {
    const dir = join(root, 'keys');
    new FileKeyRing(dir);
    writeFileSync(join(dir, 'mk-000002.key'), 'not a key');
    expect(() => new FileKeyRing(dir).current()).toThrow(/base64 of 32 bytes/);
    expect(() => new StaticKeyRing(randomBytes(32)).create()).toThrow(/PII_KEY_DIR/);
    expect(() => openKeyRing({})).toThrow(/PII_KEY_DIR/);
  });
});
