/**
 * `npm start`: the whole platform in one process, nothing to install. An embedded PostgreSQL
 * (real binaries from the npm registry) keeps its data under DATA_DIR, the four services run as
 * four HTTP applications on their usual ports, and the embedded PostgreSQL transport carries the
 * events between them with the same guarantees as Kafka.
 */
import 'reflect-metadata';
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
import { piiKeyEnv } from './pii-keys';
import { DEFAULT_EMBEDDED_PG_PORT, startDatabase, type EmbeddedDatabase } from './database';
import { embeddedAuditEnv } from './audit-keys';
import { sharedClock } from './test-clock';

const SERVICES: ServiceDefinition[] = [intakeService, routingService, resolutionService, analyticsService];

async function main() {
  const dataDir = resolve(process.env.DATA_DIR ?? 'data');
  const pgPort = Number(process.env.EMBEDDED_PG_PORT ?? DEFAULT_EMBEDDED_PG_PORT);
  console.log(`Starting the embedded platform (data in ${dataDir}) ...`);
  startTracing('complaints-embedded');
  const apps: INestApplication[] = [];
  const started: { database?: EmbeddedDatabase } = {};
  // The services' drain (readiness 503, connections closed, in-flight work finished), then the
  // database, last; set up first so that a signal during start-up stops what started.
  drainOnSignals('embedded', async () => {
    for (const app of apps.reverse()) await app.close().catch((e: unknown) => console.error(e));
    await started.database?.stop();
  });
  started.database = await startDatabase(dataDir, pgPort);
  const { url } = started.database;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    KAFKA_BROKERS: '',
    ...piiKeyEnv(dataDir),
    ...embeddedAuditEnv(dataDir),
  };
  // Without an identity provider configured, tokens are signed with a development key kept in DATA_DIR.
  const devAuth = !env.AUTH_JWKS_URL && !env.AUTH_PUBLIC_KEYS;
  if (devAuth) env.AUTH_PUBLIC_KEYS = JSON.stringify(devKeysIn(join(dataDir, 'auth')).jwks);
  const lines: string[] = [];
  const clock = sharedClock(env);
  for (const service of SERVICES) {
    const config = loadServiceConfig(service.name, env);
    apps.push(
      await startService(service.module({ config, clock }), config, { title: service.title, shutdownHooks: false }),
    );
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
