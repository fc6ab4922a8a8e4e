/**
 * The test clock of the embedded platform: one clock for the four services, so that moving it on
 * any port moves the time every service stamps its events with (a history in order, SLA deadlines
 * falling due where they are computed).
 */
import { join } from 'node:path';
import type { RunningProcess } from '../support/processes';
import { execFileSync } from 'node:child_process';
import { api, tokenFor } from '../support/auth';
import { repoRoot } from '../support/infrastructure';
import { embeddedHost } from '../support/embedded-host';

describe('the embedded platform with TEST_CLOCK=enabled', () => {
  const host = embeddedHost('embedded-clock', { TEST_CLOCK: 'enabled', NODE_ENV: 'test' });
  const { ports } = host;
  const url = (service: keyof typeof host.urls) => `${host.urls[service]}/test/clock`;
  let platform: RunningProcess | undefined;

  beforeAll(async () => {
    platform = await host.start('node', 'embedded-clock');
  }, 240_000);

  afterAll(async () => {
    await platform?.stop();
    host.remove();
  }, 60_000);

  const admin = { 'content-type': 'application/json', 'x-actor-role': 'admin' };
  const readClock = async (service: keyof typeof host.urls) => {
    const response = await api(url(service), { headers: { 'x-actor-role': 'admin' } });
    expect(response.status).toBe(200);
    return new Date(((await response.json()) as { now: string }).now).getTime();
  };

  it('moves all four services when the clock is moved on one port', async () => {
    const target = new Date(Date.now() + 40 * 86_400_000);
    const moved = await api(url('routing'), {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ now: target.toISOString() }),
    });
    expect(moved.status).toBe(200);
    for (const service of ['intake', 'routing', 'resolution', 'analytics'] as const) {
      const now = await readClock(service);
      // Within a minute of the time set: the clock runs on from where it was put.
      expect({ service, offByMs: Math.abs(now - target.getTime()) < 60_000 }).toEqual({ service, offByMs: true });
    }

    const advanced = await api(url('analytics'), {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ advanceMs: 3_600_000 }),
    });
    expect(advanced.status).toBe(200);
    const resolutionNow = await readClock('resolution');
    expect(resolutionNow - target.getTime()).toBeGreaterThanOrEqual(3_600_000);
    expect(resolutionNow - target.getTime()).toBeLessThan(3_600_000 + 60_000);
  });

  it('refuses a body that neither sets nor advances the clock, naming the fields, and moves nothing', async () => {
    const before = await readClock('intake');
    for (const body of [{}, { now: 'next tuesday' }, { advanceMs: 'soon' }]) {
      const response = await api(url('intake'), { method: 'PUT', headers: admin, body: JSON.stringify(body) });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/now|advanceMs/);
    }
    expect(Math.abs((await readClock('resolution')) - before)).toBeLessThan(60_000);
  });

  it('documents the body of PUT /test/clock in the OpenAPI document', async () => {
    const docs = (await (await fetch(`http://127.0.0.1:${ports.resolution}/docs-json`)).json()) as {
      paths: Record<
        string,
        { put?: { summary?: string; requestBody?: { content: Record<string, { schema: { $ref?: string } }> } } }
      >;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const put = docs.paths['/test/clock']?.put;
    expect(put?.summary).toBeTruthy();
    const ref = put?.requestBody?.content['application/json']?.schema.$ref ?? '';
    const schema = docs.components.schemas[ref.replace('#/components/schemas/', '')];
    expect(Object.keys(schema?.properties ?? {})).toEqual(expect.arrayContaining(['now', 'advanceMs']));
  });

  it('is moved on every service by deploy/local/move-test-clock.sh, the distributed way', async () => {
    const target = '2031-03-01T09:00:00.000Z';
    const printed = execFileSync(join(repoRoot, 'deploy/local/move-test-clock.sh'), [JSON.stringify({ now: target })], {
      env: {
        ...process.env,
        TOKEN: await tokenFor({ role: 'admin' }),
        INTAKE_URL: `http://127.0.0.1:${ports.intake}`,
        ROUTING_URL: `http://127.0.0.1:${ports.routing}`,
        RESOLUTION_URL: `http://127.0.0.1:${ports.resolution}`,
        ANALYTICS_URL: `http://127.0.0.1:${ports.analytics}`,
      },
      encoding: 'utf8',
    });
    expect(Math.abs(new Date(printed.trim()).getTime() - Date.parse(target))).toBeLessThan(60_000);
    for (const service of ['intake', 'routing', 'resolution', 'analytics'] as const) {
      expect(Math.abs((await readClock(service)) - Date.parse(target))).toBeLessThan(60_000);
    }
  });
});
