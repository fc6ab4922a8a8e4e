/**
 * The key vault: one AES-256 data key per data subject, kept wrapped (AES-256-GCM) by the master
 * key in its own PostgreSQL schema, `privacy`, shared by the services the way the embedded bus is
 * (in production this stands for a KMS). Erasing a subject destroys its keys: every field sealed
 * with them is unreadable from then on, wherever a copy went (event stores, topics, projections).
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import {
  ensureTenantRoleSql,
  openDatabase,
  TENANT_ROLE,
  type Database,
  type Migration,
  type SqlClient,
} from '@complaints/eventstore';
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
  {
    name: 'PrivacyKeysInServiceTransactions1763800009100',
    // A service whose database holds the vault reads and stores a subject's key in its own
    // transaction (KeyVault.dataKeyFor with a transaction), which may run as the tenant role: that
    // role may call this function and nothing else here. It returns the live key, or stores the
    // offered new one and returns that; the caller's transaction commits or rolls it back.
    up: `
      ${ensureTenantRoleSql()}
      CREATE FUNCTION data_key_for(p_subject_id text, p_new_key_id uuid, p_new_wrapped_key bytea)
        RETURNS TABLE (key_id uuid, wrapped_key bytea)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
      BEGIN
        RETURN QUERY SELECT k.key_id, k.wrapped_key FROM data_keys k
          WHERE k.subject_id = p_subject_id AND k.erased_at IS NULL;
        IF NOT FOUND THEN
          INSERT INTO data_keys (key_id, subject_id, wrapped_key) VALUES (p_new_key_id, p_subject_id, p_new_wrapped_key);
          RETURN QUERY SELECT p_new_key_id, p_new_wrapped_key;
        END IF;
      END $$;
      REVOKE ALL ON FUNCTION data_key_for(text, uuid, bytea) FROM PUBLIC;
      GRANT USAGE ON SCHEMA privacy TO ${TENANT_ROLE};
      GRANT EXECUTE ON FUNCTION data_key_for(text, uuid, bytea) TO ${TENANT_ROLE};
    `,
  },
];

export interface KeyVaultOptions {
  url: string;
  /** 32 bytes (PII_MASTER_KEY): wraps every data key and derives the subject-id pseudonym key. */
  masterKey: Buffer;
  applicationName?: string;
  /**
   * The database of the service using the vault. When it is the vault's own (the default
   * deployment), `dataKeyFor` with a transaction keeps a new key in that transaction.
   */
  serviceDatabaseUrl?: string;
  /** Its pool's most connections (PII_VAULT_POOL_SIZE); 2 by default. */
  poolSize?: number;
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
    /** Whether the service's transactions run in the vault's database (KeyVaultOptions.serviceDatabaseUrl). */
    private readonly sharesServiceDatabase: boolean,
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
      poolSize: options.poolSize ?? 2,
    });
    return new KeyVault(db, options.masterKey, options.serviceDatabaseUrl === options.url);
  }

  subjectId(tenant: string, identity: string): string {
    return subjectIdFor(this.subjectKey, tenant, identity);
  }

  /**
   * The subject's live data key, or a new one (for a new or erased subject) that is stored only
   * when the caller calls `keep()` — after its decision was taken, so a refused request leaves no key
   * behind. Callers serialise per subject (intake holds a per-subject lock) so two new keys never race.
   *
   * Given `tx`, a transaction of the service's database: when the vault lives in that database, the
   * key is read, and a new one stored, in `tx` (one statement), so the key commits or rolls back
   * with the caller's work — a refused request, which rolls back, leaves no key behind — and `keep()`
   * has nothing left to do. Otherwise `tx` is not used.
   */
  async dataKeyFor(subjectId: string, tx?: SqlClient): Promise<DataKey> {
    if (tx && this.sharesServiceDatabase) return this.dataKeyIn(tx, subjectId);
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

  private async dataKeyIn(tx: SqlClient, subjectId: string): Promise<DataKey> {
    const offered = { keyId: randomUUID(), key: randomBytes(32) };
    const { rows } = await tx.query<{ key_id: string; wrapped_key: Buffer }>(
      `SELECT key_id, wrapped_key FROM ${this.db.schema}.data_key_for($1, $2, $3)`,
      [subjectId, offered.keyId, this.wrap(offered.keyId, subjectId, offered.key)],
    );
    const { key_id: keyId, wrapped_key: wrapped } = rows[0]!;
    const key = keyId === offered.keyId ? offered.key : this.unwrap(keyId, subjectId, wrapped);
    return { seal: (plain) => seal(plain, keyId, key), keep: async () => undefined };
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
