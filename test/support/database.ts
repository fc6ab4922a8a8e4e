/** A fresh PostgreSQL database per test file, on the server the run was given. */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export function requireEnv(name: 'DATABASE_URL' | 'KAFKA_BROKERS' | 'PII_MASTER_KEY'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the test global setup should have provided it`);
  return value;
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: requireEnv('DATABASE_URL') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `t_${label.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(requireEnv('DATABASE_URL'));
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export const uniqueSuffix = () => randomBytes(4).toString('hex');

/** Thrown from an `eventually` check to stop waiting at once (e.g. the process died). */
export class GiveUp extends Error {}

/** Polls until `check` returns a value other than undefined, or fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
  );
}
