/**
 * The key vault: one AES-256 data key per data subject, kept wrapped (AES-256-GCM) by a master
 * key of the ring (master-key-ring.ts) in its own PostgreSQL schema, `privacy`, shared by the
 * services the way the embedded bus is (in production this stands for a KMS). Erasing a subject
 * destroys its keys: every field sealed with them is unreadable from then on, wherever a copy went
 * (event stores, topics, projections). Its old wrapped key may survive in WAL segments, archives and
 * backups until `rotate` has re-wrapped every live key under a new master key and destroyed the old
 * one: from then on no copy of it unwraps.
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
import { FIRST_MASTER_KEY_ID, StaticKeyRing, type MasterKey, type MasterKeyRing } from './master-key-ring';
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
  {
    name: 'PrivacyMasterKeyRing1763800009500',
    // Which master key wrapped each live data key (rows from before the ring were wrapped by
    // PII_MASTER_KEY, the ring's first key). A writer names it in the row, or — through
    // data_key_for, whose arguments stay as they are — in the transaction's setting
    // privacy.master_key_id. A key wrapped by a master key that rotation has retired is refused:
    // that master key is about to be destroyed, and the key would be lost with it.
    // `secrets` holds the subject-id pseudonym key, wrapped like a data key and re-wrapped with
    // them, so that rotating the master key never changes a subject id.
    up: `
      ALTER TABLE data_keys ADD COLUMN master_key_id text;
      UPDATE data_keys SET master_key_id = '${FIRST_MASTER_KEY_ID}' WHERE wrapped_key IS NOT NULL;
      ALTER TABLE data_keys ADD CONSTRAINT data_keys_master_key_named CHECK ((wrapped_key IS NULL) = (master_key_id IS NULL));
      CREATE INDEX data_keys_by_master_key ON data_keys (master_key_id) WHERE wrapped_key IS NOT NULL;
      CREATE INDEX data_keys_erased ON data_keys (erased_at) WHERE erased_at IS NOT NULL;
      CREATE TABLE retired_master_keys (
        master_key_id text PRIMARY KEY,
        retired_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE key_rotations (
        master_key_id text PRIMARY KEY,
        rewrapped integer NOT NULL,
        retired text[] NOT NULL,
        rotated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE secrets (
        name text PRIMARY KEY,
        master_key_id text NOT NULL,
        -- iv (12) | tag (16) | wrapped secret (32)
        wrapped bytea NOT NULL
      );
      CREATE FUNCTION data_keys_master_key() RETURNS trigger
        LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
      BEGIN
        IF NEW.wrapped_key IS NULL THEN
          NEW.master_key_id := NULL;
          RETURN NEW;
        END IF;
        IF NEW.master_key_id IS NULL OR (TG_OP = 'UPDATE' AND NEW.wrapped_key IS DISTINCT FROM OLD.wrapped_key
            AND NEW.master_key_id IS NOT DISTINCT FROM OLD.master_key_id) THEN
          NEW.master_key_id := nullif(current_setting('privacy.master_key_id', true), '');
        END IF;
        IF NEW.master_key_id IS NULL THEN
          RAISE EXCEPTION 'data key % has no master key id', NEW.key_id;
        END IF;
        IF EXISTS (SELECT 1 FROM retired_master_keys r WHERE r.master_key_id = NEW.master_key_id) THEN
          RAISE EXCEPTION 'data key % is wrapped by the retired master key %: wrap it again', NEW.key_id, NEW.master_key_id
            USING ERRCODE = '40001';
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER data_keys_master_key BEFORE INSERT OR UPDATE ON data_keys
        FOR EACH ROW EXECUTE FUNCTION data_keys_master_key();
    `,
  },
];

/** The secret behind subject ids, in `secrets`. */
const PSEUDONYM_SECRET = 'subject-pseudonym';
const ROTATION_LOCK = 'privacy:master-key-rotation';
const REWRAP_BATCH = 500;
const MISMATCHED_RING =
  "this vault's keys: the key ring is not the one this vault was written with (moving from PII_MASTER_KEY to PII_KEY_DIR, keep PII_MASTER_KEY set until the ring holds it)";

/** What a rotation did: the new master key, how many live keys it re-wrapped, the keys it destroyed. */
export interface Rotation {
  masterKeyId: string;
  rewrapped: number;
  destroyed: string[];
}

export interface KeyVaultOptions {
  url: string;
  /** The master keys (PII_KEY_DIR); or */
  keyRing?: MasterKeyRing;
  /** 32 bytes (PII_MASTER_KEY) alone: a ring of one key that cannot rotate. */
  masterKey?: Buffer;
  applicationName?: string;
  /**
   * The database of the service using the vault. When it is the vault's own (the default
   * deployment), `dataKeyFor` with a transaction keeps a new key in that transaction.
   */
  serviceDatabaseUrl?: string;
  /** How long a rotation keeps the old master keys after its commit, for reads in flight (default 1 s). */
  destroyGraceMs?: number;
  /** Its pool's most connections (PII_VAULT_POOL_SIZE); 2 by default. */
  poolSize?: number;
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
  private subjectKey: Buffer = Buffer.alloc(0);

  private constructor(
    private readonly db: Database,
    private readonly ring: MasterKeyRing,
    /** Whether the service's transactions run in the vault's database (KeyVaultOptions.serviceDatabaseUrl). */
    private readonly sharesServiceDatabase: boolean,
    private readonly destroyGraceMs: number,
  ) {}

  static async open(options: KeyVaultOptions): Promise<KeyVault> {
    const ring = options.keyRing ?? (options.masterKey ? new StaticKeyRing(options.masterKey) : undefined);
    if (!ring) throw new Error('The key vault needs a master key ring (PII_KEY_DIR) or key (PII_MASTER_KEY)');
    const db = await openDatabase({
      url: options.url,
      schema: 'privacy',
      tenantScoped: false, // no tenant rows: see DatabaseOptions
      migrations: privacyMigrations,
      applicationName: `${options.applicationName ?? 'service'}-privacy`,
      poolSize: options.poolSize ?? 2,
    });
    const vault = new KeyVault(db, ring, options.serviceDatabaseUrl === options.url, options.destroyGraceMs ?? 1000);
    try {
      vault.subjectKey = await vault.pseudonymSecret();
    } catch (error) {
      await db.close();
      throw error;
    }
    return vault;
  }

  /** Whether the ring can rotate (a key directory, not PII_MASTER_KEY alone). */
  get rotatable(): boolean {
    return this.ring.rotatable;
  }

  /**
   * The subject-id pseudonym key: stored once, wrapped by the current master key and re-wrapped by
   * every rotation, so subject ids never change with the master key. The first vault to open makes
   * it from the master key in force then — for a deployment from before the ring, PII_MASTER_KEY,
   * whose ids it had always derived this way — so existing subject ids stay the same.
   */
  private async pseudonymSecret(): Promise<Buffer> {
    const { rows: stored } = await this.db.query<{ wrapped: Buffer }>('SELECT wrapped FROM secrets WHERE name = $1', [
      PSEUDONYM_SECRET,
    ]);
    if (stored[0]) return this.unwrapWith(secretAad(PSEUDONYM_SECRET), stored[0].wrapped, MISMATCHED_RING);
    // The first open since the ring: a new ring (PII_KEY_DIR without PII_MASTER_KEY) on a vault with
    // keys would derive other subject ids and read everyone as erased — refuse instead.
    const { rows: sample } = await this.db.query<{ key_id: string; subject_id: string; wrapped_key: Buffer }>(
      'SELECT key_id, subject_id, wrapped_key FROM data_keys WHERE wrapped_key IS NOT NULL LIMIT 1',
    );
    if (sample[0])
      this.unwrapWith(dataKeyAad(sample[0].key_id, sample[0].subject_id), sample[0].wrapped_key, MISMATCHED_RING);
    const first = this.ring.current();
    await this.db.query(
      'INSERT INTO secrets (name, master_key_id, wrapped) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
      [PSEUDONYM_SECRET, first.id, wrapWith(first.key, secretAad(PSEUDONYM_SECRET), pseudonymKey(first.key))],
    );
    const { rows } = await this.db.query<{ wrapped: Buffer }>('SELECT wrapped FROM secrets WHERE name = $1', [
      PSEUDONYM_SECRET,
    ]);
    return this.unwrapWith(secretAad(PSEUDONYM_SECRET), rows[0]!.wrapped, MISMATCHED_RING);
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
      const { masterKeyId, wrapped } = this.wrap(keyId, subjectId, key);
      await this.db.query(
        'INSERT INTO data_keys (key_id, tenant, subject_id, wrapped_key, master_key_id) VALUES ($1, $2, $3, $4, $5)',
        [keyId, tenant, subjectId, wrapped, masterKeyId],
      );
    });
  }

  private async dataKeyIn(tx: SqlClient, tenant: string, subjectId: string): Promise<DataKey> {
    const offered = { keyId: randomUUID(), key: randomBytes(32) };
    const { masterKeyId, wrapped: offeredWrapped } = this.wrap(offered.keyId, subjectId, offered.key);
    // data_key_for's row names its master key from this setting (see PrivacyMasterKeyRing).
    await tx.query(`SELECT set_config('privacy.master_key_id', $1, true)`, [masterKeyId]);
    const { rows } = await tx.query<{ key_id: string; wrapped_key: Buffer }>(
      `SELECT key_id, wrapped_key FROM ${this.db.schema}.data_key_for($1, $2, $3, $4)`,
      [tenant, subjectId, offered.keyId, offeredWrapped],
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

  /**
   * Master-key rotation: a new master key becomes current (every process wraps with it from its
   * next key on), every live data key and the pseudonym secret are re-wrapped under it, and once
   * that has committed the old master keys are destroyed: from then on the copies of erased
   * subjects' keys in WAL segments, archives and backups unwrap with nothing that exists. Erased
   * keys are NULL and stay so. One instance at a time (an advisory lock): answers undefined when
   * another one is rotating, or when `onlyIfDue` and no rotation is due.
   *
   * Live keys are re-wrapped in batches that lock only their own rows; a last pass holds off new
   * keys (a table lock, for as long as the few keys written meanwhile take) and retires the old
   * master keys in the same transaction, so a key a slow writer wrapped with an old one afterwards
   * is refused (the registration fails and is retried) rather than lost.
   */
  async rotate(options: { onlyIfDue?: { intervalMs: number } } = {}): Promise<Rotation | undefined> {
    if (!this.ring.rotatable) throw new Error('PII_MASTER_KEY alone cannot rotate: name a key directory (PII_KEY_DIR)');
    const session = await this.db.session();
    try {
      const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        ROTATION_LOCK,
      ]);
      if (!rows[0]?.locked) return undefined;
      try {
        if (options.onlyIfDue && !(await this.rotationDue(session, options.onlyIfDue.intervalMs))) return undefined;
        return await this.rotateLocked(session);
      } finally {
        await session.query('SELECT pg_advisory_unlock(hashtext($1))', [ROTATION_LOCK]);
      }
    } finally {
      await session.release();
    }
  }

  /** Due when a key was erased since the last rotation, or the last one is `intervalMs` old (0: never for age). */
  private async rotationDue(sql: SqlClient, intervalMs: number): Promise<boolean> {
    const { rows } = await sql.query<{ due: boolean | null }>(
      `WITH last AS (SELECT coalesce((SELECT max(rotated_at) FROM key_rotations),
                                     (SELECT min(created_at) FROM data_keys)) AS at)
       SELECT (SELECT max(erased_at) FROM data_keys) > last.at
              OR ($1::bigint > 0 AND last.at < now() - make_interval(secs => $1::double precision / 1000)) AS due
       FROM last`,
      [intervalMs],
    );
    return rows[0]?.due === true;
  }

  private async rotateLocked(session: SqlClient): Promise<Rotation> {
    const next = this.ring.create();
    const old = this.ring.all().filter((k) => k.id !== next.id);
    let rewrapped = 0;
    for (;;) {
      const batch = await this.inTransaction(session, () => this.rewrapLive(session, next, REWRAP_BATCH));
      rewrapped += batch;
      if (batch < REWRAP_BATCH) break;
    }
    await this.inTransaction(session, async () => {
      await session.query('LOCK TABLE data_keys IN SHARE ROW EXCLUSIVE MODE');
      rewrapped += await this.rewrapLive(session, next);
      const { rows } = await session.query<{ name: string; wrapped: Buffer }>(
        'SELECT name, wrapped FROM secrets WHERE master_key_id <> $1 FOR UPDATE',
        [next.id],
      );
      for (const { name, wrapped } of rows) {
        const secret = this.unwrapWith(secretAad(name), wrapped, `the ${name} secret`);
        await session.query('UPDATE secrets SET master_key_id = $1, wrapped = $2 WHERE name = $3', [
          next.id,
          wrapWith(next.key, secretAad(name), secret),
          name,
        ]);
      }
      const retired = old.map((k) => k.id);
      await session.query(
        'INSERT INTO retired_master_keys (master_key_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING',
        [retired],
      );
      await session.query('INSERT INTO key_rotations (master_key_id, rewrapped, retired) VALUES ($1, $2, $3)', [
        next.id,
        rewrapped,
        retired,
      ]);
    });
    // Only now that every live key unwraps with the new master key may the old ones go — after a
    // moment, for a reader that fetched a row just before the commit and is about to unwrap it.
    await new Promise((resolve) => setTimeout(resolve, this.destroyGraceMs));
    for (const key of old) this.ring.destroy(key.id);
    return { masterKeyId: next.id, rewrapped, destroyed: old.map((k) => k.id) };
  }

  /** Re-wraps (up to `limit`) live data keys not yet under `next`; how many it re-wrapped. */
  private async rewrapLive(tx: SqlClient, next: MasterKey, limit?: number): Promise<number> {
    const { rows } = await tx.query<{ key_id: string; subject_id: string; wrapped_key: Buffer }>(
      `SELECT key_id, subject_id, wrapped_key FROM data_keys
       WHERE wrapped_key IS NOT NULL AND master_key_id <> $1
       ORDER BY key_id ${limit ? `LIMIT ${limit} FOR UPDATE SKIP LOCKED` : 'FOR UPDATE'}`,
      [next.id],
    );
    if (rows.length === 0) return 0;
    const ring = this.ring.all();
    const rewrapped = rows.map((r) => {
      const aad = dataKeyAad(r.key_id, r.subject_id);
      return wrapWith(next.key, aad, this.unwrapWith(aad, r.wrapped_key, `data key ${r.key_id}`, ring));
    });
    await tx.query(
      `UPDATE data_keys d SET wrapped_key = u.wrapped, master_key_id = $1
       FROM unnest($2::uuid[], $3::bytea[]) AS u (key_id, wrapped) WHERE d.key_id = u.key_id`,
      [next.id, rows.map((r) => r.key_id), rewrapped],
    );
    return rows.length;
  }

  private async inTransaction<T>(session: SqlClient, work: () => Promise<T>): Promise<T> {
    await session.query('BEGIN');
    try {
      const result = await work();
      await session.query('COMMIT');
      return result;
    } catch (error) {
      await session.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private wrap(keyId: string, subjectId: string, key: Buffer): { masterKeyId: string; wrapped: Buffer } {
    const master = this.ring.current();
    return { masterKeyId: master.id, wrapped: wrapWith(master.key, dataKeyAad(keyId, subjectId), key) };
  }

  /**
   * The data key, unwrapped by whichever master key of the ring wrapped it (GCM's tag tells; the
   * ring holds one key, two during a rotation), so readers need not know the row's master key id.
   */
  private unwrap(keyId: string, subjectId: string, stored: Buffer): Buffer {
    return this.unwrapWith(dataKeyAad(keyId, subjectId), stored, `data key ${keyId}`);
  }

  private unwrapWith(aad: Buffer, stored: Buffer, what: string, ring = this.ring.all()): Buffer {
    for (const master of ring) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', master.key, stored.subarray(0, 12));
        decipher.setAAD(aad);
        decipher.setAuthTag(stored.subarray(12, 28));
        return Buffer.concat([decipher.update(stored.subarray(28)), decipher.final()]);
      } catch {
        /* not this master key */
      }
    }
    throw new Error(`No master key of the ring unwraps ${what}`);
  }
}

const dataKeyAad = (keyId: string, subjectId: string) => Buffer.from(`${keyId}\n${subjectId}`);
const secretAad = (name: string) => Buffer.from(`secret\n${name}`);

/** iv (12) | tag (16) | ciphertext: AES-256-GCM under a master key, bound to `aad`. */
function wrapWith(masterKey: Buffer, aad: Buffer, key: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv);
  cipher.setAAD(aad);
  const wrapped = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), wrapped]);
}
