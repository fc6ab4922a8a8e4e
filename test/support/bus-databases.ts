/**
 * The embedded transport's bus and a consumer's event store, each in its own schema of one fresh
 * database, created before the file's tests and dropped after them.
 */
import { eventStoreMigrations, openDatabase, type Database } from '@complaints/eventstore';
import { embeddedBusMigrations } from '@complaints/messaging';
import { createTestDatabase, type TestDatabase } from './database';

export interface BusDatabases {
  readonly testDb: TestDatabase;
  /** The embedded transport's tables (schema `bus`). */
  readonly bus: Database;
  /** The consumer's event store, inbox included (schema `consumer`). */
  readonly consumerDb: Database;
}

/** Registers beforeAll/afterAll in the calling describe block; read the fields inside tests. */
export function useBusDatabases(label: string): BusDatabases {
  const handles: Partial<BusDatabases> = {};
  beforeAll(async () => {
    const testDb = await createTestDatabase(label);
    Object.assign(handles, {
      testDb,
      bus: await openDatabase({ url: testDb.url, schema: 'bus', migrations: embeddedBusMigrations }),
      consumerDb: await openDatabase({ url: testDb.url, schema: 'consumer', migrations: eventStoreMigrations }),
    });
  });
  afterAll(async () => {
    await handles.consumerDb?.close();
    await handles.bus?.close();
    await handles.testDb?.drop();
  });
  const field = <K extends keyof BusDatabases>(key: K): BusDatabases[K] => {
    const value = handles[key];
    if (!value) throw new Error(`useBusDatabases('${label}'): ${key} is read before beforeAll ran`);
    return value;
  };
  return {
    get testDb() {
      return field('testDb');
    },
    get bus() {
      return field('bus');
    },
    get consumerDb() {
      return field('consumerDb');
    },
  };
}
