/**
 * The pool sizes are configuration (docs/operations.md has the arithmetic): under a burst of
 * registrations a service opens no more PostgreSQL connections than it was given.
 */
import { Client } from 'pg';
import { loadServiceConfig } from '@complaints/kit';
import { startInProcess, type InProcessService } from '../../../test/support/in-process';
import { complaintBody } from '../../../test/support/journey';
import { as } from '../../../test/support/auth';
import { requireEnv } from '../../../test/support/database';
import { intakeService } from './intake.module';

describe('PostgreSQL pool sizes', () => {
  let intake: InProcessService | undefined;
  afterAll(async () => {
    await intake?.close();
  });

  it('opens at most INTAKE_DB_POOL_SIZE, PII_VAULT_POOL_SIZE and BUS_POOL_SIZE connections under load, and works at the smallest', async () => {
    intake = await startInProcess(intakeService, undefined, {
      INTAKE_DB_POOL_SIZE: '2',
      PII_VAULT_POOL_SIZE: '2',
      BUS_POOL_SIZE: '2',
      INSTANCE_ID: 'pool-test',
    });
    const watcher = new Client({ connectionString: intake.testDb.url });
    await watcher.connect();
    const most = new Map<string, number>();
    let loaded = false;
    const watching = (async () => {
      while (!loaded) {
        const { rows } = await watcher.query<{ name: string; n: number }>(
          `SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE 'intake%' GROUP BY 1`,
        );
        for (const { name, n } of rows) most.set(name, Math.max(most.get(name) ?? 0, n));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const headers = { 'content-type': 'application/json', ...(await as({ role: 'channel', subject: 'cti-95598' })) };
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${intake!.base}/complaints`, { method: 'POST', headers, body: JSON.stringify(complaintBody()) }).then(
          (r) => r.status,
        ),
      ),
    );
    loaded = true;
    await watching;
    await watcher.end();
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    // Each pool's application_name carries the instance id (INSTANCE_ID).
    const limits: Record<string, number> = {
      'intake/pool-test': 2,
      'intake/pool-test-privacy': 2,
      'intake-bus/pool-test': 2,
    };
    expect([...most.keys()].sort()).toEqual(Object.keys(limits).sort());
    expect([...most].filter(([name, n]) => n > limits[name]!)).toEqual([]);
  }, 120_000);

  it('refuses a pool too small to work, naming the variable', () => {
    const env = { DATABASE_URL: 'postgres://x@127.0.0.1/x', PII_MASTER_KEY: requireEnv('PII_MASTER_KEY') };
    expect(() => loadServiceConfig('intake', { ...env, DB_POOL_SIZE: '1' })).toThrow(
      /DB_POOL_SIZE must be at least 2 \(the outbox relay keeps one connection for its lock\), got 1/,
    );
    expect(() => loadServiceConfig('intake', { ...env, INTAKE_DB_POOL_SIZE: 'ten' })).toThrow(
      /INTAKE_DB_POOL_SIZE must be a whole number, got "ten"/,
    );
    expect(loadServiceConfig('routing', { ...env, DB_POOL_SIZE: '5', INTAKE_DB_POOL_SIZE: '3' }).poolSizes).toEqual({
      service: 5,
      vault: 2,
      bus: 4,
    });
  });
});
