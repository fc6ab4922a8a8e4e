/**
 * Who may do what, walked in full over the four services on real Kafka and PostgreSQL: every
 * endpoint of every service's OpenAPI document without a token (401) and with a token of each role
 * (the table below says which roles may call it; every other one gets 403); agents kept to their
 * departments; tenants kept apart (404 for every id of another tenant, search and export included);
 * the actor of every event taken from the token; API keys scoped to channels and revocable; bad
 * tokens refused; security headers, rate limits.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { ApiKeys, generateDevKeys, ROLES, type Role } from '@complaints/kit';
import { intakeService } from '@complaints/intake';
import { routingService } from '@complaints/routing';
import { resolutionService } from '@complaints/resolution';
import { analyticsService } from '@complaints/analytics';
import { eventually, requireEnv, uniqueSuffix } from '../support/database';
import { startInProcess, type InProcessService } from '../support/in-process';
import { complaintBody } from '../support/journey';
import { testKeys, tokenFor, type Who } from '../support/auth';

type Service = 'intake' | 'routing' | 'resolution' | 'analytics';

const SUBMIT: Role[] = ['channel', 'agent', 'supervisor', 'complaints-officer'];
const READ_CASES: Role[] = [
  'agent',
  'supervisor',
  'department-head',
  'complaints-officer',
  'quality-inspector',
  'auditor',
];
const WORK_CASES: Role[] = ['agent', 'supervisor', 'department-head', 'complaints-officer'];
const AUDIT: Role[] = ['complaints-officer', 'quality-inspector', 'auditor'];
/** KPIs and returns: department heads too, over their own departments' cases. */
const KPIS: Role[] = ['supervisor', 'department-head', ...AUDIT];
const RETURNS: Role[] = ['department-head', ...AUDIT];

const WORK_STEPS = [
  'acknowledge',
  'investigation',
  'accountability',
  'validity',
  'notifications',
  'wait',
  'resume',
  'reassign',
  'escalations/{level}/acknowledge',
  'escalate',
  'close',
  'reopen',
  'proposals',
  'proposals/{proposalId}/{decision}',
  'customer-decision',
  'execute',
];

/** Every endpoint and the roles that may call it: the security policy, written out to be checked. */
const POLICY: Record<Service, Record<string, Role[]>> = {
  intake: {
    'POST /complaints': SUBMIT,
    // channel: only the complaints that adapter filed itself (test/insider/adapter-and-tenant.insider.spec.ts).
    'GET /complaints/{id}': ['channel', 'supervisor', 'complaints-officer', 'quality-inspector', 'auditor'],
    'POST /complaints/{id}/duplicate-links/{otherId}/remove': ['supervisor', 'complaints-officer'],
    'POST /channels/email': SUBMIT,
    'POST /channels/hotline': SUBMIT,
    'POST /channels/branch': SUBMIT,
    'POST /channels/regulator': SUBMIT,
    'POST /channels/form': SUBMIT,
    'GET /attachments/{sha256}': READ_CASES,
    'POST /data-subjects/{subjectId}/erasure': ['complaints-officer', 'admin'],
    'GET /audit/cases/{id}/verify': AUDIT,
    // Intake's copy of resolution's sla and calendar versions: read here, published at resolution (a 404 here).
    'GET /policies/{kind}': ['auditor', 'admin'],
    'GET /policies/{kind}/versions/{n}': ['auditor', 'admin'],
    'POST /policies/{kind}/versions': ['admin'],
  },
  routing: {
    'GET /routing/rules': [
      'supervisor',
      'department-head',
      'complaints-officer',
      'quality-inspector',
      'auditor',
      'admin',
    ],
    'GET /routings/{complaintId}': READ_CASES,
    'GET /routings/{complaintId}/history': READ_CASES,
    'GET /routing/departments': [...READ_CASES, 'admin'],
    'GET /routing/departments/{id}': [...READ_CASES, 'admin'],
    'POST /routings/{complaintId}/reroute': ['supervisor', 'department-head', 'complaints-officer'],
    'GET /audit/cases/{id}/verify': AUDIT,
    // Rule tables and department directories as policy versions (docs/policy.md).
    'GET /policies/{kind}': ['auditor', 'admin'],
    'GET /policies/{kind}/versions/{n}': ['auditor', 'admin'],
    'POST /policies/{kind}/versions': ['admin'],
  },
  resolution: {
    ...Object.fromEntries(WORK_STEPS.map((step) => [`POST /cases/{id}/${step}`, WORK_CASES])),
    'POST /cases/{id}/follow-up': [...WORK_CASES, 'quality-inspector'],
    'POST /cases/{id}/satisfaction': [...WORK_CASES, 'quality-inspector'],
    'POST /cases/{id}/extensions': WORK_CASES,
    'POST /cases/{id}/extensions/{extensionId}/{decision}': WORK_CASES,
    'GET /cases/{id}': READ_CASES,
    'GET /cases/{id}/clocks': READ_CASES,
    'GET /audit/cases/{id}/verify': AUDIT,
    // Policy versions (docs/policy.md): admins publish, auditors and admins read.
    'GET /policies/{kind}': ['auditor', 'admin'],
    'GET /policies/{kind}/versions/{n}': ['auditor', 'admin'],
    'POST /policies/{kind}/versions': ['admin'],
  },
  analytics: {
    'GET /cases/{id}': READ_CASES,
    'GET /cases/{id}/history': READ_CASES,
    'GET /audit/cases/{id}/history': AUDIT,
    'GET /audit/cases/{id}/state': AUDIT,
    'GET /audit/cases': AUDIT,
    'GET /audit/cases/export': AUDIT,
    ...Object.fromEntries(
      ['volumes', 'handling', 'sla', 'outcomes', 'root-causes', 'repeat-complainants', 'departments'].map((k) => [
        `GET /kpis/${k}`,
        KPIS,
      ]),
    ),
    'GET /reports/fca': RETURNS,
    'GET /reports/nfra': RETURNS,
    'GET /audit/cases/{id}/verify': AUDIT,
  },
};

const TENANT = `bank-${uniqueSuffix()}`;
const OTHER_TENANT = `bank-${uniqueSuffix()}`;

describe('access control', () => {
  const services = {} as Record<Service, InProcessService>;
  let caseId: string;
  let department: string;
  let otherCaseId: string;

  const call = (service: Service, path: string, token?: string, init: RequestInit = {}) =>
    fetch(`${services[service].base}${path}`, {
      ...init,
      headers: {
        ...(typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(init.headers ?? {}),
      },
    });
  const as = (who: Who) => tokenFor({ tenant: TENANT, ...who });

  async function file(tenant: string): Promise<string> {
    const response = await call(
      'intake',
      '/complaints',
      await tokenFor({ role: 'channel', tenant, subject: 'cti-1' }),
      {
        method: 'POST',
        body: JSON.stringify(complaintBody()),
      },
    );
    expect(response.status).toBe(201);
    return ((await response.json()) as { complaintId: string }).complaintId;
  }

  async function opened(id: string, tenant: string): Promise<{ department: string }> {
    const token = await tokenFor({ role: 'auditor', tenant });
    await eventually(`case ${id} in analytics`, async () => {
      const history = await call('analytics', `/cases/${id}/history`, token);
      if (history.status !== 200) return undefined;
      const { events } = (await history.json()) as { events: { type: string }[] };
      return events.some((e) => e.type === 'case.opened.v1') ? true : undefined;
    });
    return (await (await call('resolution', `/cases/${id}`, token)).json()) as { department: string };
  }

  beforeAll(async () => {
    const env = { KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'), TOPIC_PREFIX: `acl-${uniqueSuffix()}.` };
    for (const [name, definition] of [
      ['intake', intakeService],
      ['routing', routingService],
      ['resolution', resolutionService],
      ['analytics', analyticsService],
    ] as const) {
      services[name] = await startInProcess(definition, undefined, env);
    }
    caseId = await file(TENANT);
    otherCaseId = await file(OTHER_TENANT);
    department = (await opened(caseId, TENANT)).department;
    await opened(otherCaseId, OTHER_TENANT);
  }, 180_000);

  afterAll(async () => {
    for (const service of Object.values(services).reverse()) await service?.close();
  });

  /** A concrete request for an endpoint: reads name the real case, writes a case that is not there. */
  function request(route: string, service: Service): { method: string; path: string; body?: string } {
    const [method, template] = route.split(' ') as [string, string];
    const id = method === 'GET' ? caseId : randomUUID();
    const path = template
      .replace(/^\/routing\/departments\/\{id\}$/, `/routing/departments/${department}`)
      .replace('{id}', id)
      .replace('{complaintId}', id)
      .replace('{otherId}', randomUUID())
      .replace('{proposalId}', randomUUID())
      .replace('{extensionId}', randomUUID())
      .replace('{decision}', 'approve')
      .replace('{level}', '1')
      // A kind the service applies: routing keeps the rule tables, resolution the SLA policy (intake replicates it).
      .replace('{kind}', service === 'routing' ? 'routing-rules' : 'sla')
      .replace('{n}', '0')
      .replace('{sha256}', randomBytes(32).toString('hex'))
      .replace('{subjectId}', `ds-${randomBytes(16).toString('hex')}`);
    const query = /\/audit\/cases\/[^/]+\/state$/.test(path)
      ? `?at=${encodeURIComponent(new Date().toISOString())}`
      : '';
    // Writes carry an empty body: a caller the roles admit gets a 4xx from validation, so nothing changes.
    return { method, path: path + query, ...(method === 'POST' ? { body: '{}' } : {}) };
  }

  it('lists in its policy table exactly the endpoints each service documents', async () => {
    for (const service of Object.keys(POLICY) as Service[]) {
      const docs = (await (await fetch(`${services[service].base}/docs-json`)).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      const documented = Object.entries(docs.paths)
        .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`))
        .filter((route) => !/ \/health\//.test(route))
        .sort();
      expect({ service, routes: documented }).toEqual({ service, routes: Object.keys(POLICY[service]).sort() });
    }
  });

  it('answers 401 without a token and 403 to every role the table does not name, on every endpoint', async () => {
    const mismatches: string[] = [];
    for (const [service, routes] of Object.entries(POLICY) as [Service, Record<string, Role[]>][]) {
      for (const [route, allowed] of Object.entries(routes)) {
        const { method, path, body } = request(route, service);
        const anonymous = await call(service, path, undefined, { method, body });
        if (anonymous.status !== 401) mismatches.push(`${service} ${route} without a token: ${anonymous.status}`);
        for (const role of ROLES) {
          // A channel adapter reads back only what it filed (the case was filed as cti-1); others' are 404s.
          const token = await as({
            role,
            departments: [department],
            ...(role === 'channel' ? { subject: 'cti-1' } : {}),
          });
          const response = await call(service, path, token, { method, body });
          const expected = allowed.includes(role) ? (method === 'GET' ? [200, 404] : [400, 404, 409, 422]) : [403];
          // A read the roles admit must answer with the data (an unknown sha256 is a 404, and analytics
          // keeps no event streams of its own to verify).
          const admittedRead = method === 'GET' && allowed.includes(role) && !/attachments|verify/.test(route);
          const ok = admittedRead ? response.status === 200 : expected.includes(response.status);
          if (!ok) mismatches.push(`${service} ${route} as ${role}: ${response.status} ${await response.text()}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 600_000);

  it('keeps agents to the cases of their departments, and lets an auditor read but never write', async () => {
    const outsider = await as({ role: 'agent', subject: 'agent-elsewhere', departments: ['no-such-department'] });
    const insider = await as({ role: 'agent', subject: 'agent-inside', departments: [department] });
    for (const [service, path] of [
      ['resolution', `/cases/${caseId}`],
      ['resolution', `/cases/${caseId}/clocks`],
      ['routing', `/routings/${caseId}`],
      ['analytics', `/cases/${caseId}`],
      ['analytics', `/cases/${caseId}/history`],
    ] as const) {
      expect(`${path} ${(await call(service, path, outsider)).status}`).toBe(`${path} 404`);
      expect(`${path} ${(await call(service, path, insider)).status}`).toBe(`${path} 200`);
    }
    const acknowledge = { method: 'POST', body: JSON.stringify({ channel: 'phone', summary: 'Called' }) };
    expect((await call('resolution', `/cases/${caseId}/acknowledge`, outsider, acknowledge)).status).toBe(404);
    const auditor = await as({ role: 'auditor' });
    expect((await call('resolution', `/cases/${caseId}/acknowledge`, auditor, acknowledge)).status).toBe(403);
    expect((await call('analytics', `/audit/cases/${caseId}/history`, auditor)).status).toBe(200);
  });

  it('records the token’s subject as the actor, whatever actor headers the caller sends', async () => {
    const insider = await as({ role: 'agent', subject: 'agent-inside', departments: [department] });
    const acknowledged = await call('resolution', `/cases/${caseId}/acknowledge`, insider, {
      method: 'POST',
      body: JSON.stringify({ channel: 'phone', summary: 'Called the customer' }),
      headers: { 'x-actor-id': 'someone-else', 'x-actor-role': 'complaints-officer', 'x-tenant-id': OTHER_TENANT },
    });
    expect(acknowledged.status).toBe(200);
    const auditor = await as({ role: 'auditor' });
    const events = await eventually('the acknowledgement in the history', async () => {
      const { events } = (await (await call('analytics', `/audit/cases/${caseId}/history`, auditor)).json()) as {
        events: { type: string; actor: { id: string; role: string }; tenant: string }[];
      };
      return events.some((e) => e.type === 'case.acknowledged.v1') ? events : undefined;
    });
    expect(events.find((e) => e.type === 'complaint.received.v1')?.actor).toEqual({ id: 'cti-1', role: 'channel' });
    expect(events.find((e) => e.type === 'case.acknowledged.v1')?.actor).toEqual({ id: 'agent-inside', role: 'agent' });
    expect(new Set(events.map((e) => e.tenant))).toEqual(new Set([TENANT]));
    const { rows } = await services.resolution.db.query<{ actor: { id: string } }>(
      "SELECT metadata->'actor' AS actor FROM events WHERE stream_id = $1 AND type = 'CaseAcknowledged'",
      [`case-${caseId}`],
    );
    expect(rows.map((r) => r.actor.id)).toEqual(['agent-inside']);
  });

  it('answers 404 to another tenant for every id, and leaves its cases out of search and export', async () => {
    const stranger = await tokenFor({ role: 'complaints-officer', tenant: OTHER_TENANT, subject: 'officer-y' });
    const reads: [Service, string][] = [
      ['intake', `/complaints/${caseId}`],
      ['intake', `/audit/cases/${caseId}/verify`],
      ['routing', `/routings/${caseId}`],
      ['routing', `/routings/${caseId}/history`],
      ['routing', `/audit/cases/${caseId}/verify`],
      ['resolution', `/cases/${caseId}`],
      ['resolution', `/cases/${caseId}/clocks`],
      ['resolution', `/audit/cases/${caseId}/verify`],
      ['analytics', `/cases/${caseId}`],
      ['analytics', `/cases/${caseId}/history`],
      ['analytics', `/audit/cases/${caseId}/history`],
      ['analytics', `/audit/cases/${caseId}/state`],
    ];
    for (const [service, path] of reads) {
      expect(`${service} ${path} ${(await call(service, path, stranger)).status}`).toBe(`${service} ${path} 404`);
    }
    const writes: [Service, string, unknown][] = [
      ['resolution', `/cases/${caseId}/acknowledge`, { channel: 'phone', summary: 'x' }],
      ['routing', `/routings/${caseId}/reroute`, { department: 'billing', reason: 'x' }],
      ['intake', `/complaints/${caseId}/duplicate-links/${otherCaseId}/remove`, { reason: 'x' }],
    ];
    for (const [service, path, body] of writes) {
      const response = await call(service, path, stranger, { method: 'POST', body: JSON.stringify(body) });
      expect(`${service} ${path} ${response.status}`).toBe(`${service} ${path} 404`);
    }
    const search = (await (await call('analytics', '/audit/cases?limit=500', stranger)).json()) as {
      cases: { complaintId: string; tenant: string }[];
    };
    expect(search.cases.map((c) => c.complaintId)).toEqual([otherCaseId]);
    const ndjson = await (await call('analytics', '/audit/cases/export?format=ndjson', stranger)).text();
    expect(ndjson).toContain(otherCaseId);
    expect(ndjson).not.toContain(caseId);
    const csv = await (await call('analytics', '/audit/cases/export?format=csv', stranger)).text();
    expect(csv).not.toContain(caseId);
    expect((await call('analytics', `/audit/cases?tenant=${TENANT}`, stranger)).status).toBe(403);
    expect((await call('analytics', `/kpis/volumes?tenant=${TENANT}`, stranger)).status).toBe(403);
    // The case is there for its own tenant all along.
    expect((await call('resolution', `/cases/${caseId}`, await as({ role: 'auditor' }))).status).toBe(200);
  });

  it('takes API keys only on their channels, and not once revoked', async () => {
    const keys = new ApiKeys(services.intake.db);
    const issued = await keys.issue(TENANT, 'cti-95598', ['hotline']);
    const post = (key: string, channel: string) =>
      call('intake', '/complaints', undefined, {
        method: 'POST',
        headers: { 'x-api-key': key },
        body: JSON.stringify({ ...complaintBody(), channel }),
      });
    const accepted = await post(issued.key, 'hotline');
    expect(accepted.status).toBe(201);
    expect((await post(issued.key, 'web')).status).toBe(403);
    expect((await post(`${issued.key.slice(0, -2)}xx`, 'hotline')).status).toBe(401);
    const { complaintId } = (await accepted.json()) as { complaintId: string };
    const complaint = (await (
      await call('intake', `/complaints/${complaintId}`, await as({ role: 'auditor' }))
    ).json()) as { channel: string };
    expect(complaint.channel).toBe('hotline');
    const { rows } = await services.intake.db.query<{ actor: { id: string }; tenant: string }>(
      "SELECT metadata->'actor' AS actor, metadata->>'tenant' AS tenant FROM events WHERE stream_id = $1",
      [`complaint-${complaintId}`],
    );
    expect(rows[0]).toEqual({ actor: { id: 'api-key:cti-95598', role: 'channel' }, tenant: TENANT });
    const digests = await services.intake.db.query<{ secret_sha256: Buffer }>('SELECT secret_sha256 FROM api_keys');
    expect(digests.rows.every((r) => !issued.key.includes(r.secret_sha256.toString('hex')))).toBe(true);
    await keys.revoke(issued.id);
    expect((await post(issued.key, 'hotline')).status).toBe(401);
  });

  it('refuses tokens signed by another key, expired, for another audience or naming no tenant; forbids one with no known role', async () => {
    const stranger = generateDevKeys();
    const now = Math.floor(Date.now() / 1000);
    const sign = async (
      keys: typeof testKeys,
      claims: Record<string, unknown>,
      expires = now + 300,
      audience = 'complaints-platform',
    ) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', kid: keys.privateJwk.kid })
        .setSubject('mallory')
        .setAudience(audience)
        .setIssuedAt(now - 600)
        .setExpirationTime(expires)
        .sign(await importJWK(keys.privateJwk, 'EdDSA'));
    const claims = { tenant: TENANT, roles: ['auditor'] };
    const path = `/cases/${caseId}`;
    const refused = [
      await sign(stranger, claims),
      await sign(testKeys, claims, now - 60),
      await sign(testKeys, claims, now + 300, 'another-app'),
      await sign(testKeys, { roles: ['auditor'] }),
      'not-a-token',
    ];
    for (const token of refused) {
      const response = await call('resolution', path, token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    // A good token whose roles the platform does not know: the caller is known, and not let in.
    const unknownRole = await call('resolution', path, await sign(testKeys, { tenant: TENANT, roles: ['root'] }));
    expect(unknownRole.status).toBe(403);
    expect(((await unknownRole.json()) as { detail: string }).detail).toMatch(/no role this platform knows/);
    expect((await call('resolution', path, await sign(testKeys, claims))).status).toBe(200);
  });

  it('sends security headers, no CORS grant to unknown origins, and no stack traces', async () => {
    const response = await call('resolution', `/cases/${caseId}`, await as({ role: 'auditor' }), {
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age/);
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const broken = await call('intake', '/complaints', await as({ role: 'channel' }), {
      method: 'POST',
      body: '{"channel": ',
    });
    expect(broken.status).toBe(400);
    expect(await broken.text()).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe('rate limits', () => {
  let intake: InProcessService;
  beforeAll(async () => {
    intake = await startInProcess(intakeService, undefined, { RATE_LIMIT_PER_MINUTE: '5' });
  });
  afterAll(async () => intake?.close());

  it('answers 429 past the limit per caller, and never limits health', async () => {
    const token = await tokenFor({ role: 'auditor' });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (await fetch(`${intake.base}/complaints/${randomUUID()}`, { headers: { authorization: `Bearer ${token}` } }))
          .status,
      );
    }
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429]);
    for (let i = 0; i < 7; i++) expect((await fetch(`${intake.base}/health/live`)).status).toBe(200);
  });
});
