/**
 * The key vault: one AES-256 data key per data subject, kept wrapped (AES-256-GCM) by the master
 * key in its own PostgreSQL schema, `privacy`, shared by the services the way the embedded bus is
 * (in production this stands for a KMS). Erasing a subject destroys its keys: every field sealed
 * with them is unreadable from then on, wherever a copy went (event stores, topics, projections).
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { openDatabase, type Database, type Migration } from '@complaints/eventstore';
import { revealWith, seal, sealedKeyIds } from './sealed';
import { pseudonymKey, subjectIdFor } from './subject';

export const privacyMigrations: Migration[] = [
  {
    name: 'PrivacyDataKeys1763800009000',
    up: `
      CREATE TABLE data_keys (
        key_id uuid PRIMARY KEY,
        subject_id text NOT NULL,
        -- iv (12) | tag (16) | wrapped key (32); NULL once the subject is erased.
        wrapped_key bytea,
        created_at timestamptz NOT NULL DEFAULT now(),
        erased_at timestamptz,
        CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
      );
      CREATE UNIQUE INDEX data_keys_live_per_subject ON data_keys (subject_id) WHERE erased_at IS NULL;
    `,
  },
];

export interface KeyVaultOptions {
  url: string;
  /** 32 bytes (PII_MASTER_KEY): wraps every data key and derives the subject-id pseudonym key. */
  masterKey: Buffer;
  applicationName?: string;
}

/** A subject's data key as a sealer of personal fields; `keep()` stores it if it is new. */
export interface DataKey {
  seal: (plain: string) => string;
  keep: () => Promise<void>;
}

export class KeyVault {
  private readonly subjectKey: Buffer;

  private constructor(
    private readonly db: Database,
    private readonly masterKey: Buffer,
  ) {
    this.subjectKey = pseudonymKey(masterKey);
  }

  static async open(options: KeyVaultOptions): Promise<KeyVault> {
    if (options.masterKey.length !== 32) throw new Error('The PII master key must be 32 bytes');
    const db = await openDatabase({
      url: options.url,
      schema: 'privacy',
      tenantScoped: false, // no tenant rows: see DatabaseOptions
      migrations: privacyMigrations,
      applicationName: `${options.applicationName ?? 'service'}-privacy`,
      poolSize: 2,
    });
    return new KeyVault(db, options.masterKey);
  }

  subjectId(tenant: string, identity: string): string {
    return subjectIdFor(this.subjectKey, tenant, identity);
  }

  /**
   * The subject's live data key, or a new one (for a new or erased subject) that is stored only
   * when the caller calls `keep()` — after its decision was taken, so a refused request leaves no key
   * behind. Callers serialise per subject (intake holds a per-subject lock) so two new keys never race.
   */
  async dataKeyFor(subjectId: string): Promise<DataKey> {
    const { rows } = await this.db.query<{ key_id: string; wrapped_key: Buffer }>(
      'SELECT key_id, wrapped_key FROM data_keys WHERE subject_id = $1 AND erased_at IS NULL',
      [subjectId],
    );
    const live = rows[0];
    if (live) {
      const key = this.unwrap(live.key_id, subjectId, live.wrapped_key);
      return { seal: (plain) => seal(plain, live.key_id, key), keep: async () => undefined };
    }
    const keyId = randomUUID();
    const key = randomBytes(32);
    return {
      seal: (plain) => seal(plain, keyId, key),
      keep: async () => {
        await this.db.query('INSERT INTO data_keys (key_id, subject_id, wrapped_key) VALUES ($1, $2, $3)', [
          keyId,
          subjectId,
          this.wrap(keyId, subjectId, key),
        ]);
      },
    };
  }

  /**
   * A sealer with the subject's live data key, for a service that writes about a subject intake
   * registered (resolution's free text). It never stores a key: for a subject with no live key —
   * erased — it seals with a key that is thrown away, so what is written about an erased subject
   * reads as ERASED from the start, and the erasure cannot be undone by a later write.
   */
  async sealerFor(subjectId: string): Promise<(plain: string) => string> {
    return (await this.dataKeyFor(subjectId)).seal; // never kept: see above
  }

  /** The value with every sealed field in plain text, or ERASED where the subject was erased. */
  async reveal<T>(value: T): Promise<T> {
    const ids = sealedKeyIds(value);
    if (ids.length === 0) return value;
    const { rows } = await this.db.query<{ key_id: string; subject_id: string; wrapped_key: Buffer | null }>(
      'SELECT key_id, subject_id, wrapped_key FROM data_keys WHERE key_id = ANY($1::uuid[])',
      [ids],
    );
    const keys = new Map(
      rows.map((r) => [r.key_id, r.wrapped_key ? this.unwrap(r.key_id, r.subject_id, r.wrapped_key) : null]),
    );
    return revealWith(value, keys);
  }

  /** Crypto-shredding: destroys every data key of the subject. Idempotent; returns how many it destroyed. */
  async erase(subjectId: string): Promise<number> {
    const { rows } = await this.db.query(
      'UPDATE data_keys SET wrapped_key = NULL, erased_at = now() WHERE subject_id = $1 AND erased_at IS NULL RETURNING key_id',
      [subjectId],
    );
    return rows.length;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private wrap(keyId: string, subjectId: string, key: Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv);
    cipher.setAAD(Buffer.from(`${keyId}\n${subjectId}`));
    const wrapped = Buffer.concat([cipher.update(key), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), wrapped]);
  }

  private unwrap(keyId: string, subjectId: string, stored: Buffer): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, stored.subarray(0, 12));
    decipher.setAAD(Buffer.from(`${keyId}\n${subjectId}`));
    decipher.setAuthTag(stored.subarray(12, 28));
    return Buffer.concat([decipher.update(stored.subarray(28)), decipher.final()]);
  }
}
