/** Starts one service's Nest application inside the test process, on a fresh database. */
import type { INestApplication } from '@nestjs/common';
import type { Database } from '@complaints/eventstore';
import {
  DATABASE,
  loadServiceConfig,
  startService,
  type Clock,
  type ServiceConfig,
  type ServiceDefinition,
} from '@complaints/kit';
import { testAuthEnv } from './auth';
import { createTestDatabase, requireEnv, type TestDatabase } from './database';

export interface InProcessService {
  app: INestApplication;
  config: ServiceConfig;
  base: string;
  testDb: TestDatabase;
  db: Database;
  close(): Promise<void>;
}

/** `env` adds configuration (e.g. KAFKA_BROKERS and TOPIC_PREFIX); by default the embedded bus is used. */
export async function startInProcess(
  definition: ServiceDefinition,
  clock?: Clock,
  env: Record<string, string> = {},
): Promise<InProcessService> {
  const testDb = await createTestDatabase(`${definition.name}_http`);
  const config = {
    ...loadServiceConfig(definition.name, {
      PII_MASTER_KEY: requireEnv('PII_MASTER_KEY'),
      ...testAuthEnv,
      ...env,
      DATABASE_URL: testDb.url,
    }),
    port: 0,
  };
  const app = await startService(definition.module({ config, ...(clock ? { clock } : {}) }), config, {
    title: definition.title,
    shutdownHooks: false,
  });
  return {
    app,
    config,
    testDb,
    base: (await app.getUrl()).replace('[::1]', '127.0.0.1'),
    db: app.get<Database>(DATABASE),
    async close() {
      await app.close();
      await testDb.drop();
    },
  };
}
