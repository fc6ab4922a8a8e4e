/**
 * The master keys that wrap the data keys: a ring, so that a master key can be replaced and the
 * old one destroyed (rotation, key-vault.ts). A wrapped data key copied into a WAL segment, an
 * archive or a backup is only as recoverable as the master key that wrapped it: once that key is
 * destroyed, so is every copy of an erased subject's key.
 *
 * `FileKeyRing` keeps the ring in a directory the operator names (PII_KEY_DIR), outside the
 * database's data directory: one file per key, `mk-<generation>.key` (base64, 0600, directory 0700),
 * the highest generation being the current key. It stands for a KMS: in production the directory is
 * a secret volume whose writes the KMS (or its CSI driver) backs, and destroying a key is the KMS's
 * key deletion, which, unlike unlinking a file, also reaches the KMS's own copies.
 * `StaticKeyRing` is the single PII_MASTER_KEY of a deployment without a key directory: it cannot
 * rotate.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface MasterKeyRing {
  /** Whether `create` and `destroy` work (a key directory), or the ring is one fixed key. */
  readonly rotatable: boolean;
  /** The key new data keys are wrapped with. */
  current(): MasterKey;
  /** Every key that exists now, the current one first. */
  all(): MasterKey[];
  /** A new key, current from now on for every process reading the ring. */
  create(): MasterKey;
  /** Destroys a key: whatever only it unwraps is unreadable from then on, wherever a copy went. */
  destroy(id: string): void;
}

/** The id a PII_MASTER_KEY takes in a ring: the rows wrapped before rings existed carry it. */
export const FIRST_MASTER_KEY_ID = 'mk-000000';

const KEY_FILE = /^(mk-(\d{6}))\.key$/;

const idOf = (generation: number) => `mk-${String(generation).padStart(6, '0')}`;

function decode(text: string, where: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${where} does not hold base64 of 32 bytes`);
  return key;
}

export class StaticKeyRing implements MasterKeyRing {
  readonly rotatable = false;
  private readonly key: MasterKey;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('The PII master key must be 32 bytes');
    this.key = { id: FIRST_MASTER_KEY_ID, key: masterKey };
  }

  current(): MasterKey {
    return this.key;
  }

  all(): MasterKey[] {
    return [this.key];
  }

  create(): MasterKey {
    throw new Error('PII_MASTER_KEY alone cannot rotate: name a key directory (PII_KEY_DIR)');
  }

  destroy(): void {
    throw new Error('PII_MASTER_KEY alone cannot rotate: name a key directory (PII_KEY_DIR)');
  }
}

export class FileKeyRing implements MasterKeyRing {
  readonly rotatable = true;
  /** Keys read so far; a key whose file is gone is dropped (and zeroed) at the next listing. */
  private readonly cache = new Map<string, Buffer>();

  /**
   * Opens the ring in `dir` (created 0700). An empty ring starts with `seed` (an existing
   * deployment's PII_MASTER_KEY, so the rows it wrapped stay readable) or a new random key.
   */
  constructor(
    readonly dir: string,
    seed?: Buffer,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
    if (this.ids().length === 0) this.write(seed ? FIRST_MASTER_KEY_ID : idOf(1), seed ?? randomBytes(32));
  }

  current(): MasterKey {
    const [current] = this.all();
    if (!current) throw new Error(`The key directory ${this.dir} holds no master key`);
    return current;
  }

  all(): MasterKey[] {
    const ids = this.ids();
    for (const [id, key] of this.cache) {
      if (!ids.includes(id)) {
        key.fill(0);
        this.cache.delete(id);
      }
    }
    return ids.map((id) => ({ id, key: this.read(id) }));
  }

  create(): MasterKey {
    const latest = this.ids()[0];
    const generation = latest ? Number(KEY_FILE.exec(`${latest}.key`)![2]) + 1 : 1;
    const created = { id: idOf(generation), key: randomBytes(32) };
    if (!this.write(created.id, created.key)) throw new Error(`Master key ${created.id} was created meanwhile`);
    return created;
  }

  destroy(id: string): void {
    const file = this.fileOf(id);
    // Overwritten first, for file systems that reuse the blocks in place; a copy-on-write file
    // system or a snapshot may still hold the old blocks — which is why production uses a KMS.
    try {
      writeFileSync(file, Buffer.alloc(64), { flag: 'r+' });
    } catch {
      /* already gone */
    }
    rmSync(file, { force: true });
    this.cache.get(id)?.fill(0);
    this.cache.delete(id);
  }

  /** Ids of the keys in the directory, newest (current) first. */
  private ids(): string[] {
    return readdirSync(this.dir)
      .map((name) => KEY_FILE.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .sort()
      .reverse();
  }

  private read(id: string): Buffer {
    let key = this.cache.get(id);
    if (!key) {
      key = decode(readFileSync(this.fileOf(id), 'utf8'), this.fileOf(id));
      this.cache.set(id, key);
    }
    return key;
  }

  /**
   * Written whole under a temporary name, then linked into place: a reader never sees half a key,
   * and of two processes creating the same generation (two first starts) exactly one wins.
   */
  private write(id: string, key: Buffer): boolean {
    const temporary = join(this.dir, `.${id}.${randomBytes(6).toString('hex')}.tmp`);
    const fd = openSync(temporary, 'wx', 0o600);
    try {
      writeSync(fd, `${key.toString('base64')}\n`);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, this.fileOf(id));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return false;
    } finally {
      rmSync(temporary, { force: true });
    }
  }

  private fileOf(id: string): string {
    return join(this.dir, `${id}.key`);
  }
}

/** The ring of a deployment: its key directory when it names one, else PII_MASTER_KEY alone. */
export function openKeyRing(options: { dir?: string; masterKey?: Buffer }): MasterKeyRing {
  if (options.dir) return new FileKeyRing(options.dir, options.masterKey);
  if (options.masterKey) return new StaticKeyRing(options.masterKey);
  throw new Error('A PII key directory (PII_KEY_DIR) or master key (PII_MASTER_KEY) is required');
}
