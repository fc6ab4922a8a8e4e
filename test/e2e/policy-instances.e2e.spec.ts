/**
 * Policy as data across the running platform (docs/policy.md): two processes of every service
 * over a real Kafka broker and PostgreSQL. An admin publishes a version on one instance of the
 * service that keeps the kind; every instance of every service that applies it uses it for new
 * decisions without a restart, and the case names the version each decision was taken under.
 */
import { createTestDatabase, eventually, requireEnv, uniqueSuffix, type TestDatabase } from '../support/database';
import { freePort, startService, waitUntilReady, type RunningProcess } from '../support/processes';
import { command, complaintBody, fileComplaint, historyWith, type Urls } from '../support/journey';
import { api, as } from '../support/auth';

const SERVICES = ['intake', 'routing', 'resolution', 'analytics'] as const;
type Service = (typeof SERVICES)[number];
const INSTANCES = [1, 2] as const;
type Instance = (typeof INSTANCES)[number];

interface PolicyOverview {
  keptBy: string;
  current: { version: number; digest: string };
  versions: { version: number }[];
}

describe('policy versions on two instances of every service', () => {
  let testDb: TestDatabase;
  const ports = new Map(SERVICES.flatMap((s) => INSTANCES.map((i) => [`${s}-${i}`, freePort()] as const)));
  const url = (service: Service, instance: Instance) => `http://127.0.0.1:${ports.get(`${service}-${instance}`)}`;
  /** A journey's view through the second instance of each service. */
  const second: Urls = { intake: url('intake', 2), resolution: url('resolution', 2), analytics: url('analytics', 2) };
  const running: RunningProcess[] = [];

  beforeAll(async () => {
    testDb = await createTestDatabase('e2e_policy');
    const env = {
      ...process.env,
      DATABASE_URL: testDb.url,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      TOPIC_PREFIX: `pol${uniqueSuffix()}`,
    };
    // Each service's two instances start together (they race to create topics and migrate, as in a deploy).
    for (const service of SERVICES) {
      await Promise.all(
        INSTANCES.map(async (instance) => {
          const child = startService(service, {
            ...env,
            PORT: String(ports.get(`${service}-${instance}`)),
            INSTANCE_ID: `${service}-${instance}`,
          });
          running.push(child);
          await waitUntilReady(child, url(service, instance), 180_000);
        }),
      );
    }
  }, 600_000);

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await testDb?.drop();
  }, 60_000);

  const overview = async (service: Service, instance: Instance, kind: string): Promise<PolicyOverview> => {
    const response = await api(`${url(service, instance)}/policies/${kind}`, { headers: await as('auditor') });
    expect(response.status).toBe(200);
    return (await response.json()) as PolicyOverview;
  };
  const publish = async (service: Service, instance: Instance, kind: string, document: unknown, reason: string) => {
    const response = await api(`${url(service, instance)}/policies/${kind}/versions`, {
      method: 'POST',
      headers: { ...(await as({ role: 'admin', subject: 'admin-7' })), 'content-type': 'application/json' },
      body: JSON.stringify({ document, reason }),
    });
    const body = (await response.json()) as { version: number; digest: string };
    expect({ status: response.status, body }).toMatchObject({ status: 201, body: { version: expect.any(Number) } });
    return body;
  };
  /** Waits until every instance of `services` has version `version` of `kind` in force. */
  const everywhere = (services: readonly Service[], kind: string, version: number) =>
    eventually(
      `${kind} v${version} in force on ${services.join(', ')} (both instances)`,
      async () => {
        for (const service of services)
          for (const instance of INSTANCES)
            if ((await overview(service, instance, kind)).current.version !== version) return undefined;
        return true;
      },
      60_000,
    );
  const summaryOf = async (complaintId: string) =>
    (await (await api(`${second.analytics}/cases/${complaintId}`)).json()) as {
      status: string;
      policies?: { kind: string; version: number; event: string }[];
    };

  it('applies approval limits published on resolution-1 to a proposal on resolution-2, and the case names the version', async () => {
    expect(await overview('resolution', 2, 'approval-limits')).toMatchObject({
      keptBy: 'resolution',
      current: { version: 0 },
    });
    // The seed (limits/default.json) lets an agent grant CNY 500; version 1 only CNY 100.
    const limits = { limits: { agent: { CNY: 100 }, supervisor: { CNY: 8000 }, 'department-head': { CNY: 80000 } } };
    const v1 = await publish('resolution', 1, 'approval-limits', limits, 'Board decision 2026-31');
    await everywhere(['resolution'], 'approval-limits', 1);

    const { complaintId } = await fileComplaint(second, 'My credit card annual fee was charged twice');
    await historyWith(second, complaintId, 3);
    for (const [path, body] of [
      ['acknowledge', { channel: 'phone', summary: 'Called back' }],
      ['validity', { valid: true }],
      ['proposals', { options: [{ kind: 'refund', description: 'Refund the fee', amount: 200, currency: 'CNY' }] }],
    ] as const) {
      expect({ path, status: (await command(second, complaintId, path, body)).status }).toEqual({ path, status: 200 });
    }
    const summary = await eventually('the proposal in analytics', async () => {
      const found = await summaryOf(complaintId);
      return found.status === 'awaiting-approval' ? found : undefined;
    });
    expect(summary.policies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'approval-limits', version: v1.version, event: 'case.resolution-proposed.v1' }),
        expect.objectContaining({ kind: 'sla', event: 'case.opened.v1' }),
      ]),
    );
    // Both analytics instances serve the same history.
    await historyWith({ ...second, analytics: url('analytics', 1) }, complaintId, 6);
  }, 180_000);

  it('applies an SLA policy published on resolution-1 in both instances of intake, routing and resolution', async () => {
    expect(await overview('intake', 2, 'sla')).toMatchObject({ keptBy: 'resolution', current: { version: 0 } });
    // The default tenant's own document: the FCA's DISP rules for every complaint (calendar GB-ENG).
    const disp = { tenant: 'default', policies: [], rules: [], otherwise: ['uk-fca-disp'] };
    const v1 = await publish('resolution', 1, 'sla', disp, 'The desk moves to the UK rules');
    await everywhere(['intake', 'routing', 'resolution'], 'sla', v1.version);

    for (const intake of INSTANCES) {
      const response = await api(`${url('intake', intake)}/complaints`, {
        method: 'POST',
        headers: { ...(await as({ role: 'channel', subject: 'cti-95598' })), 'content-type': 'application/json' },
        body: JSON.stringify({ ...complaintBody('My card was charged twice'), language: 'en' }),
      });
      expect(response.status).toBe(201);
      const filed = (await response.json()) as { complaintId: string; timeLimit: { policy: string; message: string } };
      expect(filed.timeLimit.policy).toBe('uk-fca-disp');
      expect(filed.timeLimit.message).toMatch(/Europe\/London/);
      const summary = await eventually(`the case of ${filed.complaintId} opened`, async () => {
        const found = await summaryOf(filed.complaintId);
        return found.status === 'open' ? found : undefined;
      });
      expect(summary.policies).toContainEqual(
        expect.objectContaining({ kind: 'sla', version: v1.version, event: 'case.opened.v1' }),
      );
    }
  }, 180_000);

  it('routes by a rule table published on routing-1 on both routing instances, and the routing decision names it', async () => {
    const seed = (await (
      await api(`${url('routing', 2)}/policies/routing-rules/versions/0`, { headers: await as('auditor') })
    ).json()) as { document: { rules: { keywords?: string[] }[] } };
    // The same table with one more keyword: a new version, routing as before.
    const [first, ...rest] = seed.document.rules;
    const document = {
      ...seed.document,
      rules: [{ ...first, keywords: [...(first?.keywords ?? []), '年费'] }, ...rest],
    };
    const v1 = await publish('routing', 1, 'routing-rules', document, 'Annual fees belong with cards');
    await everywhere(['routing'], 'routing-rules', v1.version);

    const filed = await Promise.all(
      [1, 2, 3, 4].map(() => fileComplaint(second, 'My credit card annual fee was charged twice')),
    );
    for (const { complaintId } of filed) {
      const summary = await eventually(`the routing of ${complaintId}`, async () => {
        const found = await summaryOf(complaintId);
        return found.policies?.some((p) => p.kind === 'routing-rules') ? found : undefined;
      });
      expect(summary.policies).toContainEqual(
        expect.objectContaining({ kind: 'routing-rules', version: v1.version, event: 'complaint.routed.v1' }),
      );
    }
  }, 180_000);
});
