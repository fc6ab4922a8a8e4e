/**
 * A complaint's whole journey through the four services as separate processes, only through
 * @complaints/client (openapi-fetch over the types generated from the services' OpenAPI
 * documents): intake, routing, the case workflow and the audit history. `npm run typecheck`
 * fails if any response used here is untyped: `ok()` demands a second argument when an
 * operation's documented 2xx body is missing, and the fields read below must exist on it; and
 * every analytics read (KPIs and regulator returns included) must answer a typed JSON body.
 */
import {
  analyticsClient,
  type AnalyticsPaths,
  intakeClient,
  resolutionClient,
  routingClient,
  type IntakeSchema,
  type Problem,
  type ResolutionSchema,
} from '@complaints/client';
import { ALL_DEPARTMENTS, as } from '../support/auth';
import { createTestDatabase, eventually, requireEnv, uniqueSuffix, type TestDatabase } from '../support/database';
import { complaintBody } from '../support/journey';
import { freePort, startService, waitUntilReady, type RunningProcess } from '../support/processes';

const SERVICES = ['intake', 'routing', 'resolution', 'analytics'] as const;
type Service = (typeof SERVICES)[number];

/** The data of a 2xx answer; a compile error when the operation documents no body for it. */
function ok<T>(
  result: { data?: T; error?: unknown; response: Response },
  ..._typed: [T] extends [never] ? ['this operation documents no 2xx body'] : [T] extends [undefined] ? ['untyped'] : []
): T {
  if (result.data === undefined || !result.response.ok) {
    throw new Error(`${result.response.status} ${result.response.url}: ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

/** The JSON body of an operation's 200 answer. */
type Json200<Op> = Op extends { responses: { 200: { content: { 'application/json': infer B } } } } ? B : never;
/** `unknown`, or an object of any keys: what a free-form schema generates. */
type FreeForm<B> = unknown extends B ? true : string extends keyof B ? true : false;
/** The analytics paths whose GET answers an untyped JSON body (none, or `npm run typecheck` names them). */
type UntypedAnalyticsReads = {
  [P in keyof AnalyticsPaths]: AnalyticsPaths[P] extends { get: infer Op }
    ? [Json200<Op>] extends [never]
      ? never
      : FreeForm<Json200<Op>> extends true
        ? P
        : never
    : never;
}[keyof AnalyticsPaths];
const everyAnalyticsReadTyped: [UntypedAnalyticsReads] extends [never] ? true : UntypedAnalyticsReads = true;

describe('a complaint walked through the platform with @complaints/client only', () => {
  let testDb: TestDatabase;
  const ports = Object.fromEntries(SERVICES.map((s) => [s, freePort()])) as Record<Service, number>;
  const baseUrl = (s: Service) => `http://127.0.0.1:${ports[s]}`;
  const running: RunningProcess[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase('e2e_client');
    const env = {
      ...process.env,
      DATABASE_URL: testDb.url,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      TOPIC_PREFIX: `e2e${uniqueSuffix()}`,
    };
    for (const service of SERVICES) {
      const child = startService(service, { ...env, PORT: String(ports[service]) });
      running.push(child);
      await waitUntilReady(child, baseUrl(service));
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await testDb?.drop();
  }, 60_000);

  it('registers, routes, works the case to closure and reads its audit history', async () => {
    const channel = intakeClient({
      baseUrl: baseUrl('intake'),
      headers: await as({ role: 'channel', subject: 'cti-95598' }),
    });
    const body: IntakeSchema<'RegisterComplaintDto'> = {
      ...complaintBody('My credit card annual fee was charged twice'),
      channel: 'hotline',
      target: { kind: 'product', name: 'Platinum credit card' },
    };
    const registration: IntakeSchema<'RegistrationDto'> = ok(await channel.POST('/complaints', { body }));
    expect(registration.reference).toMatch(/\S/); // the reference the customer must be told
    expect(new Date(registration.timeLimit.respondBy).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const id = registration.complaintId;

    const complaint = ok(await channel.GET('/complaints/{id}', { params: { path: { id } } }));
    expect(complaint.reference).toBe(registration.reference);

    const supervisor = routingClient({ baseUrl: baseUrl('routing'), headers: await as('supervisor') });
    const routing = await eventually('the complaint routed', async () => {
      const answer = await supervisor.GET('/routings/{complaintId}', { params: { path: { complaintId: id } } });
      return answer.response.status === 404 ? undefined : ok(answer);
    });
    expect(routing.current.department).toBe('cards');

    const agent = resolutionClient({
      baseUrl: baseUrl('resolution'),
      headers: await as({ role: 'agent', subject: 'agent-7', departments: ALL_DEPARTMENTS }),
    });
    const path = { params: { path: { id } } };
    await eventually('the case opened', async () => {
      const answer = await agent.GET('/cases/{id}', path);
      return answer.response.status === 404 ? undefined : ok(answer);
    });

    // A step the state does not allow: a typed RFC 9457 problem.
    const early = await agent.POST('/cases/{id}/execute', { ...path, body: { summary: 'too early' } });
    const problem: Problem | undefined = early.error;
    expect({ status: early.response.status, type: problem?.type }).toEqual({
      status: 409,
      type: 'tag:complaints-platform,2026:problem/invalid-state',
    });
    expect(early.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    const steps: ResolutionSchema<'CaseViewDto'>[] = [
      ok(await agent.POST('/cases/{id}/acknowledge', { ...path, body: { channel: 'phone', summary: 'Called back' } })),
      ok(await agent.POST('/cases/{id}/validity', { ...path, body: { valid: true } })),
      ok(
        await agent.POST('/cases/{id}/proposals', {
          ...path,
          body: {
            options: [
              { kind: 'refund', description: 'Refund the duplicate fee', amount: 200, currency: 'CNY' },
              { kind: 'apology', description: 'Letter of apology' },
            ],
          },
        }),
      ),
      ok(
        await agent.POST('/cases/{id}/customer-decision', {
          ...path,
          body: { decision: 'accept', optionId: 'option-1' },
        }),
      ),
      ok(await agent.POST('/cases/{id}/execute', { ...path, body: { summary: 'CNY 200 refunded' } })),
      ok(
        await agent.POST('/cases/{id}/close', {
          ...path,
          body: { rootCause: 'Duplicate billing run', improvementAction: 'Idempotent billing job' },
        }),
      ),
    ];
    expect(steps.map((s) => s.status)).toEqual([
      'in-progress',
      'in-progress',
      'awaiting-customer',
      'accepted',
      'resolved',
      'closed',
    ]);
    expect(steps.at(-1)!.reference).toBe(registration.reference);

    const auditor = analyticsClient({ baseUrl: baseUrl('analytics'), headers: await as('auditor') });
    const history = await eventually('the closed case in the audit history', async () => {
      const answer = await auditor.GET('/audit/cases/{id}/history', path);
      if (answer.response.status === 404) return undefined;
      const { events } = ok(answer);
      return events.some((e) => e.type === 'case.closed.v1') ? events : undefined;
    });
    expect(history.map((e) => e.type)).toEqual([
      'complaint.received.v1',
      'complaint.routed.v1',
      'case.opened.v1',
      'case.acknowledged.v1',
      'case.validity-judged.v1',
      'case.resolution-proposed.v1',
      'case.option-accepted.v1',
      'case.resolved.v1',
      'case.closed.v1',
    ]);
    expect(history[3]!.actor).toEqual({ id: 'agent-7', role: 'agent' });

    // The KPIs and the regulator return of the period, typed figures from the same client.
    expect(everyAnalyticsReadTyped).toBe(true);
    const period = {
      params: {
        query: {
          from: new Date(Date.parse(registration.receivedAt) - 60_000).toISOString(),
          to: new Date(Date.now() + 60_000).toISOString(),
        },
      },
    };
    const handling = await eventually('the closed case in the KPIs', async () => {
      const figures = ok(await auditor.GET('/kpis/handling', period));
      return figures.resolved === 1 ? figures : undefined;
    });
    expect(handling).toMatchObject({ cases: 1, acknowledged: 1, reopenRate: 0 });
    expect(handling.hoursToResolve.median).toEqual(expect.any(Number));
    const causes = ok(await auditor.GET('/kpis/root-causes', period));
    expect(causes.rows.map((row) => [row.rootCause, row.cases, row.improvementActions])).toEqual([
      ['Duplicate billing run', 1, ['Idempotent billing job']],
    ]);
    const fca = ok(await auditor.GET('/reports/fca', period));
    expect(fca.total).toMatchObject({ opened: 1, closed: 1, upheld: 1, upheldPercent: 100 });
    expect(fca.rows.map((row) => row.product)).toEqual(['Platinum credit card']);
  }, 180_000);
});
