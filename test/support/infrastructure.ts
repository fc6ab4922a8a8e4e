/**
 * Finds the real PostgreSQL and Kafka the tests need. Order: DATABASE_URL / KAFKA_BROKERS from the
 * environment; else testcontainers where a Docker engine answers; else deploy/local/up.sh, which
 * starts a real broker (and PostgreSQL when none listens). Never a silent skip: if nothing works,
 * the run fails with what to do.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

export const repoRoot = join(__dirname, '..', '..');

function dockerAvailable(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

async function startWithTestcontainers(): Promise<{ databaseUrl: string; kafkaBrokers: string }> {
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const postgres = await new PostgreSqlContainer('postgres:16').start();
  const kafka = await new KafkaContainer('confluentinc/cp-kafka:7.7.1').withKraft().start();
  return {
    databaseUrl: postgres.getConnectionUri(),
    kafkaBrokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
  };
}

function startWithLocalScripts(): { databaseUrl: string; kafkaBrokers: string } {
  const script = join(repoRoot, 'deploy', 'local', 'up.sh');
  try {
    execFileSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  } catch (error) {
    throw new Error(`deploy/local/up.sh could not start Kafka/PostgreSQL: ${(error as Error).message}`);
  }
  const envFile = join(process.env.LOCAL_STATE_DIR ?? join(repoRoot, '.local'), 'env');
  const values = existsSync(envFile)
    ? Object.fromEntries(
        readFileSync(envFile, 'utf8')
          .split('\n')
          .filter((l) => l.includes('='))
          .map((l) => {
            const at = l.indexOf('=');
            return [l.slice(0, at).trim(), l.slice(at + 1).trim()];
          }),
      )
    : {};
  return {
    databaseUrl: values.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    kafkaBrokers: values.KAFKA_BROKERS ?? '127.0.0.1:9092',
  };
}

export async function verifyPostgres(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${url}: ${(error as Error).message}. Set DATABASE_URL or run \`npm run infra:up\`.`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function verifyKafka(brokers: string): Promise<void> {
  const admin = new Kafka({
    clientId: 'test-setup',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
  } catch (error) {
    throw new Error(
      `Kafka is not reachable at ${brokers}: ${(error as Error).message}. Set KAFKA_BROKERS or run \`npm run infra:up\`.`,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export async function ensureInfrastructure(): Promise<void> {
  if (!process.env.DATABASE_URL || !process.env.KAFKA_BROKERS) {
    const found = dockerAvailable() ? await startWithTestcontainers() : startWithLocalScripts();
    process.env.DATABASE_URL ??= found.databaseUrl;
    process.env.KAFKA_BROKERS ??= found.kafkaBrokers;
  }
  await verifyPostgres(process.env.DATABASE_URL);
  await verifyKafka(process.env.KAFKA_BROKERS);
  // The services refuse to start without a master key for personal data: the run makes its own.
  process.env.PII_MASTER_KEY ??= randomBytes(32).toString('base64');
}
