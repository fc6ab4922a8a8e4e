/**
 * The key vault: one AES-256 data key per data subject, kept wrapped (AES-256-GCM) by the master
 * key in its own PostgreSQL schema, `privacy`, shared by the services the way the embedded bus is
 * (in production this stands for a KMS). Erasing a subject destroys its keys: every field sealed
 * with them is unreadable from then on, wherever a copy went (event stores, topics, projections).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
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
  {
    name: 'PrivacyDataKeyTenants1763800009200',
    // A key belongs to (tenant, subject): read, stored, revealed and destroyed only for its tenant.
    // Keys stored before carry no tenant; a subject id is a keyed pseudonym of the tenant and the
    // identity (subject.ts), so only that tenant's registrations ever name it, and the first one
    // that does claims it (data_key_for). The function runs as the owner for the tenant role and
    // serves a transaction only the tenant it is scoped to.
    up: `
      ALTER TABLE data_keys ADD COLUMN tenant text;
      DROP INDEX data_keys_live_per_subject;
      CREATE UNIQUE INDEX data_keys_live_per_tenant_subject ON data_keys (tenant, subject_id) WHERE erased_at IS NULL;
      CREATE INDEX data_keys_by_subject ON data_keys (subject_id);
      DROP FUNCTION data_key_for(text, uuid, bytea);
      CREATE FUNCTION data_key_for(p_tenant text, p_subject_id text, p_new_key_id uuid, p_new_wrapped_key bytea)
        RETURNS TABLE (key_id uuid, wrapped_key bytea)
        LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
      BEGIN
        IF coalesce(current_setting('app.tenant', true), '') NOT IN ('', p_tenant) THEN
          RAISE EXCEPTION 'data_key_for: tenant % is not the transaction''s tenant', p_tenant
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        UPDATE data_keys k SET tenant = p_tenant
         WHERE k.subject_id = p_subject_id AND k.tenant IS NULL AND k.erased_at IS NULL;
        RETURN QUERY SELECT k.key_id, k.wrapped_key FROM data_keys k
          WHERE k.tenant = p_tenant AND k.subject_id = p_subject_id AND k.erased_at IS NULL;
        IF NOT FOUND THEN
          INSERT INTO data_keys (key_id, tenant, subject_id, wrapped_key)
          VALUES (p_new_key_id, p_tenant, p_subject_id, p_new_wrapped_key);
          RETURN QUERY SELECT p_new_key_id, p_new_wrapped_key;
        END IF;
      END $$;
      REVOKE ALL ON FUNCTION data_key_for(text, text, uuid, bytea) FROM PUBLIC;
      GRANT EXECUTE ON FUNCTION data_key_for(text, text, uuid, bytea) TO ${TENANT_ROLE};
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
}

/** A subject's data key as a sealer of personal fields; `keep()` stores it if it is new. */
export interface DataKey {
  seal: (plain: string) => string;
  /**
   * Keyed hashes of the values (HMAC-SHA256 with a key derived from the data key, 64 bits each):
   * equal values give equal tags for as long as the subject's key lives, and nothing once it is
   * destroyed, so what is matched on (intake's description trigrams) needs no plain copy and
   * cannot be linked to anything after an erasure.
   */
  tags: (values: readonly string[]) => string[];
  keep: () => Promise<void>;
}

function dataKey(keyId: string, key: Buffer, keep: () => Promise<void> = async () => undefined): DataKey {
  const tagKey = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'complaints/matching-tags', 32));
  return {
    seal: (plain) => seal(plain, keyId, key),
    tags: (values) => values.map((v) => createHmac('sha256', tagKey).update(v).digest('hex').slice(0, 16)),
    keep,
  };
}

/** Keys stored before keys had a tenant (PrivacyDataKeyTenants) serve the tenant whose subject id they carry. */
const OF_TENANT = '(tenant = $1 OR tenant IS NULL)';

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
      poolSize: 2,
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
   * has nothing left to do. Otherwise `tx` is not used. A key is the tenant's: another tenant's key
   * for the same subject id is never returned.
   */
  async dataKeyFor(tenant: string, subjectId: string, tx?: SqlClient): Promise<DataKey> {
    if (tx && this.sharesServiceDatabase) return this.dataKeyIn(tx, tenant, subjectId);
    const { rows } = await this.db.query<{ key_id: string; wrapped_key: Buffer }>(
      `SELECT key_id, wrapped_key FROM data_keys WHERE ${OF_TENANT} AND subject_id = $2 AND erased_at IS NULL`,
      [tenant, subjectId],
    );
    const live = rows[0];
    if (live) return dataKey(live.key_id, this.unwrap(live.key_id, subjectId, live.wrapped_key));
    const keyId = randomUUID();
    const key = randomBytes(32);
    return dataKey(keyId, key, async () => {
      await this.db.query('INSERT INTO data_keys (key_id, tenant, subject_id, wrapped_key) VALUES ($1, $2, $3, $4)', [
        keyId,
        tenant,
        subjectId,
        this.wrap(keyId, subjectId, key),
      ]);
    });
  }

  private async dataKeyIn(tx: SqlClient, tenant: string, subjectId: string): Promise<DataKey> {
    const offered = { keyId: randomUUID(), key: randomBytes(32) };
    const { rows } = await tx.query<{ key_id: string; wrapped_key: Buffer }>(
      `SELECT key_id, wrapped_key FROM ${this.db.schema}.data_key_for($1, $2, $3, $4)`,
      [tenant, subjectId, offered.keyId, this.wrap(offered.keyId, subjectId, offered.key)],
    );
    const { key_id: keyId, wrapped_key: wrapped } = rows[0]!;
    return dataKey(keyId, keyId === offered.keyId ? offered.key : this.unwrap(keyId, subjectId, wrapped));
  }

  /**
   * A sealer with the subject's live data key, for a service that writes about a subject intake
   * registered (resolution's free text). It never stores a key: for a subject with no live key —
   * erased — it seals with a key that is thrown away, so what is written about an erased subject
   * reads as ERASED from the start, and the erasure cannot be undone by a later write.
   */
  async sealerFor(tenant: string, subjectId: string): Promise<(plain: string) => string> {
    return (await this.dataKeyFor(tenant, subjectId)).seal; // never kept: see above
  }

  /**
   * The value with every sealed field in plain text, or ERASED where the subject was erased — or
   * where the field was sealed with another tenant's key: a tenant reads only what it sealed.
   */
  async reveal<T>(tenant: string, value: T): Promise<T> {
    const ids = sealedKeyIds(value);
    if (ids.length === 0) return value;
    const { rows } = await this.db.query<{ key_id: string; subject_id: string; wrapped_key: Buffer | null }>(
      `SELECT key_id, subject_id, wrapped_key FROM data_keys WHERE ${OF_TENANT} AND key_id = ANY($2::uuid[])`,
      [tenant, ids],
    );
    const keys = new Map(
      rows.map((r) => [r.key_id, r.wrapped_key ? this.unwrap(r.key_id, r.subject_id, r.wrapped_key) : null]),
    );
    return revealWith(value, keys);
  }

  /**
   * Crypto-shredding: destroys every data key of the tenant's subject, none of another tenant.
   * Idempotent; returns how many it destroyed.
   */
  async erase(tenant: string, subjectId: string): Promise<number> {
    const { rows } = await this.db.query(
      `UPDATE data_keys SET wrapped_key = NULL, erased_at = now()
        WHERE ${OF_TENANT} AND subject_id = $2 AND erased_at IS NULL RETURNING key_id`,
      [tenant, subjectId],
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
