/**
 * Routing's rule tables and department directories as audited policy data, over real PostgreSQL and
 * Kafka, with TWO routing instances on one database (as two pods) and a resolution instance that
 * replicates the directory: a table published through one instance's admin API routes complaints on
 * the other without a restart; a complaint routed before names version 0; a department added to the
 * directory is one resolution reassigns a case to without a restart; a rule naming an unknown
 * department, or a directory dropping one the rules need, is a 422 naming the field; admins write,
 * auditors read, agents neither.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prefixed, toBinaryMessage, Topics } from '@complaints/contracts';
import { DATABASE, loadServiceConfig, startService } from '@complaints/kit';
import { EventStore, type Database } from '@complaints/eventstore';
import { importPolicies, ServicePolicies } from '@complaints/policy';
import { KafkaTransport } from '@complaints/messaging';
import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, eventually, requireEnv, uniqueSuffix, type TestDatabase } from '../support/database';
import { api, testAuthEnv } from '../support/auth';
import { complaintReceivedData, receivedEnvelope } from '../fixtures/events';
import { resolutionService } from '@complaints/resolution';
import { routingService } from '@complaints/routing';
import type { Directory, RuleTableDocument } from '@complaints/routing-data';

jest.setTimeout(180_000);

const TENANT = `grid-${uniqueSuffix()}`;
const PREFIX = `routing-policy-${uniqueSuffix()}.`;
const as = (role: string, id = `${role}-1`) => ({ 'x-actor-id': id, 'x-actor-role': role, 'x-tenant-id': TENANT });
const json = { 'content-type': 'application/json' };

interface Answer {
  version?: number;
  digest?: string;
  current?: { version: number; digest: string; document: unknown };
  errors?: { field: string; reason: string }[];
  [member: string]: unknown;
}

interface Ref {
  kind: string;
  version: number;
  digest: string;
}

describe('routing rule tables and directories as policy versions', () => {
  let testDb: TestDatabase;
  const apps: INestApplication[] = [];
  const bases: string[] = [];
  let kafka: KafkaTransport;

  async function start(service: 'routing' | 'resolution', instance: string): Promise<string> {
    const config = {
      ...loadServiceConfig(service, {
        PII_MASTER_KEY: requireEnv('PII_MASTER_KEY'),
        ...testAuthEnv,
        KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
        TOPIC_PREFIX: PREFIX,
        INSTANCE_ID: instance,
        DATABASE_URL: testDb.url,
      }),
      port: 0,
    };
    const definition = service === 'routing' ? routingService : resolutionService;
    const app = await startService(definition.module({ config }), config, { title: service, shutdownHooks: false });
    apps.push(app);
    return (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  beforeAll(async () => {
    testDb = await createTestDatabase('routing_policy');
    bases.push(await start('routing', 'routing-1'), await start('routing', 'routing-2'));
    bases.push(await start('resolution', 'resolution-1'));
    kafka = new KafkaTransport({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId: 'routing-policy-test' });
  });
  afterAll(async () => {
    await kafka?.close();
    for (const app of apps) await app.close().catch(() => undefined);
    await testDb?.drop();
  });

  const [ROUTING_1, ROUTING_2, RESOLUTION] = [0, 1, 2];
  const call = async (instance: number, method: string, path: string, who: Record<string, string>, body?: unknown) => {
    const response = await api(`${bases[instance]}${path}`, {
      method,
      headers: { ...who, ...(body === undefined ? {} : json) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Answer };
  };
  const current = async (instance: number, kind: string) =>
    (await call(instance, 'GET', `/policies/${kind}`, as('auditor'))).body.current!;
  const applies = (instance: number, kind: string, version: number) =>
    eventually(`instance ${instance} applies ${kind} v${version}`, async () =>
      (await current(instance, kind)).version === version ? true : undefined,
    );

  /** A complaint received now, on Kafka; the routing decision as stored. */
  async function routed(description: string) {
    const complaintId = randomUUID();
    const envelope = {
      ...receivedEnvelope(complaintId, { tenant: TENANT }),
      data: complaintReceivedData(complaintId, {
        description,
        demands: [],
        target: { kind: 'other', name: '—' },
        receivedAt: new Date().toISOString(),
      }),
    };
    await kafka.publish([{ topic: prefixed(PREFIX, Topics.intake), key: complaintId, ...toBinaryMessage(envelope) }]);
    const db = apps[ROUTING_2]!.get<Database>(DATABASE);
    const data = await eventually(`complaint ${complaintId} routed`, async () => {
      const { rows } = await db.query<{ data: Record<string, unknown> }>(
        `SELECT data FROM events WHERE stream_id = $1 AND type = 'ComplaintRouted'`,
        [`routing-${complaintId}`],
      );
      return rows[0]?.data;
    });
    return {
      complaintId,
      decision: data as { department: string; category: string; rulesPolicy: Ref; directoryPolicy: Ref },
    };
  }

  const QUANTUM_RULE = {
    id: 'quantum-meter',
    sector: 'power',
    department: 'billing',
    queue: 'power-billing',
    category: 'quantum-metering',
    priority: 'urgent',
    keywords: ['量子计费器'],
  };

  let before: { complaintId: string; decision: { rulesPolicy: Ref; directoryPolicy: Ref } };

  it('routes with the seed, version 0, and names it', async () => {
    const seedRules = await current(ROUTING_2, 'routing-rules');
    const seedDirectory = await current(ROUTING_2, 'department-directory');
    expect(seedRules).toMatchObject({ version: 0, source: 'default.json' });
    before = await routed('我家的量子计费器显示异常');
    expect(before.decision).toMatchObject({
      rulesPolicy: { kind: 'routing-rules', version: 0, digest: seedRules.digest },
      directoryPolicy: { kind: 'department-directory', version: 0, digest: seedDirectory.digest },
    });
  });

  it('refuses a rule naming an unknown department or queue with a 422 naming the field, and records nothing', async () => {
    const seed = (await current(ROUTING_1, 'routing-rules')).document as RuleTableDocument;
    const bad = await call(ROUTING_1, 'POST', '/policies/routing-rules/versions', as('admin'), {
      document: { ...seed, rules: [...seed.rules, { ...QUANTUM_RULE, department: 'nowhere' }] },
      reason: 'A department that does not exist',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ field: `document.rules.${seed.rules.length}.department` }),
    ]);
    const badQueue = await call(ROUTING_1, 'POST', '/policies/routing-rules/versions', as('admin'), {
      document: { ...seed, rules: [...seed.rules, { ...QUANTUM_RULE, queue: 'no-queue' }], minimumScore: -1 },
      reason: 'Two mistakes',
    });
    expect(badQueue.status).toBe(422);
    expect(badQueue.body.errors!.map((e) => e.field)).toEqual(['document.minimumScore']);
    const directory = (await current(ROUTING_1, 'department-directory')).document as Directory;
    const withoutBilling = await call(ROUTING_1, 'POST', '/policies/department-directory/versions', as('admin'), {
      document: { departments: directory.departments.filter((d) => d.id !== 'billing') },
      reason: 'Billing merged away',
    });
    expect(withoutBilling.status).toBe(422);
    expect(withoutBilling.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'document.departments', reason: expect.stringContaining('billing') }),
      ]),
    );
    expect((await current(ROUTING_1, 'routing-rules')).version).toBe(0);
    expect((await current(ROUTING_1, 'department-directory')).version).toBe(0);
  });

  it('lets admins write, auditors and admins read, and agents neither', async () => {
    const seed = (await current(ROUTING_1, 'routing-rules')).document;
    for (const role of ['agent', 'supervisor', 'auditor']) {
      const write = await call(ROUTING_1, 'POST', '/policies/routing-rules/versions', as(role), {
        document: seed,
        reason: 'x',
      });
      expect(`${role} ${write.status}`).toBe(`${role} 403`);
    }
    expect((await call(ROUTING_1, 'GET', '/policies/routing-rules', as('agent'))).status).toBe(403);
    expect((await call(ROUTING_1, 'GET', '/policies/department-directory', as('auditor'))).status).toBe(200);
    expect((await call(ROUTING_1, 'GET', '/policies/approval-limits', as('admin'))).status).toBe(404);
  });

  it('a table published on routing-1 routes complaints on routing-2 without a restart; the older decision keeps version 0', async () => {
    const seed = (await current(ROUTING_1, 'routing-rules')).document as RuleTableDocument;
    const published = await call(ROUTING_1, 'POST', '/policies/routing-rules/versions', as('admin', 'admin-9'), {
      document: { ...seed, rules: [QUANTUM_RULE, ...seed.rules] },
      reason: 'Quantum meters go to billing',
    });
    expect(published.status).toBe(201);
    expect(published.body).toMatchObject({ tenant: TENANT, kind: 'routing-rules', version: 1, author: 'admin-9' });
    await applies(ROUTING_2, 'routing-rules', 1);
    // routing-1 leaves: routing-2 alone consumes what is received from now on.
    await apps[ROUTING_1]!.close();
    const after = await routed('我家的量子计费器显示异常');
    expect(after.decision).toMatchObject({
      department: 'billing',
      category: 'quantum-metering',
      rulesPolicy: { kind: 'routing-rules', version: 1, digest: published.body.digest },
    });
    expect((await call(ROUTING_2, 'GET', '/routing/rules', as('supervisor'))).body).toMatchObject({
      source: 'routing-rules v1',
      policy: { version: 1 },
    });
    const { rows } = await apps[ROUTING_2]!.get<Database>(DATABASE).query<{ data: { rulesPolicy: Ref } }>(
      `SELECT data FROM events WHERE stream_id = $1 AND type = 'ComplaintRouted'`,
      [`routing-${before.complaintId}`],
    );
    expect(rows[0]!.data.rulesPolicy).toMatchObject({ version: 0 });
  });

  it('a department added to the directory on routing is one resolution reassigns a case to, without a restart', async () => {
    const caseId = before.complaintId;
    await eventually(`case ${caseId} opened`, async () =>
      (await call(RESOLUTION, 'GET', `/cases/${caseId}`, as('auditor'))).status === 200 ? true : undefined,
    );
    const reassign = () =>
      call(RESOLUTION, 'POST', `/cases/${caseId}/reassign`, as('supervisor'), {
        department: 'smart-meters',
        agentId: 'sm-01',
        reason: 'The new smart meter desk takes these',
      });
    const refused = await reassign();
    expect(refused.status).toBe(422);
    expect(refused.body.detail).toContain('smart-meters');

    const directory = (await current(ROUTING_2, 'department-directory')).document as Directory;
    const desk = {
      id: 'smart-meters',
      name: 'Smart meters',
      queues: [{ id: 'smart-meters', name: 'Smart meters', strategy: 'round-robin' }],
      agents: [{ id: 'sm-01', name: 'Zhou Min', skills: [], capacity: 5, languages: ['zh'] }],
    };
    const published = await call(ROUTING_2, 'POST', '/policies/department-directory/versions', as('admin'), {
      document: { departments: [...directory.departments, desk] },
      reason: 'A smart meter desk opens',
    });
    expect(published.status).toBe(201);
    expect((await call(ROUTING_2, 'GET', '/routing/departments/smart-meters', as('supervisor'))).status).toBe(200);
    await applies(RESOLUTION, 'department-directory', 1);
    const accepted = await reassign();
    expect(accepted.status).toBe(200);
  });
  it('imports a rule table and the directory it needs from files together (npm run policy), checked against each other', async () => {
    const db = apps[ROUTING_2]!.get<Database>(DATABASE);
    const kinds = apps[ROUTING_2]!.get(ServicePolicies).kept;
    const options = { reason: 'git 9c1e7a2', author: { id: 'git-sync', role: 'admin' }, now: new Date() };
    const table = (await current(ROUTING_2, 'routing-rules')).document as RuleTableDocument;
    const directory = (await current(ROUTING_2, 'department-directory')).document as Directory;
    const desk = {
      id: 'outage-desk',
      name: 'Outage desk',
      queues: [{ id: 'outage-desk', name: 'Outage desk', strategy: 'least-loaded' }],
      agents: [],
    };
    const rule = { ...QUANTUM_RULE, id: 'outage-desk', department: 'outage-desk', queue: 'outage-desk' };
    const tree = (files: Record<string, unknown>) => {
      const dir = mkdtempSync(join(tmpdir(), 'routing-policy-'));
      for (const [kind, document] of Object.entries(files)) {
        mkdirSync(join(dir, kind));
        writeFileSync(join(dir, kind, `${TENANT}.json`), JSON.stringify(document));
      }
      return dir;
    };
    // The rules alone name a department the directory in force lacks: nothing is published.
    await expect(
      importPolicies(db, new EventStore(), kinds, tree({ 'routing-rules': { ...table, rules: [rule] } }), options),
    ).rejects.toThrow(`routing-rules/${TENANT}.json is invalid at rules.0.department`);
    // With the directory that adds it, both are checked against each other and published.
    const both = tree({
      'routing-rules': { ...table, rules: [rule, ...table.rules] },
      'department-directory': { departments: [...directory.departments, desk] },
    });
    const { published } = await importPolicies(db, new EventStore(), kinds, both, options);
    // The department lands before the rules naming it: no instance routes to it before it exists.
    expect(published.map((v) => [v.kind, v.author])).toEqual([
      ['department-directory', 'git-sync'],
      ['routing-rules', 'git-sync'],
    ]);
    await applies(ROUTING_2, 'routing-rules', 2);
    expect((await call(ROUTING_2, 'GET', '/routing/departments/outage-desk', as('supervisor'))).status).toBe(200);
  });
});
