/**
 * Readiness follows the infrastructure: intake, as its own process on a PostgreSQL cluster and a
 * Kafka broker of this test's own, turns unready (503 naming what is down) when Kafka or PostgreSQL
 * is stopped, and ready again when it is back; liveness stays up throughout. A complaint filed
 * after both outages is accepted and published, and its request is logged as JSON with its
 * correlation id and tenant and without the complainant's personal data.
 */
import { eventually } from '../support/database';
import { fileComplaint } from '../support/journey';
import { createPrivateKafka, type PrivateKafka } from '../support/private-kafka';
import { createPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { freePort, startService, waitUntilReady, type RunningProcess } from '../support/processes';

jest.setTimeout(600_000);

/** Every HTTP call of this suite goes through here (authentication adds its token in one place). */
async function call(url: string): Promise<Response> {
  return fetch(url);
}

interface Readiness {
  status: number;
  body: { status: string; info?: Record<string, unknown>; error?: Record<string, { message?: string }> };
}

async function readiness(base: string): Promise<Readiness> {
  const response = await call(`${base}/health/ready`);
  return { status: response.status, body: (await response.json()) as Readiness['body'] };
}

const becomes = (base: string, what: string, accept: (r: Readiness) => boolean) =>
  eventually(
    what,
    async () => {
      const r = await readiness(base);
      return accept(r) ? r : undefined;
    },
    60_000,
  );

describe('readiness follows PostgreSQL and Kafka', () => {
  let postgres: PrivatePostgres;
  let kafka: PrivateKafka;
  let intake: RunningProcess;
  let base: string;

  beforeAll(async () => {
    postgres = createPrivatePostgres(freePort());
    postgres.start();
    const kafkaPort = freePort();
    kafka = createPrivateKafka(kafkaPort, freePort());
    kafka.start();
    const port = freePort();
    base = `http://127.0.0.1:${port}`;
    intake = startService('intake', {
      ...process.env,
      DATABASE_URL: postgres.url,
      KAFKA_BROKERS: kafka.brokers,
      INTAKE_PORT: String(port),
      SLA_MONITOR: 'off',
      LOG_LEVEL: 'log',
    });
    await waitUntilReady(intake, base);
  });

  afterAll(async () => {
    await intake?.stop();
    kafka?.destroy();
    postgres?.destroy();
  });

  it('is ready with PostgreSQL, Kafka and the outbox relay up', async () => {
    const r = await readiness(base);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.info ?? {}).sort()).toEqual(['database', 'kafka', 'outbox-relay']);
  });

  it('goes unready while Kafka is stopped and ready again when it is back', async () => {
    kafka.stop();
    const down = await becomes(base, 'unready without Kafka', (r) => r.status === 503);
    expect(down.body.error?.kafka).toBeDefined();
    expect((await call(`${base}/health/live`)).status).toBe(200);
    kafka.start();
    await becomes(base, 'ready with Kafka back', (r) => r.status === 200);
  });

  it('goes unready while PostgreSQL is stopped and ready again when it is back', async () => {
    postgres.stop();
    const down = await becomes(base, 'unready without PostgreSQL', (r) => r.status === 503);
    expect(down.body.error?.database?.message).toEqual(expect.any(String));
    expect((await call(`${base}/health/live`)).status).toBe(200);
    postgres.start();
    await becomes(base, 'ready with PostgreSQL back', (r) => r.status === 200);
  });

  it('accepts and publishes a complaint after both outages, and logs it as JSON without personal data', async () => {
    const correlationId = `readiness-${Date.now()}`;
    await fileComplaint({ intake: base, resolution: base, analytics: base }, undefined, correlationId);
    const metrics = async () => (await call(`${base}/metrics`)).text();
    await eventually('the complaint published', async () =>
      /complaints_events_published_total\{service="intake",topic="complaints\.intake\.v1"\} [1-9]/.test(await metrics())
        ? true
        : undefined,
    );
    const lines = intake
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const request = logged.find((l) => l.correlationId === correlationId && l.message === 'request completed');
    expect(request).toMatchObject({
      service: 'intake',
      tenant: 'default',
      req: { method: 'POST', path: '/complaints' },
    });
    expect(intake.output()).not.toMatch(/王女士|电表计量不准|139\d{8}/);
  });
});
