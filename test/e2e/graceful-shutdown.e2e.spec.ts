/**
 * SIGTERM to a service process with requests in flight: every request it had begun receiving is
 * answered, what it accepted is in the database, and the process exits 0 within 10 seconds. A
 * consumer stopped mid-stream commits the position of everything it processed, and resumes
 * where it stopped.
 */
import { request } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { prefixed } from '@complaints/contracts';
import { createTestDatabase, eventually, requireEnv, uniqueSuffix, type TestDatabase } from '../support/database';
import { freePort, startService, waitUntilReady, type RunningProcess } from '../support/processes';
import { api, tokenFor } from '../support/auth';

const complaint = (n: number) =>
  JSON.stringify({
    channel: 'web',
    complainant: { name: `Customer ${n}`, contact: { phone: '13800000000' } },
    description: `Charged twice for the same bill (${n})`,
    demands: ['Refund the second charge'],
    target: { kind: 'product', name: 'Electricity bill' },
    occurredAt: '2026-03-01T10:00:00+08:00',
    language: 'en',
  });

/** POSTs a complaint, sending the body in two parts with `between` awaited in the middle. */
function postInTwoParts(port: number, body: string, between: Promise<void>, token: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/complaints',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    void between.then(() => req.end(body.slice(half)));
  });
}

async function sql<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('graceful shutdown', () => {
  // Each test its own database: a service's relay publishes everything its events table holds.
  let testDb: TestDatabase;
  let intake: RunningProcess | undefined;
  let routing: RunningProcess | undefined;

  beforeEach(async () => {
    testDb = await createTestDatabase('shutdown');
  });
  afterEach(async () => {
    await intake?.stop('SIGKILL');
    await routing?.stop('SIGKILL');
    await testDb?.drop();
  });

  it('finishes in-flight requests on SIGTERM, loses nothing it accepted, and exits 0 within 10 s', async () => {
    const port = freePort();
    intake = startService('intake', {
      ...process.env,
      DATABASE_URL: testDb.url,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      TOPIC_PREFIX: `shutdown${uniqueSuffix()}`,
      PORT: String(port),
    });
    await waitUntilReady(intake, `http://127.0.0.1:${port}`);

    // Half-sent requests: the server has them, and the rest of each body arrives after SIGTERM.
    let release!: () => void;
    const afterSignal = new Promise<void>((resolve) => (release = resolve));
    const token = await tokenFor({ role: 'channel' });
    const halfSent = Array.from({ length: 10 }, (_, n) => postInTwoParts(port, complaint(n), afterSignal, token));
    let signalledAt = Date.now() + 1e9;
    // And a burst of whole requests racing the signal.
    const burst = Array.from({ length: 30 }, (_, n) =>
      api(`http://127.0.0.1:${port}/complaints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: complaint(100 + n),
      }).then(
        async (response) => ({ status: response.status, body: await response.text() }),
        (error: Error & { cause?: Error }) => ({
          status: 0,
          body: `${(error.cause ?? error).message} ${Date.now() - signalledAt} ms after SIGTERM`,
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 100));

    signalledAt = Date.now();
    process.kill(intake.child.pid!, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    release();
    const answers = await Promise.all([...halfSent, ...burst]);
    const exitCode = await intake.exited;

    expect(answers.filter((a) => a.status !== 201)).toEqual([]);
    // 0: it drained before its own limit (SHUTDOWN_LIMIT_MS; past it the service exits 1).
    expect(exitCode).toBe(0);

    const ids = answers.map((a) => (JSON.parse(a.body) as { complaintId: string }).complaintId);
    const client = new Client({ connectionString: testDb.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ stream_id: string }>(
        "SELECT DISTINCT stream_id FROM intake.events WHERE type = 'ComplaintReceived'",
      );
      const stored = rows.map((r) => r.stream_id);
      expect(ids.filter((id) => !stored.some((s) => s.endsWith(id)))).toEqual([]);
    } finally {
      await client.end();
    }
  }, 120_000);
  it('stops a consumer mid-stream on SIGTERM with every processed event committed, and resumes without loss', async () => {
    const prefix = `drain${uniqueSuffix()}`;
    const ports = { intake: freePort(), routing: freePort() };
    const env = {
      ...process.env,
      DATABASE_URL: testDb.url,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      TOPIC_PREFIX: prefix,
    };
    const startRouting = async () => {
      routing = startService('routing', { ...env, PORT: String(ports.routing) });
      await waitUntilReady(routing, `http://127.0.0.1:${ports.routing}`);
    };
    intake = startService('intake', { ...env, PORT: String(ports.intake) });
    await waitUntilReady(intake, `http://127.0.0.1:${ports.intake}`);
    await startRouting();

    const count = 60;
    for (let n = 0; n < count; n++) {
      const response = await api(`http://127.0.0.1:${ports.intake}/complaints`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: complaint(1000 + n),
      });
      expect(response.status).toBe(201);
    }
    const group = prefixed(prefix, 'routing');
    const processed = () =>
      sql<{ n: number }>(testDb.url, 'SELECT count(*)::int AS n FROM routing.inbox WHERE consumer = $1', [group]).then(
        (rows) => rows[0]!.n,
      );
    // Stop it while it is working through the stream.
    await eventually('routing to start consuming', async () => ((await processed()) > 0 ? true : undefined));
    process.kill(routing!.child.pid!, 'SIGTERM');
    // 0: it drained before its own limit (SHUTDOWN_LIMIT_MS; past it the service exits 1).
    expect(await routing!.exited).toBe(0);

    // Every event it processed has its position committed: none is handled twice after a restart.
    const kafka = new Kafka({ brokers: requireEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.fetchOffsets({ groupId: group });
      const committed = topics.flatMap((t) => t.partitions).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      expect(committed).toBe(await processed());
    } finally {
      await admin.disconnect();
    }

    await startRouting();
    const routed = () =>
      sql<{ streams: number; events: number }>(
        testDb.url,
        "SELECT count(DISTINCT stream_id)::int AS streams, count(*)::int AS events FROM routing.events WHERE type = 'ComplaintRouted'",
      ).then((rows) => rows[0]!);
    await eventually('every complaint routed', async () => ((await routed()).streams === count ? true : undefined));
    expect(await routed()).toEqual({ streams: count, events: count });
  }, 180_000);
});
