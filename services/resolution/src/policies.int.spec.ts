/**
 * Policy as audited data over real PostgreSQL and Kafka, with TWO resolution instances on one
 * database (as two pods): a version published through the admin API on one decides new cases on
 * the other without a restart; a case decided before names the version it was decided under; a
 * version effective in the future applies only from then; bad documents are refused naming the
 * field; admins write, auditors read, agents neither.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prefixed, toBinaryMessage, Topics } from '@complaints/contracts';
import { DATABASE, loadServiceConfig, startService } from '@complaints/kit';
import { EventStore, type Database } from '@complaints/eventstore';
import { KafkaTransport } from '@complaints/messaging';
import type { INestApplication } from '@nestjs/common';
import {
  createTestDatabase,
  eventually,
  requireEnv,
  uniqueSuffix,
  type TestDatabase,
} from '../../../test/support/database';
import { api, testAuthEnv } from '../../../test/support/auth';
import { routedEnvelope } from '../../../test/fixtures/events';
import { resolutionService } from './resolution.module';
import { exportPolicies, importPolicies, ServicePolicies } from '@complaints/policy';

jest.setTimeout(120_000);

const TENANT = `bank-${uniqueSuffix()}`;
const PREFIX = `policy-${uniqueSuffix()}.`;
const as = (role: string, id = `${role}-1`) => ({ 'x-actor-id': id, 'x-actor-role': role, 'x-tenant-id': TENANT });
const json = { 'content-type': 'application/json' };

const LIMITS_V1 = {
  limits: { agent: { CNY: 800 }, supervisor: { CNY: 8000 }, 'department-head': { CNY: 80000 } },
};
const LIMITS_V2 = {
  limits: { agent: { CNY: 300 }, supervisor: { CNY: 8000 }, 'department-head': { CNY: 80000 } },
};

/** What the policy endpoints answer (and the problem documents). */
interface Answer {
  version?: number;
  digest?: string;
  current?: { version: number; digest: string };
  versions?: { version: number; author: string }[];
  errors?: { field: string; reason: string }[];
  [member: string]: unknown;
}

describe('policy versions across two resolution instances', () => {
  let testDb: TestDatabase;
  const apps: INestApplication[] = [];
  const bases: string[] = [];
  let kafka: KafkaTransport;

  async function start(instance: string): Promise<string> {
    const config = {
      ...loadServiceConfig('resolution', {
        PII_MASTER_KEY: requireEnv('PII_MASTER_KEY'),
        ...testAuthEnv,
        KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
        TOPIC_PREFIX: PREFIX,
        INSTANCE_ID: instance,
        DATABASE_URL: testDb.url,
      }),
      port: 0,
    };
    const app = await startService(resolutionService.module({ config }), config, {
      title: 'resolution',
      shutdownHooks: false,
    });
    apps.push(app);
    return (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  beforeAll(async () => {
    testDb = await createTestDatabase('policy');
    bases.push(await start('policy-a'), await start('policy-b'));
    kafka = new KafkaTransport({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId: 'policy-test' });
  });
  afterAll(async () => {
    await kafka?.close();
    for (const app of apps) await app.close();
    await testDb?.drop();
  });

  const [A, B] = [0, 1];
  const call = async (instance: number, method: string, path: string, who: Record<string, string>, body?: unknown) => {
    const response = await api(`${bases[instance]}${path}`, {
      method,
      headers: { ...who, ...(body === undefined ? {} : json) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Answer };
  };

  /** A case opened from a complaint.routed.v1 on Kafka, acknowledged and judged valid, ready for a proposal. */
  async function readyCase(): Promise<string> {
    const caseId = randomUUID();
    const message = toBinaryMessage(routedEnvelope(caseId, `C-${caseId.slice(0, 6)}`, TENANT, 'cards'));
    await kafka.publish([{ topic: prefixed(PREFIX, Topics.routing), key: caseId, ...message }]);
    await eventually(`case ${caseId} opened`, async () =>
      (await call(B, 'GET', `/cases/${caseId}`, as('auditor'))).status === 200 ? true : undefined,
    );
    expect(
      (await call(B, 'POST', `/cases/${caseId}/acknowledge`, as('agent'), { channel: 'phone', summary: 'Called' }))
        .status,
    ).toBe(200);
    expect((await call(B, 'POST', `/cases/${caseId}/validity`, as('agent'), { valid: true })).status).toBe(200);
    return caseId;
  }

  /** An agent on instance B proposes a CNY 600 refund; the stored decision as resolution recorded it. */
  async function proposeRefund(caseId: string) {
    const refund = { options: [{ kind: 'refund', description: 'Refund the fee', amount: 600, currency: 'CNY' }] };
    expect((await call(B, 'POST', `/cases/${caseId}/proposals`, as('agent'), refund)).status).toBe(200);
    return proposal(caseId);
  }
  async function proposal(caseId: string) {
    const { rows } = await apps[A]!.get<Database>(DATABASE).query<{ data: Record<string, unknown> }>(
      `SELECT data FROM events WHERE stream_id = $1 AND type = 'ResolutionProposed'`,
      [`case-${caseId}`],
    );
    return rows[0]!.data as { approvalRequiredFrom: string | null; limitsPolicyVersion: Record<string, unknown> };
  }
  const currentOn = async (instance: number, kind = 'approval-limits') =>
    (await call(instance, 'GET', `/policies/${kind}`, as('auditor'))).body.current!;

  it('a version published on one instance decides new cases on the other; older cases keep theirs; the future waits', async () => {
    const seed = await currentOn(B);
    expect(seed).toMatchObject({ version: 0, source: 'limits/default.json' });
    const before = await readyCase();
    // The seed (default.json): an agent grants CNY 500, so 600 needs a supervisor.
    expect(await proposeRefund(before)).toMatchObject({
      approvalRequiredFrom: 'supervisor',
      limitsPolicyVersion: { kind: 'approval-limits', version: 0, digest: seed.digest },
    });

    const published = await call(A, 'POST', '/policies/approval-limits/versions', as('admin', 'admin-9'), {
      document: LIMITS_V1,
      reason: 'Board decision 2026-14',
    });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ tenant: TENANT, version: 1, author: 'admin-9', document: LIMITS_V1 });
    await eventually(
      'instance B applies version 1',
      async () => ((await currentOn(B)).version === 1 ? true : undefined),
      30_000,
    );

    const after = await readyCase();
    expect(await proposeRefund(after)).toMatchObject({
      approvalRequiredFrom: null,
      limitsPolicyVersion: { kind: 'approval-limits', version: 1, digest: published.body.digest },
    });
    // The earlier decision still names the seed it was taken under.
    expect((await proposal(before)).limitsPolicyVersion).toMatchObject({ version: 0, digest: seed.digest });

    // Version 2, effective in 10 s: not used before then, used after, with no restart and no new message.
    const effectiveFrom = new Date(Date.now() + 10_000).toISOString();
    const scheduled = await call(A, 'POST', '/policies/approval-limits/versions', as('admin'), {
      document: LIMITS_V2,
      effectiveFrom,
      reason: 'Tighter agent limit from the next period',
    });
    expect(scheduled.status).toBe(201);
    await eventually('instance B knows version 2', async () => {
      const { body } = await call(B, 'GET', '/policies/approval-limits', as('auditor'));
      return body.versions!.some((v: { version: number }) => v.version === 2) ? body : undefined;
    });
    expect(await currentOn(B)).toMatchObject({ version: 1 });
    const early = await readyCase();
    expect((await proposeRefund(early)).limitsPolicyVersion).toMatchObject({ version: 1 });
    expect(Date.now()).toBeLessThan(Date.parse(effectiveFrom)); // else the machine was too slow to show it
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(effectiveFrom) - Date.now() + 200)));
    expect(await currentOn(B)).toMatchObject({ version: 2 });
    const late = await readyCase();
    expect(await proposeRefund(late)).toMatchObject({
      approvalRequiredFrom: 'supervisor',
      limitsPolicyVersion: { version: 2, digest: scheduled.body.digest },
    });

    const listed = await call(B, 'GET', '/policies/approval-limits', as('admin'));
    expect(listed.body.versions!.map((v: { version: number; author: string }) => [v.version, v.author])).toEqual([
      [0, 'seed'],
      [1, 'admin-9'],
      [2, 'admin-1'],
    ]);
    const one = await call(B, 'GET', '/policies/approval-limits/versions/1', as('auditor'));
    expect(one.body).toMatchObject({ version: 1, reason: 'Board decision 2026-14', document: LIMITS_V1 });
  });

  it('names the version of the escalation directory an escalation notified from', async () => {
    const directory = {
      departments: {
        '*': {
          supervisor: [{ id: 'duty-sup', name: 'Duty supervisors', type: 'team', contacts: [] }],
          'department-head': [{ id: 'duty-head', name: 'Duty heads', type: 'team', contacts: [] }],
          'complaints-officer': [
            {
              id: 'wang.fang',
              name: 'Wang Fang',
              type: 'person',
              contacts: [{ channel: 'email', address: 'wang.fang@bank.example' }],
            },
          ],
        },
        cards: {
          supervisor: [
            {
              id: 'li.wei',
              name: 'Li Wei',
              type: 'person',
              contacts: [{ channel: 'phone', address: '+8613800000000' }],
            },
          ],
        },
      },
    };
    const published = await call(A, 'POST', '/policies/escalation-directory/versions', as('admin'), {
      document: directory,
      reason: 'Named escalation owners',
    });
    expect(published.status).toBe(201);
    await eventually('instance B applies the directory', async () =>
      (await currentOn(B, 'escalation-directory')).version === 1 ? true : undefined,
    );
    const caseId = await readyCase();
    expect((await call(B, 'POST', `/cases/${caseId}/escalate`, as('agent'), { reason: 'Customer asked' })).status).toBe(
      200,
    );
    const { rows } = await apps[A]!.get<Database>(DATABASE).query<{ data: Record<string, unknown> }>(
      `SELECT data FROM events WHERE stream_id = $1 AND type = 'CaseEscalated'`,
      [`case-${caseId}`],
    );
    expect(rows[0]!.data).toMatchObject({
      notified: ['li.wei'],
      directoryPolicy: { kind: 'escalation-directory', version: 1, digest: published.body.digest },
    });
  });

  it('refuses a bad document with a 422 naming each field, and records nothing', async () => {
    const versions = async () => (await call(A, 'GET', '/policies/approval-limits', as('admin'))).body.versions!.length;
    const before = await versions();
    const bad = await call(A, 'POST', '/policies/approval-limits/versions', as('admin'), {
      document: { limits: { agent: { CNY: 900 }, supervisor: { CNY: 800, JPY: 10.5 } } },
      reason: 'Typo',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'document.limits.supervisor.CNY', reason: "must be at least the agent's 900 CNY" },
        expect.objectContaining({ field: 'document.limits.supervisor.JPY' }),
      ]),
    );
    const person = await call(A, 'POST', '/policies/escalation-directory/versions', as('admin'), {
      document: { departments: { '*': { supervisor: [{ id: 'x', name: 'X', type: 'person', contacts: [] }] } } },
      reason: 'Missing contact',
    });
    expect(person.status).toBe(422);
    expect(person.body.errors!.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining([
        'document.departments.*.supervisor.0.contacts',
        'document.departments.*.department-head',
      ]),
    );
    const past = await call(A, 'POST', '/policies/approval-limits/versions', as('admin'), {
      document: LIMITS_V1,
      effectiveFrom: '2020-01-01T00:00:00Z',
      reason: 'Backdated',
    });
    expect(past.status).toBe(422);
    expect(past.body.errors).toEqual([expect.objectContaining({ field: 'effectiveFrom' })]);
    expect(
      (await call(A, 'POST', '/policies/approval-limits/versions', as('admin'), { document: LIMITS_V1 })).status,
    ).toBe(400);
    expect(await versions()).toBe(before);
    expect((await call(A, 'GET', '/policies/routing-rules', as('admin'))).status).toBe(404);
    expect((await call(A, 'GET', '/policies/approval-limits/versions/9', as('admin'))).status).toBe(404);
  });

  it('imports a directory of policy files (policy in git) that every instance applies, once; exports what is in force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const fromGit = {
      $comment: 'From the tenant repository',
      limits: { agent: { CNY: 1000 }, supervisor: { CNY: 9000 }, 'department-head': { CNY: 90000 } },
    };
    mkdirSync(join(dir, 'approval-limits'));
    writeFileSync(join(dir, 'approval-limits', `${TENANT}.json`), JSON.stringify(fromGit));
    const db = apps[A]!.get<Database>(DATABASE);
    const kinds = apps[A]!.get(ServicePolicies).kept;
    const events = new EventStore();
    const options = { reason: 'git 3f2a9c1', author: { id: 'git-sync', role: 'admin' }, now: new Date() };

    const first = await importPolicies(db, events, kinds, dir, options);
    expect(first.published).toEqual([
      expect.objectContaining({ tenant: TENANT, kind: 'approval-limits', author: 'git-sync' }),
    ]);
    const version = first.published[0]!.version;
    await eventually('instance B applies the imported version', async () =>
      (await currentOn(B)).version === version ? true : undefined,
    );
    expect(await importPolicies(db, events, kinds, dir, options)).toEqual({
      published: [],
      unchanged: [join('approval-limits', `${TENANT}.json`)],
    });

    const out = mkdtempSync(join(tmpdir(), 'policy-out-'));
    expect(await exportPolicies(db, events, kinds, out, new Date())).toEqual(
      expect.arrayContaining([
        join('approval-limits', `${TENANT}.json`),
        join('escalation-directory', `${TENANT}.json`),
      ]),
    );
    expect(JSON.parse(readFileSync(join(out, 'approval-limits', `${TENANT}.json`), 'utf8'))).toEqual(fromGit);

    writeFileSync(join(dir, 'approval-limits', `${TENANT}.json`), JSON.stringify({ limits: { agent: { CNY: -1 } } }));
    await expect(importPolicies(db, events, kinds, dir, options)).rejects.toThrow(
      `approval-limits/${TENANT}.json is invalid at limits.agent.CNY`,
    );
    expect((await currentOn(A)).version).toBe(version);
  });

  it('lets admins write, auditors and admins read, and nobody else', async () => {
    const write = (role: string) =>
      call(A, 'POST', '/policies/approval-limits/versions', as(role), { document: LIMITS_V1, reason: 'x' });
    for (const role of ['agent', 'supervisor', 'complaints-officer', 'auditor']) {
      expect(`${role} ${(await write(role)).status}`).toBe(`${role} 403`);
    }
    for (const role of ['agent', 'supervisor']) {
      expect(`${role} ${(await call(A, 'GET', '/policies/approval-limits', as(role))).status}`).toBe(`${role} 403`);
    }
    for (const role of ['auditor', 'admin']) {
      expect(`${role} ${(await call(A, 'GET', '/policies/approval-limits', as(role))).status}`).toBe(`${role} 200`);
    }
    // Another tenant sees only its own versions: the seed.
    const other = await call(A, 'GET', '/policies/approval-limits', { ...as('auditor'), 'x-tenant-id': `${TENANT}-x` });
    expect(other.body.versions).toHaveLength(1);
  });
});
