/**
 * Two instances of one service on one database: each tells who it is (INSTANCE_ID) on its health
 * answer, its metrics and its PostgreSQL sessions, and exactly one says it holds the outbox relay.
 */
import { Client } from 'pg';
import { startService, type ServiceConfig } from '@complaints/kit';
import type { INestApplication } from '@nestjs/common';
import { startInProcess, type InProcessService } from '../../../test/support/in-process';
import { eventually } from '../../../test/support/database';
import { intakeService } from './intake.module';

interface RelayHealth {
  info?: { 'outbox-relay'?: { instance: string; owner: boolean } };
}

const ownerLine = /^complaints_outbox_relay_owner\{service="intake",instance="([^"]+)"\} (\d)$/gm;

describe('two instances of a service', () => {
  let first: InProcessService | undefined;
  let second: INestApplication | undefined;
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  const baseOf = async (app: INestApplication) => (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const relayOf = async (base: string) =>
    ((await (await fetch(`${base}/health/ready`)).json()) as RelayHealth).info?.['outbox-relay'];
  const owners = async (base: string) =>
    [...(await (await fetch(`${base}/metrics`)).text()).matchAll(ownerLine)].map((m) => `${m[1]}=${m[2]}`);

  it('carry their instance id on health, metrics and application_name, and exactly one holds the relay', async () => {
    first = await startInProcess(intakeService, undefined, { INSTANCE_ID: 'intake-a' });
    const config: ServiceConfig = { ...first.config, instanceId: 'intake-b', port: 0 };
    second = await startService(intakeService.module({ config }), config, { title: 'b', shutdownHooks: false });
    const a = first.base;
    const b = await baseOf(second);

    expect(await (await fetch(`${a}/health/live`)).json()).toEqual({
      status: 'ok',
      service: 'intake',
      instance: 'intake-a',
    });
    expect(await (await fetch(`${b}/health/live`)).json()).toEqual({
      status: 'ok',
      service: 'intake',
      instance: 'intake-b',
    });

    // The first took the lock at start; the second waits for it.
    await eventually('the first instance publishing', async () => ((await relayOf(a))?.owner ? true : undefined));
    expect(await relayOf(a)).toEqual({ status: 'up', instance: 'intake-a', owner: true });
    expect(await relayOf(b)).toEqual({ status: 'up', instance: 'intake-b', owner: false });
    // One registry per process (both apps share it here): each instance reports its own series.
    expect((await owners(a)).sort()).toEqual(['intake-a=1', 'intake-b=0']);
    expect(await (await fetch(`${b}/metrics`)).text()).toMatch(
      /^complaints_instance_info\{service="intake",instance="intake-b"\} 1$/m,
    );

    const watcher = new Client({ connectionString: first.testDb.url });
    await watcher.connect();
    try {
      const { rows } = await watcher.query<{ name: string }>(
        `SELECT DISTINCT application_name AS name FROM pg_stat_activity WHERE datname = current_database()
            AND application_name LIKE 'intake%' ORDER BY 1`,
      );
      expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['intake/intake-a', 'intake/intake-b']));
    } finally {
      await watcher.end();
    }

    // The owner stops: the other takes the relay over and says so.
    await first.app.close();
    await eventually(
      'the second instance publishing',
      async () => ((await relayOf(b))?.owner ? true : undefined),
      20_000,
    );
    expect((await owners(b)).sort()).toEqual(['intake-b=1']);
  }, 90_000);
});
