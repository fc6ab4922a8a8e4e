/**
 * A service's PostgreSQL connection: one schema per service, migrations applied on start under an
 * advisory lock (so several instances may start at once), and plain SQL with parameters.
 * TypeORM supplies the pool and the migration bookkeeping; callers see only `SqlClient`.
 */
import { DataSource, QueryRunnerAlreadyReleasedError, type MigrationInterface, type QueryRunner } from 'typeorm';
import { beginInTenantSql, currentTenant, tenantRoleSql } from './tenant-scope';

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface SqlClient {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<Row>>;
}

/** A connection kept by its holder until released: needed for session-level advisory locks. */
export interface Session extends SqlClient {
  /** Back to the pool: only once it holds no session lock and no open transaction. */
  release(): Promise<void>;
  /**
   * Closes the connection instead of pooling it: whatever it still held (a session advisory lock
   * after a failed query, an aborted transaction) ends with it rather than passing to other work.
   */
  destroy(): Promise<void>;
}

export interface Database extends SqlClient {
  readonly schema: string;
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
  session(): Promise<Session>;
  /**
   * Calls `listener` after each transaction of this process commits (an in-process wake-up for
   * whoever waits on new rows, such as the outbox relay); returns the unsubscribe function.
   */
  onCommit(listener: () => void): () => void;
  close(): Promise<void>;
}

export interface Migration {
  /** Unique, ordered: `<Name><13-digit timestamp>`, e.g. `EventStore1763800000000`. */
  name: string;
  up: string;
}

export interface DatabaseOptions {
  url: string;
  schema: string;
  migrations: Migration[];
  applicationName?: string;
  poolSize?: number;
  /**
   * Whether a request's tenant scope confines this database's statements (tenant-scope.ts); default
   * true. False for schemas without tenant rows (the key vault, the embedded bus): there the scope
   * would only cost a transaction and a round trip per statement.
   */
  tenantScoped?: boolean;
}

function toTypeormMigration(migration: Migration): new () => MigrationInterface {
  return class implements MigrationInterface {
    name = migration.name;
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(migration.up);
    }
    async down(): Promise<void> {
      throw new Error(`Migration ${migration.name} is forward-only`);
    }
  };
}

/**
 * The connection under a query runner failed (the server ended it, the network dropped it):
 * SQLSTATE 08006, connection_failure, so callers see an outage (503, retried) and not a bug.
 */
export class ConnectionLost extends Error {
  readonly code = '08006';
  constructor(cause: unknown) {
    super('The database connection was lost during the transaction', { cause });
  }
}

function clientOf(runner: QueryRunner): SqlClient {
  return {
    async query<Row>(text: string, params: unknown[] = []) {
      const result = await runner.query(text, params, true).catch(outageOrRethrow);
      return { rows: result.records as Row[], rowCount: result.affected ?? result.records.length };
    },
  };
}

/**
 * TypeORM releases a runner whose connection emitted an error; every later statement on it (a
 * query, COMMIT) then fails with "already released", which names no outage.
 */
function outageOrRethrow(error: unknown): never {
  if (error instanceof QueryRunnerAlreadyReleasedError) throw new ConnectionLost(error);
  throw error;
}

function assertSchemaName(schema: string): void {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new Error(`Invalid schema name "${schema}": use lower-case letters, digits and _`);
  }
}

/** TypeORM runs migrations by the timestamp ending their names: it must agree with the order listed. */
function assertMigrationOrder(migrations: Migration[]): void {
  const stamps = migrations.map((m) => Number(/(\d{13})$/.exec(m.name)?.[1] ?? NaN));
  stamps.forEach((stamp, i) => {
    if (Number.isNaN(stamp)) throw new Error(`Migration ${migrations[i]!.name} must end with a 13-digit timestamp`);
    if (i > 0 && stamp <= stamps[i - 1]!) {
      throw new Error(
        `Migration ${migrations[i]!.name} is listed after ${migrations[i - 1]!.name} but its timestamp is not later`,
      );
    }
  });
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  assertSchemaName(options.schema);
  assertMigrationOrder(options.migrations);
  const dataSource = new DataSource({
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    applicationName: options.applicationName ?? options.schema,
    migrations: options.migrations.map(toTypeormMigration),
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    poolSize: options.poolSize ?? 10,
    extra: { options: `-c search_path=${options.schema},public` },
  });
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new Error(`Cannot connect to PostgreSQL at ${redact(options.url)}: ${(error as Error).message}`);
  }
  const tenantScoped = options.tenantScoped ?? true;
  await migrate(dataSource, options.schema, tenantScoped);
  const tenantOfScope = () => (tenantScoped ? currentTenant() : undefined);
  const commitListeners = new Set<() => void>();
  const transaction = async <T>(work: (tx: SqlClient) => Promise<T>): Promise<T> => {
    const runner = dataSource.createQueryRunner();
    let open = false;
    try {
      await runner.connect();
      // Inside a request's tenant scope, PostgreSQL's row-level security confines the work
      // (tenant-scope.ts): the scope is entered with the BEGIN, in the same round trip.
      const tenant = tenantOfScope();
      open = true; // from here on a failure rolls back, even one between the BEGIN and the scope
      await runner.query(tenant === undefined ? 'BEGIN' : beginInTenantSql(tenant)).catch(outageOrRethrow);
      const result = await work(clientOf(runner));
      await runner.query('COMMIT').catch(outageOrRethrow);
      open = false;
      for (const listener of commitListeners) listener();
      return result;
    } catch (error) {
      if (open) await runner.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  };
  return {
    schema: options.schema,
    async query<Row>(text: string, params?: unknown[]) {
      if (tenantOfScope() !== undefined) return transaction((tx) => tx.query<Row>(text, params));
      const runner = dataSource.createQueryRunner();
      try {
        return await clientOf(runner).query<Row>(text, params);
      } finally {
        await runner.release();
      }
    },
    transaction,
    async session(): Promise<Session> {
      const runner = dataSource.createQueryRunner();
      const connection = (await runner.connect()) as { end(): Promise<void> };
      return {
        ...clientOf(runner),
        release: () => runner.release(),
        async destroy() {
          // pg's pool drops a client that is ending when it comes back, rather than reusing it.
          await connection.end().catch(() => undefined);
          await runner.release();
        },
      };
    },
    onCommit(listener) {
      commitListeners.add(listener);
      return () => commitListeners.delete(listener);
    },
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
    },
  };
}

async function migrate(dataSource: DataSource, schema: string, tenantScoped: boolean): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`migrations:${schema}`]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await dataSource.runMigrations({ transaction: 'each' });
    if (tenantScoped) await runner.query(tenantRoleSql(schema));
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrations:${schema}`]);
    await runner.release();
  }
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
