import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { piiKeyEnv } from './pii-keys';

describe('npm start: the master keys of personal data', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'embedded-data-'));
    mkdirSync(join(dataDir, 'postgres'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps a ring in DATA_DIR/keys (0700), outside the database directory', () => {
    const { PII_KEY_DIR } = piiKeyEnv(dataDir, {});
    expect(PII_KEY_DIR).toBe(join(dataDir, 'keys'));
    expect(relative(join(dataDir, 'postgres'), PII_KEY_DIR).startsWith('..')).toBe(true);
    expect(statSync(PII_KEY_DIR).mode & 0o777).toBe(0o700);
    expect(readdirSync(PII_KEY_DIR)).toEqual(['mk-000001.key']);
    expect(statSync(join(PII_KEY_DIR, 'mk-000001.key')).mode & 0o777).toBe(0o600);
    expect(piiKeyEnv(dataDir, {})).toEqual({ PII_KEY_DIR });
    expect(readdirSync(PII_KEY_DIR)).toEqual(['mk-000001.key']);
  });

  it('moves the single key of a DATA_DIR from before the ring into it, and deletes the old file', () => {
    const legacy = randomBytes(32).toString('base64');
    writeFileSync(join(dataDir, 'pii-master-key'), legacy, { mode: 0o600 });
    const { PII_KEY_DIR } = piiKeyEnv(dataDir, {});
    expect(readdirSync(PII_KEY_DIR)).toEqual(['mk-000000.key']);
    expect(readFileSync(join(PII_KEY_DIR, 'mk-000000.key'), 'utf8').trim()).toBe(legacy);
    expect(existsSync(join(dataDir, 'pii-master-key'))).toBe(false);
  });
});
