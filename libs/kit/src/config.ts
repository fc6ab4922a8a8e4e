/**
 * Configuration of one service process, from the environment. Every knob is listed in README.md.
 */
import { loadAuthConfig, type AuthConfig } from './auth/auth-config';

export const SERVICES = ['intake', 'routing', 'resolution', 'analytics'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const DEFAULT_PORTS: Record<ServiceName, number> = {
  intake: 3001,
  routing: 3002,
  resolution: 3003,
  analytics: 3004,
};

export interface ServiceConfig {
  service: ServiceName;
  port: number;
  host: string;
  databaseUrl: string;
  /** PostgreSQL schema holding this service's tables. */
  schema: string;
  /** Kafka bootstrap servers; none means the embedded PostgreSQL transport. */
  kafkaBrokers: string[];
  topicPrefix: string;
  partitions: number;
  /** How tokens are verified; required by every HTTP service, not by the command-line tools. */
  auth?: AuthConfig;
  /** Requests per minute per API key, or per client IP without one. */
  rateLimitPerMinute: number;
  /** Browser origins allowed to call the API (CORS); none by default. */
  corsOrigins: string[];
  /** Proxy hops to trust for the client address (rate limits per IP behind an ingress). */
  trustProxy: number;
  /** PII_MASTER_KEY: wraps the per-data-subject keys that encrypt personal data. */
  piiMasterKey: Buffer;
  /** PII_VAULT_URL: the PostgreSQL holding the key vault (schema `privacy`), shared by every service. */
  piiVaultUrl: string;
  /**
   * The most PostgreSQL connections each pool of this service opens (docs/operations.md has the
   * arithmetic): its own schema's, the key vault's, and the embedded bus's (without Kafka only).
   */
  poolSizes: PoolSizes;
}

export interface PoolSizes {
  /** `<SERVICE>_DB_POOL_SIZE`, else DB_POOL_SIZE: requests, consumers, and the relay's session. */
  service: number;
  /** PII_VAULT_POOL_SIZE: data keys. */
  vault: number;
  /** BUS_POOL_SIZE: the embedded transport's log (none is opened with Kafka). */
  bus: number;
}

import { ConfigError } from './config-error';

export { ConfigError };

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  return value;
}

/** A pool size: at least `min`, as fewer connections would deadlock the work sharing them. */
function poolSize(env: NodeJS.ProcessEnv, names: string[], fallback: number, min: number, why: string): number {
  const name = names.find((n) => env[n] !== undefined && env[n] !== '') ?? names[names.length - 1]!;
  const size = integer(env, name, fallback);
  if (size < min) throw new ConfigError(`${name} must be at least ${min} (${why}), got ${size}`);
  return size;
}

export function loadPoolSizes(service: ServiceName, env: NodeJS.ProcessEnv = process.env): PoolSizes {
  return {
    service: poolSize(
      env,
      [`${service.toUpperCase()}_DB_POOL_SIZE`, 'DB_POOL_SIZE'],
      10,
      2,
      'the outbox relay keeps one connection for its lock',
    ),
    vault: poolSize(env, ['PII_VAULT_POOL_SIZE'], 2, 2, 'one connection stalls registrations'),
    bus: poolSize(env, ['BUS_POOL_SIZE'], 4, 2, 'one connection stalls the embedded transport'),
  };
}

/** PII_MASTER_KEY, base64 of 32 bytes: required, as personal data is never stored in plain text. */
export function piiMasterKey(env: NodeJS.ProcessEnv): Buffer {
  const raw = env.PII_MASTER_KEY?.trim();
  if (!raw) {
    throw new ConfigError(
      'PII_MASTER_KEY is required: base64 of 32 random bytes (e.g. `openssl rand -base64 32`) from a secret store; it wraps the keys that encrypt personal data',
    );
  }
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32 || key.toString('base64') !== raw) {
    throw new ConfigError(`PII_MASTER_KEY must be base64 of exactly 32 bytes, got ${key.length} bytes`);
  }
  return key;
}

export function loadServiceConfig(service: ServiceName, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    throw new ConfigError(
      'DATABASE_URL is required (e.g. postgres://postgres@127.0.0.1:5432/complaints); `npm start` runs everything embedded without it',
    );
  }
  const upper = service.toUpperCase();
  return {
    service,
    port: integer(env, `${upper}_PORT`, integer(env, 'PORT', DEFAULT_PORTS[service])),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl,
    schema: env[`${upper}_DB_SCHEMA`] ?? service,
    kafkaBrokers: (env.KAFKA_BROKERS ?? '')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    topicPrefix: env.TOPIC_PREFIX ?? '',
    partitions: integer(env, 'KAFKA_PARTITIONS', 6),
    auth: loadAuthConfig(env),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 3000),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    trustProxy: integer(env, 'TRUST_PROXY_HOPS', 0),
    piiMasterKey: piiMasterKey(env),
    piiVaultUrl: env.PII_VAULT_URL || databaseUrl,
    poolSizes: loadPoolSizes(service, env),
  };
}
