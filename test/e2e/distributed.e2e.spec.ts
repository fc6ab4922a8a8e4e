/**
 * The four services as separate processes over a real Kafka broker and PostgreSQL.
 */
import { createTestDatabase, eventually, requireEnv, uniqueSuffix, type TestDatabase } from '../support/database';
import { freePort, startService, waitUntilReady, type RunningProcess } from '../support/processes';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  command,
  complaintBody,
  fileComplaint,
  history,
  historyWith,
  type HistoryEvent,
  type Urls,
} from '../support/journey';
import { api, as } from '../support/auth';

const SERVICES = ['intake', 'routing', 'resolution', 'analytics'] as const;
type Service = (typeof SERVICES)[number];

describe('the distributed platform over Kafka', () => {
  let testDb: TestDatabase;
  const ports = Object.fromEntries(SERVICES.map((s) => [s, freePort()])) as Record<Service, number>;
  const url = (s: Service) => `http://127.0.0.1:${ports[s]}`;
  const urls: Urls = { intake: url('intake'), resolution: url('resolution'), analytics: url('analytics') };
  const running = new Map<Service, RunningProcess>();
  let env: NodeJS.ProcessEnv;

  const start = async (service: Service) => {
    const child = startService(service, { ...env, PORT: String(ports[service]) });
    running.set(service, child);
    await waitUntilReady(child, url(service));
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('e2e_kafka');
    env = {
      ...process.env,
      DATABASE_URL: testDb.url,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      TOPIC_PREFIX: `e2e${uniqueSuffix()}`,
      TEST_CLOCK: 'enabled',
      SLA_POLL_INTERVAL_MS: '200',
    };
    for (const service of SERVICES) await start(service);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...running.values()].map((p) => p.stop()));
    await testDb?.drop();
  }, 60_000);

  it('shows a posted complaint in analytics as received → routed → opened, with actor and correlation id', async () => {
    const correlationId = `corr-${uniqueSuffix()}`;
    const { complaintId } = await fileComplaint(urls, undefined, correlationId);
    const events = await historyWith(urls, complaintId, 3);
    expect(events.map((e) => [e.type, e.source])).toEqual([
      ['complaint.received.v1', '/complaints/intake'],
      ['complaint.routed.v1', '/complaints/routing'],
      ['case.opened.v1', '/complaints/resolution'],
    ]);
    expect(events.map((e) => e.correlationId)).toEqual([correlationId, correlationId, correlationId]);
    expect(events[0]?.actor).toEqual({ id: 'cti-95598', role: 'channel' });
    const summary = await (await api(`${urls.analytics}/cases/${complaintId}`)).json();
    expect(summary).toMatchObject({ status: 'open', department: 'metering' });
  }, 120_000);

  it('works a case from first contact to closure, and refuses an illegal step with 409', async () => {
    const { complaintId } = await fileComplaint(urls, 'My credit card annual fee was charged twice');
    await historyWith(urls, complaintId, 3);
    const ok = async (path: string, body: unknown) => {
      const response = await command(urls, complaintId, path, body);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    };
    expect((await command(urls, complaintId, 'execute', { summary: 'too early' })).status).toBe(409);
    await ok('acknowledge', { channel: 'phone', summary: 'Called back, explained the time limit' });
    await ok('validity', { valid: true });
    await ok('proposals', {
      options: [
        { kind: 'refund', description: 'Refund the duplicate fee', amount: 200, currency: 'CNY' },
        { kind: 'apology', description: 'Letter of apology' },
      ],
    });
    await ok('customer-decision', { decision: 'accept', optionId: 'option-1' });
    await ok('execute', { summary: 'CNY 200 refunded' });
    await ok('close', { rootCause: 'Duplicate billing run', improvementAction: 'Idempotent billing job' });
    const refused = await command(urls, complaintId, 'execute', { summary: 'again' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/the case is closed/);
    const events = await historyWith(urls, complaintId, 9);
    expect(events.map((e) => e.type)).toEqual([
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
    expect(events[3]?.actor).toEqual({ id: 'agent-7', role: 'agent' });
    const summary = await (await api(`${urls.analytics}/cases/${complaintId}`)).json();
    expect(summary).toMatchObject({ status: 'closed', department: 'cards' });
  }, 120_000);

  it('loses and duplicates nothing when routing is down while 50 complaints arrive', async () => {
    await running.get('routing')!.stop('SIGKILL');
    const filed: { complaintId: string }[] = [];
    for (let i = 0; i < 50; i++) filed.push(await fileComplaint(urls, `停电 第${i}次`));
    // Received, but nothing can be routed while routing is down.
    await eventually('all 50 received', async () => {
      const counts = await Promise.all(filed.map(async (c) => (await history(urls, c.complaintId)).length));
      return counts.every((n) => n === 1) ? true : undefined;
    });
    await start('routing');
    for (const { complaintId } of filed) {
      const events = await historyWith(urls, complaintId, 3, 90_000);
      expect(events.map((e) => e.type)).toEqual(['complaint.received.v1', 'complaint.routed.v1', 'case.opened.v1']);
    }
    // Let any duplicate arrive before counting again.
    await new Promise((r) => setTimeout(r, 2000));
    for (const { complaintId } of filed) expect(await history(urls, complaintId)).toHaveLength(3);
  }, 240_000);

  it('takes an email complaint through to analytics with its channel, classification, department and assigned agent', async () => {
    const raw = readFileSync(join(__dirname, '../fixtures/channels/annual-fee-complaint.eml'));
    const posted = await api(`${urls.intake}/channels/email`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: raw,
    });
    expect(posted.status).toBe(201);
    const { complaintId } = (await posted.json()) as { complaintId: string };
    const events = (await historyWith(urls, complaintId, 3)) as (HistoryEvent & { data: Record<string, unknown> })[];
    const received = events.find((e) => e.type === 'complaint.received.v1')!;
    const routed = events.find((e) => e.type === 'complaint.routed.v1')!;
    expect(received.data).toMatchObject({
      channel: 'email',
      channelDetails: { messageId: '<20261121101500.4821@mail.example.cn>' },
    });
    expect(routed.data).toMatchObject({
      channel: 'email',
      department: 'cards',
      category: 'card-fees',
      degree: expect.any(String),
      explanation: expect.arrayContaining([expect.objectContaining({ kind: 'classification' })]),
      assignment: { agentId: expect.any(String) },
      slaPolicyId: expect.any(String),
    });
    expect(events.map((e) => e.type)).toContain('case.opened.v1');
  }, 120_000);

  it('carries a regulator referral’s deadline from intake through routing to a clock of its own on the case', async () => {
    const deadline = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const { channel: _hotline, ...complaint } = complaintBody('银行卡年费重复扣收，监管转办');
    const response = await fetch(`${urls.intake}/channels/regulator`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await as({ role: 'channel', subject: 'regulator-desk' })) },
      body: JSON.stringify({
        ...complaint,
        regulator: 'NFRA Shanghai',
        regulatorReference: `SH-${uniqueSuffix()}`,
        regulatorDeadline: deadline,
      }),
    });
    expect(response.status).toBe(201);
    const { complaintId, timeLimit } = (await response.json()) as {
      complaintId: string;
      timeLimit: { respondBy: string; clock: string; clockId: string };
    };
    expect(timeLimit).toMatchObject({ respondBy: deadline, clock: 'regulatory', clockId: 'referral/regulatory' });
    await historyWith(urls, complaintId, 3);
    const { clocks } = (await (await api(`${urls.resolution}/cases/${complaintId}/clocks`)).json()) as {
      clocks: { id: string; clock: string; state: string; dueAt: string }[];
    };
    expect(clocks.find((c) => c.id === 'referral/regulatory')).toMatchObject({
      clock: 'regulatory',
      state: 'running',
      dueAt: deadline,
    });
  }, 120_000);

  // Last in this file: it moves resolution's clock, which the tests above must not see.
  it('records the warnings, the breach and the escalation of a case left unacknowledged past its deadline', async () => {
    const { complaintId } = await fileComplaint(urls, '计划停电没有通知，至今无人联系');
    await historyWith(urls, complaintId, 3);
    const clocksOf = async () =>
      (await (await api(`${urls.resolution}/cases/${complaintId}/clocks`)).json()) as {
        escalationLevel: number;
        clocks: { clock: string; state: string; dueAt: string; policy: string }[];
      };
    const acknowledgement = (await clocksOf()).clocks.find((c) => c.clock === 'acknowledgement')!;
    expect(acknowledgement).toMatchObject({ state: 'running', policy: 'default' });
    const setClock = (now: Date) =>
      api(`${urls.resolution}/test/clock`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-actor-role': 'admin' },
        body: JSON.stringify({ now: now.toISOString() }),
      });

    const due = new Date(acknowledgement.dueAt);
    expect((await setClock(new Date(due.getTime() - 60_000))).status).toBe(200);
    await eventually('the warnings', async () => {
      const types = (await history(urls, complaintId)).map((e) => e.type);
      return types.filter((t) => t === 'case.sla-warning-issued.v1').length === 2 ? true : undefined;
    });
    expect((await setClock(new Date(due.getTime() + 60_000))).status).toBe(200);
    const events = await eventually('the breach and the escalation', async () => {
      const all = await history(urls, complaintId);
      return all.some((e) => e.type === 'case.escalated.v1') ? all : undefined;
    });
    expect(events.map((e) => e.type)).toEqual([
      'complaint.received.v1',
      'complaint.routed.v1',
      'case.opened.v1',
      'case.sla-warning-issued.v1',
      'case.sla-warning-issued.v1',
      'case.sla-breached.v1',
      'case.escalated.v1',
    ]);
    expect(events[5]?.actor).toEqual({ id: 'sla-monitor', role: 'system' });
    const after = await clocksOf();
    expect(after.escalationLevel).toBe(1);
    expect(after.clocks.find((c) => c.clock === 'acknowledgement')?.state).toBe('breached');
  }, 120_000);
});
