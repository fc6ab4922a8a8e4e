/**
 * Attacker: staff of tenant bank-a with valid tokens, bending what the regulator and the customer
 * are told. A supervisor (routing's HTTP API) moves a triage complaint out to a department but
 * keeps it "unclassified", or under a category nobody counts, so the regulator's return by
 * category misses it. An agent (resolution's HTTP API) offers a waiver plus an apology although the
 * waiver is refused, so the customer hears of a remedy that never went out; and schedules the
 * follow-up after the policy's due date, so a late call looks scheduled. Real PostgreSQL, the
 * embedded bus.
 */
import { randomUUID } from 'node:crypto';
import { Topics } from '@complaints/contracts';
import { openDatabase, type Database } from '@complaints/eventstore';
import { AdjustableClock } from '@complaints/kit';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { resolutionService } from '@complaints/resolution';
import { routingService } from '@complaints/routing';
import { eventually } from '../support/database';
import { startInProcess, type InProcessService } from '../support/in-process';
import { api } from '../support/auth';
import { complaintReceivedData, receivedEnvelope, routedEnvelope } from '../fixtures/events';

jest.setTimeout(60_000);

const DAY_MS = 86_400_000;
type Body = Record<string, unknown>;
const as = (role: string, tenant: string) => ({
  'x-actor-id': `${role}-1`,
  'x-actor-role': role,
  'x-tenant-id': tenant,
});

async function post(base: string, path: string, body: unknown, headers: Record<string, string>) {
  const response = await api(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Body };
}

const typesOf = async (service: InProcessService, streamId: string) =>
  (
    await service.db.query<{ type: string }>('SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version', [
      streamId,
    ])
  ).rows.map((r) => r.type);

describe('hostile insider: a supervisor keeping a rerouted triage complaint out of the regulator’s count', () => {
  const TENANT = 'grid-east';
  let routing: InProcessService;
  let bus: Database;

  beforeAll(async () => {
    routing = await startInProcess(routingService);
    bus = await openDatabase({ url: routing.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
  });
  afterAll(async () => {
    await bus?.close();
    await routing?.close();
  });

  async function triaged(): Promise<string> {
    const complaintId = randomUUID();
    const envelope = {
      ...receivedEnvelope(complaintId, { tenant: TENANT }),
      data: complaintReceivedData(complaintId, {
        description: 'Nobody answers me and I am unhappy',
        demands: [],
        target: { kind: 'other', name: '—' },
      }),
    };
    await new PostgresTransport(bus).publish([
      { topic: Topics.intake, key: complaintId, value: JSON.stringify(envelope), headers: {} },
    ]);
    const routed = await eventually(`complaint ${complaintId} routed`, async () => {
      const response = await api(`${routing.base}/routings/${complaintId}`, { headers: { 'x-tenant-id': TENANT } });
      return response.status === 200 ? ((await response.json()) as Body) : undefined;
    });
    expect(routed).toMatchObject({ department: 'triage', category: 'unclassified' });
    return complaintId;
  }

  it('a reroute to a department keeping "unclassified", or naming a category the rule table lacks, is a 422 and moves nothing', async () => {
    const complaintId = await triaged();
    const lead = as('supervisor', TENANT);
    for (const category of ['unclassified', 'not-counted-anywhere']) {
      const refused = await post(
        routing.base,
        `/routings/${complaintId}/reroute`,
        { department: 'billing', category, reason: 'x' },
        lead,
      );
      expect(refused.status).toBe(422);
      expect(JSON.stringify(refused.body)).toMatch(new RegExp(`Category ${category} is not in the rule table`));
    }
    expect(await typesOf(routing, `routing-${complaintId}`)).toEqual(['ComplaintRouted']);
  });
});

describe('hostile insider: an agent telling the customer of remedies and calls that are not so', () => {
  const TENANT = 'bank-a';
  const agent = as('agent', TENANT);
  let resolution: InProcessService;
  let bus: Database;
  const clock = new AdjustableClock();

  beforeAll(async () => {
    resolution = await startInProcess(resolutionService, clock);
    bus = await openDatabase({ url: resolution.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
  });
  afterAll(async () => {
    await bus?.close();
    await resolution?.close();
  });

  const step = (caseId: string, path: string, body: unknown = {}) =>
    post(resolution.base, `/cases/${caseId}/${path}`, body, agent);

  async function readyCase(customerId: string): Promise<string> {
    const caseId = randomUUID();
    await new PostgresTransport(bus).publish([
      {
        topic: Topics.routing,
        key: caseId,
        value: JSON.stringify(routedEnvelope(caseId, customerId, TENANT, 'cards')),
        headers: {},
      },
    ]);
    await eventually(`case ${caseId} opened`, async () =>
      (await api(`${resolution.base}/cases/${caseId}`, { headers: { 'x-tenant-id': TENANT } })).status === 200
        ? true
        : undefined,
    );
    expect((await step(caseId, 'acknowledge', { channel: 'phone', summary: 'Called' })).status).toBe(200);
    expect((await step(caseId, 'validity', { valid: true })).status).toBe(200);
    return caseId;
  }

  async function resolvedWith(caseId: string, options: unknown[]) {
    expect((await step(caseId, 'proposals', { options })).status).toBe(200);
    expect((await step(caseId, 'customer-decision', { decision: 'accept', optionId: 'option-1' })).status).toBe(200);
    expect((await step(caseId, 'execute', { summary: 'Done' })).body).toMatchObject({ status: 'resolved' });
  }

  it('a waiver plus an apology, the waiver refused by the once-a-year rule, is refused whole (422 naming the rule)', async () => {
    const customer = `C-${randomUUID().slice(0, 8)}`;
    const waiver = { kind: 'fee-waiver', description: 'Waive the annual fee', amount: 300, currency: 'CNY' };
    await resolvedWith(await readyCase(customer), [waiver]);

    const caseId = await readyCase(customer);
    const refused = await step(caseId, 'proposals', {
      options: [waiver, { kind: 'apology', description: 'Written apology' }],
    });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toMatch(/at most 1 per 12 months\. The fee-waiver option is refused/);
    expect(await typesOf(resolution, `case-${caseId}`)).not.toContain('ResolutionProposed');
  });

  it('a follow-up scheduled after the policy’s due date is a 422 naming the due date, and nothing is scheduled', async () => {
    const caseId = await readyCase(`C-${randomUUID().slice(0, 8)}`);
    await resolvedWith(caseId, [{ kind: 'apology', description: 'Written apology' }]);
    const late = new Date(clock.now().getTime() + 60 * DAY_MS).toISOString();
    const refused = await step(caseId, 'follow-up', { dueAt: late });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toMatch(/The follow-up is due by .* under policy/);
    expect(await typesOf(resolution, `case-${caseId}`)).not.toContain('FollowUpScheduled');
    // Without a date it is due when the policy's follow-up clock is: one due date.
    const scheduled = await step(caseId, 'follow-up');
    expect(scheduled.status).toBe(200);
    const clocks = (await (
      await api(`${resolution.base}/cases/${caseId}/clocks`, { headers: { 'x-tenant-id': TENANT } })
    ).json()) as { clocks: { clock: string; dueAt: string }[] };
    expect(scheduled.body.followUpDueAt).toBe(clocks.clocks.find((c) => c.clock === 'follow-up')?.dueAt);
  });
});
