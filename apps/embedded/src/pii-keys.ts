/**
 * The master keys of personal data under `npm start`: a ring in DATA_DIR/keys (0700; PII_KEY_DIR
 * names another place), beside the database's data directory DATA_DIR/postgres and never inside it,
 * so that copying, archiving or backing up the database copies no key; the services rotate it
 * (docs/personal-data.md). A DATA_DIR from before the ring kept one key in DATA_DIR/pii-master-key:
 * it becomes the ring's first key — the data it wrapped stays readable, subject ids stay the same —
 * and the old file is deleted, so that the first rotation leaves no copy of it behind.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FileKeyRing, FIRST_MASTER_KEY_ID } from '@complaints/privacy';

export function piiKeyEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): { PII_KEY_DIR: string } {
  const dir = env.PII_KEY_DIR || join(dataDir, 'keys');
  const legacyFile = join(dataDir, 'pii-master-key');
  const legacy = existsSync(legacyFile) ? Buffer.from(readFileSync(legacyFile, 'utf8').trim(), 'base64') : undefined;
  const given = env.PII_MASTER_KEY ? Buffer.from(env.PII_MASTER_KEY, 'base64') : undefined;
  const ring = new FileKeyRing(dir, given ?? legacy);
  if (legacy) {
    // Deleted only once the ring holds it, or has already rotated past it.
    const held = ring.all().some((k) => k.key.equals(legacy));
    if (held || !ring.all().some((k) => k.id === FIRST_MASTER_KEY_ID)) rmSync(legacyFile);
  }
  return { PII_KEY_DIR: dir };
}
