/**
 * The run's surroundings: where PostgreSQL and Kafka are (the environment, else deploy/local/up.sh),
 * a database of its own for this run, sizes from the environment, and what the machine is.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import type { Topology } from './services';
import { generateDevKeys, signDevToken, type Role } from '@complaints/kit';

/** Compiled to bench/dist/lib: the repository is three levels up. */
export const repoRoot = join(__dirname, '..', '..', '..');

export const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

export function envList(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  return raw.split(',').map((v) => {
    const n = Number(v.trim());
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must list whole numbers, got "${raw}"`);
    return n;
  });
}

export interface Infrastructure {
  databaseUrl: string;
  kafkaBrokers: string;
  startedByBench: boolean;
}

/** The bench's own signing key: the services it starts verify its tokens. */
const benchKeys = generateDevKeys();
/** Bearer tokens per role, signed once before any scenario (see prepareTokens). */
export const tokens: Partial<Record<Role, string>> = {};

export async function prepareTokens(): Promise<void> {
  // admin: the SLA memory run moves resolution's test clock.
  for (const role of ['channel', 'auditor', 'admin'] as const) {
    tokens[role] = await signDevToken(benchKeys, {
      subject: `bench-${role}`,
      tenant: 'default',
      roles: [role],
      expiresIn: '24h',
    });
  }
}

export const authorization = (role: 'channel' | 'auditor') => ({ authorization: `Bearer ${tokens[role]!}` });

export function ensureInfrastructure(): Infrastructure {
  // The services refuse to start without a master key for personal data: the bench makes its own.
  process.env.PII_MASTER_KEY ??= randomBytes(32).toString('base64');
  // And without keys to verify tokens with; rate limits are not what is measured here.
  process.env.AUTH_PUBLIC_KEYS = JSON.stringify(benchKeys.jwks);
  process.env.RATE_LIMIT_PER_MINUTE ??= '1000000000';
  if (process.env.DATABASE_URL && process.env.KAFKA_BROKERS) {
    return { databaseUrl: process.env.DATABASE_URL, kafkaBrokers: process.env.KAFKA_BROKERS, startedByBench: false };
  }
  log('DATABASE_URL/KAFKA_BROKERS not set: starting deploy/local/up.sh');
  execFileSync('bash', [join(repoRoot, 'deploy', 'local', 'up.sh')], { stdio: 'inherit', timeout: 600_000 });
  const envFile = join(process.env.LOCAL_STATE_DIR ?? join(repoRoot, '.local'), 'env');
  const values: Record<string, string> = {};
  if (existsSync(envFile)) {
    for (const line of readFileSync(envFile, 'utf8').split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) values[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    }
  }
  return {
    databaseUrl: process.env.DATABASE_URL ?? values.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    kafkaBrokers: process.env.KAFKA_BROKERS ?? values.KAFKA_BROKERS ?? '127.0.0.1:9092',
    startedByBench: true,
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function sql<T = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await sql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await sql(adminUrl, `CREATE DATABASE ${name}`);
  return withDatabase(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await sql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

function version(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 10_000 }).trim().split('\n')[0]!;
  } catch {
    return 'unknown';
  }
}

function packageVersion(name: string): string {
  try {
    return (
      JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

function kafkaVersion(): string {
  const libs = join(process.env.LOCAL_STATE_DIR ?? join(repoRoot, '.local'), 'kafka', 'libs');
  try {
    const jar = execFileSync('ls', [libs], { encoding: 'utf8' })
      .split('\n')
      .find((f) => /^kafka_2\.\d+-[\d.]+\.jar$/.test(f));
    return jar
      ? `Apache Kafka ${jar.replace(/^kafka_2\.\d+-/, '').replace(/\.jar$/, '')} (deploy/local)`
      : 'unknown (not started by deploy/local)';
  } catch {
    return 'unknown (not started by deploy/local)';
  }
}

export interface MachineDescription {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  loadAverageAtStart: number[];
  node: string;
  postgres: string;
  kafka: string;
  kafkajs: string;
  autocannon: string;
  pgbench: string;
  durability: Record<string, string>;
  kafkaDurability: string;
}

export async function describeMachine(databaseUrl: string): Promise<MachineDescription> {
  const settings = await sql<{ name: string; setting: string; unit: string | null }>(
    databaseUrl,
    `SELECT name, setting, unit FROM pg_settings
      WHERE name IN ('synchronous_commit','fsync','full_page_writes','wal_sync_method','commit_delay','shared_buffers','max_connections','wal_level')`,
  );
  const [{ version: pgVersion } = { version: 'unknown' }] = await sql<{ version: string }>(
    databaseUrl,
    'SELECT version()',
  );
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    loadAverageAtStart: loadavg().map((v) => Math.round(v * 100) / 100),
    node: process.version,
    postgres: pgVersion,
    kafka: kafkaVersion(),
    kafkajs: packageVersion('kafkajs'),
    autocannon: packageVersion('autocannon'),
    pgbench: version('pgbench', ['--version']),
    durability: Object.fromEntries(settings.map((s) => [s.name, s.unit ? `${s.setting} (${s.unit})` : s.setting])),
    kafkaDurability:
      'producer acks=all (idempotent), single broker, replication factor 1; the broker flushes by the OS (log.flush.* defaults), as Kafka recommends',
  };
}

export async function kafkaReachable(brokers: string): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-setup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

export interface BenchContext {
  adminUrl: string;
  /** This run's own database (dropped at the end unless BENCH_KEEP_DB=1). */
  databaseUrl: string;
  kafkaBrokers: string;
  runId: string;
  /** Shared between scenarios: e.g. intake's measured maximum for the end-to-end load. */
  shared: Record<string, number>;
  /** Memory of each service: idle, peak under scenario 1 (intake) and under scenario 2 (all four). */
  memory: Record<string, { idleMB?: number; loadMB?: number; e2eLoadMB?: number }>;
  /** A real ComplaintReceived stored event (data + metadata), once intake has registered one. */
  sampleEvent?: { data: Record<string, unknown>; metadata: Record<string, unknown> };
  /** The four services (schemas e2e_*), started by the end-to-end scenario and stopped by run.ts. */
  topology?: Topology;
}
