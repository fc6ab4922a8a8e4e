/**
 * Hostile input against every public endpoint of the four services: at least 10,000 generated
 * requests (wrong types, missing and unknown fields, huge strings, deep JSON, invalid UTF-8,
 * injection strings, invalid ids, out-of-range numbers, wrong content types). Each service runs
 * in-process on its own fresh database; the endpoints come from the OpenAPI document each serves,
 * so a new endpoint is fuzzed without touching this file. Reproducible: the seed is fixed
 * (override with HOSTILE_SEED, size with HOSTILE_RUNS).
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { Client } from 'pg';
import { Topics } from '@complaints/contracts';
import { openDatabase, type Database } from '@complaints/eventstore';
import { ROLES, type ServiceDefinition } from '@complaints/kit';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { analyticsService } from '@complaints/analytics';
import { intakeService } from '@complaints/intake';
import { resolutionService } from '@complaints/resolution';
import { routingService } from '@complaints/routing';
import { routedEnvelope } from '../fixtures/events';
import { eventually } from '../support/database';
import { hostileRequest, operationsOf, type HostileRequest, type Operation } from '../support/hostile-requests';
import { startInProcess, type InProcessService } from '../support/in-process';
import { ALL_DEPARTMENTS, api, tokenFor } from '../support/auth';

/**
 * Hostile requests carry a token holding every role and department, so that each reaches the
 * endpoint's validation (the request's own Authorization header, when the generator made one, is
 * kept: a bad one must be a 401 with a message). Access control itself is access-control.e2e.spec.ts.
 */
const everyRole = tokenFor({ role: 'admin', roles: [...ROLES], departments: ALL_DEPARTMENTS, subject: 'fuzzer' });

const SEED = Number(process.env.HOSTILE_SEED ?? 20261122);
const RUNS = Number(process.env.HOSTILE_RUNS ?? 10_000);
const IN_FLIGHT = 8;
const DEFINITIONS: ServiceDefinition[] = [intakeService, routingService, resolutionService, analyticsService];
/** Messages that say only what the status code says: they name no problem. */
const GENERIC =
  /^(bad request|not found|conflict|forbidden|unprocessable entity|payload too large|internal server error|error)?\.?$/i;

interface Answer {
  request: HostileRequest;
  status: number;
  text: string;
}

/** Row counts of every table and the last global position of every events table, per database. */
async function snapshot(url: string): Promise<Record<string, string>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ schema: string; name: string }>(
      'SELECT schemaname AS schema, relname AS name FROM pg_stat_user_tables ORDER BY 1, 2',
    );
    const counts: Record<string, string> = {};
    for (const { schema, name } of tables) {
      const table = `"${schema}"."${name}"`;
      const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`);
      counts[table] = rows[0]!.n;
      if (name === 'events') {
        const last = await client.query<{ p: string | null }>(`SELECT max(global_position)::text AS p FROM ${table}`);
        counts[`${table} max(global_position)`] = last.rows[0]!.p ?? 'none';
      }
    }
    return counts;
  } finally {
    await client.end();
  }
}

/** Waits until background work (relays, consumers, checkpoints) has settled. */
async function settledSnapshot(url: string): Promise<Record<string, string>> {
  let previous = await snapshot(url);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1500));
    const next = await snapshot(url);
    if (JSON.stringify(next) === JSON.stringify(previous)) return next;
    previous = next;
  }
}

async function send(request: HostileRequest, retried = false): Promise<Answer> {
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: { authorization: `Bearer ${await everyRole}`, ...request.headers },
      ...(request.body ? { body: request.body } : {}),
    });
    return { request, status: response.status, text: await response.text() };
  } catch (error) {
    // A kept-alive connection can close just as the next request goes out; a second try on a new
    // connection tells that race from a request that really drops the connection (status 0: a fault).
    if (!retried) return send(request, true);
    return { request, status: 0, text: String((error as Error & { cause?: unknown }).cause ?? error) };
  }
}

/** Why an answer is wrong, or undefined when it is a proper refusal (or a harmless read). */
function fault(answer: Answer): string | undefined {
  const { request, status, text } = answer;
  if (status >= 500) return `${status}`;
  if (status === 0) return 'no answer';
  const mutating = request.method !== 'GET';
  if (status < 400) return mutating ? `accepted (${status})` : undefined;
  let body: { detail?: unknown; type?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return `${status} without a JSON body`;
  }
  // RFC 9457: a documented problem type and a detail that says what is wrong.
  if (typeof body.type !== 'string' || !/^(tag:|about:blank$)/.test(body.type))
    return `${status} without a problem type`;
  const message = body.detail;
  if (typeof message !== 'string' || GENERIC.test(message.trim())) return `${status} with a vague message`;
  // Compared as JSON text, so that names with odd characters are escaped alike on both sides.
  if (status === 400 && request.field && !JSON.stringify(body).includes(JSON.stringify(request.field).slice(1, -1)))
    return `400 that does not name ${request.field}`;
  return undefined;
}

describe('hostile input against every public endpoint', () => {
  const services: InProcessService[] = [];
  const realIds: Record<string, string[]> = {};
  let operations: Operation[] = [];
  let bus: Database | undefined;

  beforeAll(async () => {
    for (const definition of DEFINITIONS) services.push(await startInProcess(definition));
    const [intake, , resolution] = services;
    operations = (
      await Promise.all(
        services.map(async (service, i) => {
          const response = await fetch(`${service.base}/docs-json`);
          return operationsOf(DEFINITIONS[i]!.name, service.base, (await response.json()) as never);
        }),
      )
    ).flat();

    // Real records, so that hostile requests also reach existing complaints and cases.
    const registered = await api(`${intake!.base}/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'web',
        complainant: { name: 'Ms Li', contact: { phone: '13800000000' } },
        description: 'Charged an annual fee on a cancelled card',
        demands: ['Refund the fee'],
        target: { kind: 'product', name: 'Credit card' },
        occurredAt: '2026-03-01T10:00:00+08:00',
        language: 'en',
      }),
    });
    expect(registered.status).toBe(201);
    realIds.intake = [((await registered.json()) as { complaintId: string }).complaintId];
    const caseId = randomUUID();
    bus = await openDatabase({ url: resolution!.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
    await new PostgresTransport(bus).publish([
      {
        topic: Topics.routing,
        key: caseId,
        value: JSON.stringify(routedEnvelope(caseId, 'C-1', 'default')),
        headers: {},
      },
    ]);
    await eventually(`case ${caseId} opened`, async () =>
      (await api(`${resolution!.base}/cases/${caseId}`)).status === 200 ? true : undefined,
    );
    realIds.resolution = [caseId];
    realIds.analytics = [caseId];
    realIds.routing = realIds.intake;
  }, 120_000);

  afterAll(async () => {
    await bus?.close();
    for (const service of services) await service.close();
  });

  it('finds the endpoints of all four services in their OpenAPI documents', () => {
    const services = new Set(operations.map((o) => o.service));
    expect([...services].sort()).toEqual(['analytics', 'intake', 'resolution', 'routing']);
    expect(operations.filter((o) => o.method === 'POST').length).toBeGreaterThan(20);
  });

  it(`answers ${RUNS} hostile requests with 4xx naming the problem, never 5xx, and changes no data`, async () => {
    const before = await Promise.all(services.map((s) => settledSnapshot(s.testDb.url)));
    const requests = fc.sample(
      fc.constantFrom(...operations).chain((operation) => hostileRequest(operation, realIds[operation.service] ?? [])),
      { seed: SEED, numRuns: RUNS },
    );

    const answers: Answer[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < requests.length) answers.push(await send(requests[next++]!));
      }),
    );

    const faults = answers.flatMap((answer) => {
      const why = fault(answer);
      return why ? [{ why, answer }] : [];
    });
    const report = faults
      .slice(0, 25)
      .map(
        ({ why, answer: { request, text } }) =>
          `${why}: ${request.method} ${request.operation.service} ${request.operation.path} — ${request.defect}\n    → ${text.slice(0, 300)}`,
      );
    expect(report).toEqual([]);
    expect(answers).toHaveLength(RUNS);
    // Every operation was exercised.
    const reached = new Set(answers.map((a) => `${a.request.method} ${a.request.operation.path}`));
    expect(operations.filter((o) => !reached.has(`${o.method} ${o.path}`))).toEqual([]);

    const after = await Promise.all(services.map((s) => settledSnapshot(s.testDb.url)));
    expect(after).toEqual(before);
  }, 600_000);
});
