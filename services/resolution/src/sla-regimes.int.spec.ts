/**
 * Several regimes on one tenant, end to end in the resolution service on a real PostgreSQL:
 * tenant documents from SLA_POLICY_DIR (libs/sla/examples: the sla kind's seeds), complaint.routed.v1 events through
 * the embedded bus, the SLA monitor driven on the test clock. A credit-report dispute runs the 征信
 * clock, a regulator's referral runs a clock of its own that breaches on the regulator's date, and
 * a breach escalates to the people of the escalation directory version in force, naming it.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Topics } from '@complaints/contracts';
import { openDatabase, type Database } from '@complaints/eventstore';
import { AdjustableClock } from '@complaints/kit';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { eventually } from '../../../test/support/database';
import { startInProcess, type InProcessService } from '../../../test/support/in-process';
import { routedEnvelope } from '../../../test/fixtures/events';
import { api, as } from '../../../test/support/auth';
import { SlaMonitor } from './infrastructure/sla-monitor';
import { resolutionService } from './resolution.module';

jest.setTimeout(30_000);

const RECEIVED = '2026-11-02T02:00:00.000Z';
const DEADLINE = '2026-11-06T10:00:00.000Z';

interface ClockView {
  id: string;
  clock: string;
  dueAt: string;
  state: string;
  decidedBy?: { kind: string; version: number; digest: string; policyId: string };
}

describe('a bank tenant running several regimes, in the resolution service', () => {
  let resolution: InProcessService;
  let bus: Database;
  const clock = new AdjustableClock();

  beforeAll(async () => {
    clock.set(new Date(RECEIVED));
    // The tenants' SLA documents are the seeds of the sla kind (version 0); the test drives the monitor itself.
    resolution = await startInProcess(resolutionService, clock, {
      SLA_MONITOR: 'off',
      SLA_POLICY_DIR: join(__dirname, '../../../libs/sla/examples'),
    });
    bus = await openDatabase({ url: resolution.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
  });
  afterAll(async () => {
    await bus?.close();
    await resolution?.close();
  });

  async function openCase(data: Record<string, unknown>): Promise<string> {
    const complaintId = randomUUID();
    const routed = routedEnvelope(complaintId, 'C-1', 'bank-cn');
    const envelope = { ...routed, data: { ...(routed.data as object), receivedAt: RECEIVED, channel: 'web', ...data } };
    await new PostgresTransport(bus).publish([
      { topic: Topics.routing, key: complaintId, value: JSON.stringify(envelope), headers: {} },
    ]);
    await eventually(`case ${complaintId} opened`, async () =>
      (await api(`${resolution.base}/cases/${complaintId}`, { headers: { 'x-tenant-id': 'bank-cn' } })).status === 200
        ? true
        : undefined,
    );
    return complaintId;
  }
  const clocksOf = async (caseId: string) =>
    (
      (await (
        await api(`${resolution.base}/cases/${caseId}/clocks`, { headers: { 'x-tenant-id': 'bank-cn' } })
      ).json()) as {
        clocks: ClockView[];
      }
    ).clocks;

  it('runs the 征信 clock on a credit-report dispute and NFRA’s on a card complaint, naming the document version', async () => {
    const dispute = await openCase({ category: 'credit-report' });
    const card = await openCase({ category: 'card-fees' });
    const regulatory = async (id: string) =>
      (await clocksOf(id)).filter((c) => c.clock === 'regulatory').map((c) => [c.id, c.dueAt, c.decidedBy?.version]);
    expect(await regulatory(dispute)).toEqual([['CN-CREDIT-REPORT/regulatory', '2026-11-22T15:59:59.999Z', 0]]);
    expect(await regulatory(card)).toEqual([['CN-NFRA/regulatory', '2026-11-17T15:59:59.999Z', 0]]);
  });

  it('breaches a referral’s clock on the regulator’s date, while the NFRA clock runs on', async () => {
    const referred = await openCase({
      channel: 'regulator',
      slaCriteria: { referral: { regulator: 'NFRA Shanghai', reference: 'SH-2026-77', deadline: DEADLINE } },
    });
    expect((await clocksOf(referred)).find((c) => c.id === 'referral/regulatory')).toMatchObject({
      dueAt: DEADLINE,
      state: 'running',
    });
    clock.set(new Date(Date.parse(DEADLINE) + 1_000));
    const monitor = resolution.app.get(SlaMonitor);
    while (await monitor.evaluateNext());
    const breaches = await resolution.db.query<{ data: { clockId?: string; dueAt: string } }>(
      `SELECT data FROM events WHERE stream_id = $1 AND type = 'SlaBreached'`,
      [`case-${referred}`],
    );
    expect(breaches.rows.map((r) => r.data)).toContainEqual(
      expect.objectContaining({ clockId: 'referral/regulatory', dueAt: DEADLINE }),
    );
    const clocks = await clocksOf(referred);
    expect(clocks.find((c) => c.id === 'referral/regulatory')).toMatchObject({ state: 'breached' });
    expect(clocks.find((c) => c.id === 'CN-NFRA/regulatory')).toMatchObject({ state: 'running' });
  });

  it('escalates a breach to the people of the directory version in force, naming that version', async () => {
    clock.set(new Date(RECEIVED));
    const officer = (id: string) => [
      { id, name: id, type: 'person', contacts: [{ channel: 'email', address: `${id}@bank.example` }] },
    ];
    const document = {
      departments: {
        '*': {
          supervisor: officer('zhao.lei'),
          'department-head': officer('sun.li'),
          'complaints-officer': officer('wang.fang'),
        },
      },
    };
    const published = await api(`${resolution.base}/policies/escalation-directory/versions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await as({ subject: 'admin-3', role: 'admin', tenant: 'bank-cn' })),
      },
      body: JSON.stringify({ document, reason: 'Named escalation owners' }),
    });
    expect(published.status).toBe(201);
    const { version, digest } = (await published.json()) as { version: number; digest: string };

    const card = await openCase({ category: 'card-fees' });
    clock.set(new Date('2026-11-18T00:00:00.000Z')); // past the NFRA deadline (17 November, end of day)
    const monitor = resolution.app.get(SlaMonitor);
    while (await monitor.evaluateNext());
    const escalated = await resolution.db.query<{ data: Record<string, unknown> }>(
      `SELECT data FROM events WHERE stream_id = $1 AND type = 'CaseEscalated' ORDER BY stream_version`,
      [`case-${card}`],
    );
    expect(escalated.rows.length).toBeGreaterThan(0);
    expect(escalated.rows[0]!.data).toMatchObject({
      trigger: 'sla-breach',
      escalatedTo: 'supervisor',
      notified: ['zhao.lei'],
      directoryPolicy: { kind: 'escalation-directory', version, digest },
    });
    for (const { data } of escalated.rows) {
      expect(data.directoryPolicy).toEqual({ kind: 'escalation-directory', version, digest });
    }
  });

  it('warns, in the health detail, a metric and the log, when a deadline falls in a year the calendar lacks (CN 2027)', async () => {
    const health = async () => (await (await fetch(`${resolution.base}/health/sla`)).json()) as Record<string, unknown>;
    expect(await health()).toEqual({ status: 'ok', missingCalendarYears: [] });
    const warn = jest.spyOn(Logger.prototype, 'warn');
    // Received 20 December 2026: NFRA's 15 days end on 4 January 2027, a year without its State Council notice.
    await openCase({ category: 'card-fees', receivedAt: '2026-12-20T02:00:00.000Z' });
    expect(await health()).toMatchObject({
      status: 'warning',
      missingCalendarYears: [
        { calendarId: 'CN', year: 2027, gap: expect.stringMatching(/no State Council holiday schedule/) },
      ],
    });
    expect(await (await fetch(`${resolution.base}/metrics`)).text()).toMatch(
      /sla_calendar_year_missing\{calendar="CN",year="2027"\} 1/,
    );
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/^Calendar CN lacks 2027: deadlines in it are counted without/),
    );
    warn.mockRestore();
  });
});
