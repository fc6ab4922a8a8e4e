/**
 * API keys for channel adapters (a CTI system, a branch counter app, an email gateway): shown once
 * when issued, kept only as a SHA-256 digest, scoped to a tenant and to channels, revocable.
 * A key is `ck_<id>.<secret>`; the id finds the row, the secret is compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { tenantIsolation, type Migration, type SqlClient } from '@complaints/eventstore';
import type { Principal } from './principal';

export const apiKeyMigrations: Migration[] = [
  {
    name: 'ApiKeys1763800000500',
    up: `
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        tenant text NOT NULL,
        name text NOT NULL,
        channels text[] NOT NULL,
        secret_sha256 bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
    `,
  },
  {
    name: 'ApiKeysTenantIsolation1763800000600',
    // Keys are looked up before the caller's tenant is known (unscoped); a scoped request sees its own.
    up: tenantIsolation('api_keys'),
  },
];

export interface IssuedKey {
  id: string;
  key: string;
  tenant: string;
  name: string;
  channels: string[];
}

const digest = (secret: string) => createHash('sha256').update(secret).digest();
const KEY_FORMAT = /^ck_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

/** The id part of a well-formed key (what rate limits count by), or undefined. */
export const apiKeyIdOf = (key: string): string | undefined => KEY_FORMAT.exec(key)?.[1];

export class ApiKeys {
  constructor(private readonly db: SqlClient) {}

  async issue(tenant: string, name: string, channels: string[]): Promise<IssuedKey> {
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    await this.db.query(
      'INSERT INTO api_keys (id, tenant, name, channels, secret_sha256) VALUES ($1, $2, $3, $4, $5)',
      [id, tenant, name, channels, digest(secret)],
    );
    return { id, key: `ck_${id}.${secret}`, tenant, name, channels };
  }

  async revoke(id: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
      [id],
    );
    return (rowCount ?? 0) > 0;
  }

  async list() {
    const { rows } = await this.db.query<{
      id: string;
      tenant: string;
      name: string;
      channels: string[];
      revoked_at: Date | null;
    }>('SELECT id, tenant, name, channels, created_at, revoked_at FROM api_keys ORDER BY created_at');
    return rows;
  }

  /** The adapter a key stands for, or undefined when the key is unknown, revoked or wrong. */
  async verify(key: string): Promise<Principal | undefined> {
    const match = KEY_FORMAT.exec(key);
    if (!match) return undefined;
    const { rows } = await this.db.query<{ tenant: string; name: string; channels: string[]; secret_sha256: Buffer }>(
      'SELECT tenant, name, channels, secret_sha256 FROM api_keys WHERE id = $1 AND revoked_at IS NULL',
      [match[1]],
    );
    const row = rows[0];
    if (!row || !timingSafeEqual(row.secret_sha256, digest(match[2]!))) return undefined;
    return {
      subject: `api-key:${row.name}`,
      tenant: row.tenant,
      roles: ['channel'],
      departments: [],
      channels: row.channels,
      via: 'api-key',
      apiKeyId: match[1]!,
    };
  }
}
