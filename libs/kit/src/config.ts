/**
 * Configuration of one service process, from the environment. Every knob is listed in README.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { AuditKeyError, loadAuditKeys, type AuditKeys } from '@complaints/eventstore';
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
  /** TEST_CLOCK=enabled: `PUT /test/clock` moves this service's time (refused with NODE_ENV=production). */
  testClock: boolean;
  port: number;
  host: string;
  databaseUrl: string;
  /** PostgreSQL schema holding this service's tables. */
  schema: string;
  /** Kafka bootstrap servers; none means the embedded PostgreSQL transport. */
  kafkaBrokers: string[];
  topicPrefix: string;
  partitions: number;
  /** How a consumer group notices a member that died without leaving (a clean stop leaves at once). */
  kafkaSession: KafkaSessionConfig;
  /**
   * INSTANCE_ID: which process of the service this is (default `<hostname>-<pid>`), on every log
   * line, PostgreSQL session (`application_name`), Kafka client id, health answer and metric.
   */
  instanceId: string;
  /** How tokens are verified; required by every HTTP service, not by the command-line tools. */
  auth?: AuthConfig;
  /** Requests per minute per API key, or per client IP without one. */
  rateLimitPerMinute: number;
  /** Browser origins allowed to call the API (CORS); none by default. */
  corsOrigins: string[];
  /** Proxy hops to trust for the client address (rate limits per IP behind an ingress). */
  trustProxy: number;
  /** The master keys wrapping the per-data-subject keys that encrypt personal data, and their rotation. */
  piiKeys: PiiKeyConfig;
  /** PII_VAULT_URL: the PostgreSQL holding the key vault (schema `privacy`), shared by every service. */
  piiVaultUrl: string;
  /**
   * The most PostgreSQL connections each pool of this service opens (docs/operations.md has the
   * arithmetic): its own schema's, the key vault's, and the embedded bus's (without Kafka only).
   */
  poolSizes: PoolSizes;
  audit: AuditConfig;
  /**
   * EVENTS_WRITE_PREVIOUS_SHAPE (default false): the relay writes events in the previous wire shape
   * instead of the CloudEvents binary mode, for consumers not yet upgraded; this release only
   * (docs/events.md says how it is retired).
   */
  writePreviousEventShape: boolean;
  /** How long de-duplication rows are kept (the inbox, intake's Idempotency-Keys) and how often they are pruned. */
  dedupRetention: DedupRetentionConfig;
  /** The policy files and directories read at start; unset means the ones shipped in the repository. */
  policyFiles: PolicyFilesConfig;
  /** Resolution's SLA monitor. */
  slaMonitor: SlaMonitorConfig;
  /** The seeds (version 0) of the `sla` policy kind: what a tenant runs until it publishes a version. */
  slaSeeds: SlaSeedsConfig;
}

export interface SlaSeedsConfig {
  /** SLA_POLICY_DIR: a directory of `<tenant>.json` SLA documents (libs/sla checks them at start). */
  policyDir?: string;
  /** SLA_TENANT_REGIMES: `tenant=regime,…`, the shorthand seed running one regime for everything. */
  tenantRegimes?: string;
}

export interface DedupRetentionConfig {
  /**
   * DEDUP_RETENTION_DAYS (default 30, at least 8): a row goes once it is this old. A message comes
   * again while its consumer group has not committed past it — a crash or rebalance, seconds to
   * minutes — or after the group's committed offsets expired (Kafka's offsets.retention.minutes,
   * 7 days by default, once every instance was down that long): the retention stays beyond both.
   */
  retentionMs: number;
  /** DEDUP_PRUNE_INTERVAL_MS (default an hour; 0 = never): how often each instance prunes. */
  intervalMs: number;
}

export interface PolicyFilesConfig {
  /** ROUTING_DATA_DIR: routing's rule tables and department directories (routing and resolution read it). */
  routingDataDir?: string;
  /** RESOLUTION_LIMITS_DIR: the tenants' approval limits files. */
  resolutionLimitsDir?: string;
}

export interface SlaMonitorConfig {
  /** SLA_MONITOR=off: this instance does not evaluate clocks (another instance, or a test, does). */
  enabled: boolean;
  /** SLA_POLL_INTERVAL_MS (default 1000, at least 10): how often due SLA checks are looked for. */
  pollIntervalMs: number;
}

const DAY_MS = 86_400_000;
/** Kafka's default offsets.retention.minutes (7 days), plus a day. */
const MIN_DEDUP_RETENTION_DAYS = 8;

export function loadDedupRetention(env: NodeJS.ProcessEnv): DedupRetentionConfig {
  const days = integer(env, 'DEDUP_RETENTION_DAYS', 30);
  if (days < MIN_DEDUP_RETENTION_DAYS) {
    throw new ConfigError(
      `DEDUP_RETENTION_DAYS must be at least ${MIN_DEDUP_RETENTION_DAYS} (beyond Kafka's default 7-day offsets retention, after which a consumer group reads again from its start), got ${days}`,
    );
  }
  return { retentionMs: days * DAY_MS, intervalMs: integer(env, 'DEDUP_PRUNE_INTERVAL_MS', 3_600_000) };
}

/** A directory variable: unset or blank means the shipped one; set, it must exist. */
function directory(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const dir = env[name]?.trim();
  if (!dir) return undefined;
  if (!existsSync(dir)) throw new ConfigError(`${name} names a directory that does not exist: ${resolve(dir)}`);
  return dir;
}

export function loadPolicyFiles(env: NodeJS.ProcessEnv): PolicyFilesConfig {
  return {
    routingDataDir: directory(env, 'ROUTING_DATA_DIR'),
    resolutionLimitsDir: directory(env, 'RESOLUTION_LIMITS_DIR'),
  };
}

export function loadSlaSeeds(env: NodeJS.ProcessEnv): SlaSeedsConfig {
  const tenantRegimes = env.SLA_TENANT_REGIMES?.trim();
  return {
    policyDir: directory(env, 'SLA_POLICY_DIR'),
    ...(tenantRegimes ? { tenantRegimes } : {}),
  };
}

export function loadSlaMonitor(env: NodeJS.ProcessEnv): SlaMonitorConfig {
  const raw = env.SLA_MONITOR?.trim();
  if (raw && raw !== 'on' && raw !== 'off') throw new ConfigError(`SLA_MONITOR must be "on" or "off", not "${raw}"`);
  const pollIntervalMs = integer(env, 'SLA_POLL_INTERVAL_MS', 1000);
  if (pollIntervalMs < 10) throw new ConfigError(`SLA_POLL_INTERVAL_MS must be at least 10, got ${pollIntervalMs}`);
  return { enabled: raw !== 'off', pollIntervalMs };
}

export interface KafkaSessionConfig {
  /**
   * KAFKA_SESSION_TIMEOUT_MS: how long the group waits for a silent member before its partitions
   * go to the others; it is the stall of those partitions after a crash (SIGKILL, lost node).
   */
  sessionTimeoutMs: number;
  /** KAFKA_HEARTBEAT_INTERVAL_MS: how often a member tells the group it is alive (at most a third of the session). */
  heartbeatIntervalMs: number;
}

/** Kafka's own bounds (group.min/max.session.timeout.ms, the broker's defaults). */
const MIN_SESSION_TIMEOUT_MS = 6_000;
const MAX_SESSION_TIMEOUT_MS = 300_000;

export function loadKafkaSession(env: NodeJS.ProcessEnv = process.env): KafkaSessionConfig {
  const sessionTimeoutMs = integer(env, 'KAFKA_SESSION_TIMEOUT_MS', 15_000);
  if (sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS || sessionTimeoutMs > MAX_SESSION_TIMEOUT_MS) {
    throw new ConfigError(
      `KAFKA_SESSION_TIMEOUT_MS must be between ${MIN_SESSION_TIMEOUT_MS} and ${MAX_SESSION_TIMEOUT_MS} (the broker's group.min/max.session.timeout.ms), got ${sessionTimeoutMs}`,
    );
  }
  const heartbeatIntervalMs = integer(env, 'KAFKA_HEARTBEAT_INTERVAL_MS', 1_000);
  if (heartbeatIntervalMs < 100 || heartbeatIntervalMs * 3 > sessionTimeoutMs) {
    throw new ConfigError(
      `KAFKA_HEARTBEAT_INTERVAL_MS must be at least 100 and at most a third of KAFKA_SESSION_TIMEOUT_MS (${sessionTimeoutMs}), got ${heartbeatIntervalMs}`,
    );
  }
  return { sessionTimeoutMs, heartbeatIntervalMs };
}

/** Letters, digits, `.`, `_`, `-`: it goes into log fields, metric labels and application_name (63 bytes). */
const INSTANCE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$/;

export function loadInstanceId(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.INSTANCE_ID?.trim();
  if (!given) return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(-48);
  if (!INSTANCE_ID.test(given)) {
    throw new ConfigError(
      `INSTANCE_ID must be 1-48 letters, digits, '.', '_' or '-', starting with a letter or digit, got "${given.slice(0, 60)}"`,
    );
  }
  return given;
}

export interface PoolSizes {
  /** `<SERVICE>_DB_POOL_SIZE`, else DB_POOL_SIZE: requests, consumers, and the relay's session. */
  service: number;
  /** PII_VAULT_POOL_SIZE: data keys. */
  vault: number;
  /** BUS_POOL_SIZE: the embedded transport's log (none is opened with Kafka). */
  bus: number;
}

export interface AuditConfig {
  /** AUDIT_SIGNING_KEY, AUDIT_SIGNING_KEY_ID, AUDIT_TRUSTED_KEYS: who signs checkpoints, whom verify trusts. */
  keys: AuditKeys;
  /** NODE_ENV=production: a service without a signing key refuses to start. */
  production: boolean;
  /** AUDIT_CHECKPOINT_INTERVAL_MS (0 = never). */
  intervalMs: number;
  /** AUDIT_WITNESS_DIR: where checkpoints are also appended (`<schema>.checkpoints.jsonl`), outside the database. */
  witnessDir?: string;
  /** AUDIT_SOURCE_URLS: where analytics' verify asks the source services for their evidence of a case. */
  sourceUrls: Record<ServiceName, string>;
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

export interface PiiKeyConfig {
  /**
   * PII_KEY_DIR: the master-key ring (libs/privacy master-key-ring.ts; a KMS's stand-in), outside the
   * database's data directory and shared by every service. Without it the master key never rotates.
   */
  dir?: string;
  /** PII_MASTER_KEY: the ring's first key (an existing deployment), or the only key without PII_KEY_DIR. */
  masterKey?: Buffer;
  /** PII_KEY_ROTATION_INTERVAL_MS: the longest a master key stays in use (0: only after erasures). */
  rotationIntervalMs: number;
  /** PII_KEY_ROTATION_AFTER_ERASURE_MS: the longest an erasure waits for its rotation (erasures meanwhile share it). */
  rotationAfterErasureMs: number;
}

/** Personal data is never stored in plain text: a key directory or a master key is required. */
export function piiKeys(env: NodeJS.ProcessEnv): PiiKeyConfig {
  const raw = env.PII_MASTER_KEY?.trim();
  const dir = env.PII_KEY_DIR?.trim() || undefined;
  if (!raw && !dir) {
    throw new ConfigError(
      'PII_KEY_DIR (a directory holding the rotating master keys, outside the database) or PII_MASTER_KEY (base64 of 32 random bytes, e.g. `openssl rand -base64 32`, from a secret store) is required: they wrap the keys that encrypt personal data',
    );
  }
  const masterKey = raw ? Buffer.from(raw, 'base64') : undefined;
  if (masterKey && (masterKey.length !== 32 || masterKey.toString('base64') !== raw)) {
    throw new ConfigError(`PII_MASTER_KEY must be base64 of exactly 32 bytes, got ${masterKey.length} bytes`);
  }
  return {
    dir,
    masterKey,
    rotationIntervalMs: integer(env, 'PII_KEY_ROTATION_INTERVAL_MS', 86_400_000),
    rotationAfterErasureMs: integer(env, 'PII_KEY_ROTATION_AFTER_ERASURE_MS', 300_000),
  };
}

/** LOG_LEVEL (default `log`), read before the rest of the configuration so start-up is logged at it. */
export function logLevelSetting(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOG_LEVEL ?? 'log';
}

/** Where `npm run keys` writes the development key set, and where services and `npm run token` look. */
export const DEFAULT_ENV_FILE = '.local/keys.env';

/**
 * Adds the variables of ENV_FILE (default `.local/keys.env`) to `env` when the file exists; a
 * variable already set wins over the file. Returns the file read, if any.
 */
export function readEnvFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = resolve(env.ENV_FILE?.trim() || DEFAULT_ENV_FILE);
  if (!existsSync(file)) {
    if (env.ENV_FILE?.trim()) throw new ConfigError(`ENV_FILE names a file that does not exist: ${file}`);
    return undefined;
  }
  for (const [name, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) env[name] ??= value;
  return file;
}

/** KAFKA_BROKERS (none: the embedded transport), TOPIC_PREFIX, KAFKA_PARTITIONS. */
export function busSettings(
  env: NodeJS.ProcessEnv,
): Pick<ServiceConfig, 'kafkaBrokers' | 'topicPrefix' | 'partitions'> {
  return {
    kafkaBrokers: (env.KAFKA_BROKERS ?? '')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    topicPrefix: env.TOPIC_PREFIX ?? '',
    partitions: integer(env, 'KAFKA_PARTITIONS', 6),
  };
}

function sourceUrls(env: NodeJS.ProcessEnv): Record<ServiceName, string> {
  const host = !env.HOST || env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST;
  const port = (s: ServiceName) => integer(env, `${s.toUpperCase()}_PORT`, DEFAULT_PORTS[s]);
  const urls = Object.fromEntries(SERVICES.map((s) => [s, `http://${host}:${port(s)}`])) as Record<ServiceName, string>;
  for (const pair of (env.AUDIT_SOURCE_URLS ?? '').split(',').filter((p) => p.trim())) {
    const [name, url] = pair.split('=').map((p) => p.trim());
    if (!SERVICES.includes(name as ServiceName) || !url || !/^https?:\/\//.test(url)) {
      throw new ConfigError(`AUDIT_SOURCE_URLS must be service=http(s)://… pairs, got "${pair}"`);
    }
    urls[name as ServiceName] = url.replace(/\/$/, '');
  }
  return urls;
}

export function loadAuditConfig(env: NodeJS.ProcessEnv): AuditConfig {
  let keys: AuditKeys;
  try {
    keys = loadAuditKeys(env);
  } catch (error) {
    if (error instanceof AuditKeyError) throw new ConfigError(error.message);
    throw error;
  }
  const production = env.NODE_ENV === 'production';
  if (production && !keys.signer) {
    throw new ConfigError(
      'AUDIT_SIGNING_KEY is required in production (NODE_ENV=production): an Ed25519 private key (PKCS#8 PEM, `openssl genpkey -algorithm ed25519`) from a secret store; it signs the audit checkpoints',
    );
  }
  return {
    keys,
    production,
    intervalMs: integer(env, 'AUDIT_CHECKPOINT_INTERVAL_MS', 600_000),
    witnessDir: env.AUDIT_WITNESS_DIR?.trim() || undefined,
    sourceUrls: sourceUrls(env),
  };
}

/**
 * TEST_CLOCK=enabled mounts `PUT /test/clock`. The clock is one for the whole platform and every
 * tenant (events of all tenants share one store, ordered by time), so whoever may move it moves the
 * deadlines of every bank on the platform: never in production.
 */
export function loadTestClock(env: NodeJS.ProcessEnv): boolean {
  const raw = env.TEST_CLOCK?.trim();
  if (!raw || raw === 'off') return false;
  if (raw !== 'enabled') throw new ConfigError(`TEST_CLOCK must be "enabled" or "off", not "${raw}"`);
  if (env.NODE_ENV === 'production') {
    throw new ConfigError(
      'TEST_CLOCK=enabled is refused with NODE_ENV=production: the test clock moves the time (and so the SLA deadlines) of every tenant on the platform',
    );
  }
  return true;
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
    testClock: loadTestClock(env),
    port: integer(env, `${upper}_PORT`, integer(env, 'PORT', DEFAULT_PORTS[service])),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl,
    schema: env[`${upper}_DB_SCHEMA`] ?? service,
    ...busSettings(env),
    kafkaSession: loadKafkaSession(env),
    instanceId: loadInstanceId(env),
    auth: loadAuthConfig(env),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 3000),
    corsOrigins: (env.CORS_ORIGINS ?? '')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    trustProxy: integer(env, 'TRUST_PROXY_HOPS', 0),
    piiKeys: piiKeys(env),
    piiVaultUrl: env.PII_VAULT_URL || databaseUrl,
    poolSizes: loadPoolSizes(service, env),
    audit: loadAuditConfig(env),
    writePreviousEventShape: flag(env, 'EVENTS_WRITE_PREVIOUS_SHAPE'),
    dedupRetention: loadDedupRetention(env),
    policyFiles: loadPolicyFiles(env),
    slaMonitor: loadSlaMonitor(env),
    slaSeeds: loadSlaSeeds(env),
  };
}

/** A true/false setting, false when unset. */
function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim() ?? '';
  if (raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(`${name} must be true or false, got "${raw.slice(0, 40)}"`);
}
