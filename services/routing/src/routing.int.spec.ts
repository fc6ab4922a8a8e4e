/**
 * The routing service over HTTP on a real PostgreSQL, fed real complaint.received.v1 events through
 * the embedded transport: routing with explanation and assignment, the directory, supervisors'
 * reroutes with their history and published events, and refusals that append nothing.
 */
import { randomUUID } from 'node:crypto';
import { envelopeOfMessage, Topics } from '@complaints/contracts';
import { openDatabase, type Database } from '@complaints/eventstore';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { eventually } from '../../../test/support/database';
import { startInProcess, type InProcessService } from '../../../test/support/in-process';
import { complaintReceivedData, receivedEnvelope } from '../../../test/fixtures/events';
import { routingService } from './routing.module';
import { api } from '../../../test/support/auth';

/** The parts of the service's answers the tests look at. */
interface Answer {
  [field: string]: unknown;
  detail?: string;
  explanation?: unknown[];
  assignment?: { agentId?: string };
  departments?: { id: string }[];
  errors?: { field: string }[];
  history?: unknown[];
  current?: unknown;
}

const lead = { 'x-actor-id': 'lead-2', 'x-actor-role': 'supervisor', 'x-tenant-id': 'grid-east' };
const agent = { 'x-actor-id': 'agent-7', 'x-actor-role': 'agent', 'x-tenant-id': 'grid-east' };

describe('the routing service', () => {
  let routing: InProcessService;
  let bus: Database;
  let base: string;

  const get = async (path: string, tenant = 'grid-east') => {
    const response = await api(`${base}${path}`, { headers: { 'x-tenant-id': tenant } });
    return { status: response.status, body: (await response.json()) as Answer };
  };
  const reroute = async (complaintId: string, body: unknown, headers: Record<string, string>) => {
    const response = await api(`${base}/routings/${complaintId}/reroute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Answer };
  };
  const eventTypes = async (complaintId: string) =>
    (
      await routing.db.query<{ type: string }>('SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version', [
        `routing-${complaintId}`,
      ])
    ).rows.map((r) => r.type);

  async function received(description: string, tenant = 'grid-east'): Promise<string> {
    const complaintId = randomUUID();
    const envelope = {
      ...receivedEnvelope(complaintId, { tenant }),
      data: complaintReceivedData(complaintId, { description, demands: [], target: { kind: 'other', name: '—' } }),
    };
    await new PostgresTransport(bus).publish([
      { topic: Topics.intake, key: complaintId, value: JSON.stringify(envelope), headers: {} },
    ]);
    await eventually(`complaint ${complaintId} routed`, async () =>
      (await get(`/routings/${complaintId}`, tenant)).status === 200 ? true : undefined,
    );
    return complaintId;
  }

  beforeAll(async () => {
    routing = await startInProcess(routingService);
    bus = await openDatabase({ url: routing.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
    base = routing.base;
  });
  afterAll(async () => {
    await bus?.close();
    await routing?.close();
  });

  it('routes a received complaint with the tenant’s table, explains why and assigns a skilled agent', async () => {
    const complaintId = await received('老人独居，家里电表走得特别快，怀疑计量有问题');
    const { body } = await get(`/routings/${complaintId}`);
    expect(body).toMatchObject({
      department: 'metering',
      queue: 'power-metering',
      priority: 'high',
      degree: 'critical',
      ruleTable: 'default.json < grid-east.json',
      assignment: { strategy: 'skills-match', agentId: expect.stringMatching(/^met-0[12]$/) },
    });
    expect(body.explanation).toContainEqual(
      expect.objectContaining({ ruleId: 'power-metering', kind: 'classification' }),
    );
    expect(body.explanation).toContainEqual(
      expect.objectContaining({ ruleId: 'vulnerable-customer', matchedKeywords: ['老人', '独居'] }),
    );
  });

  it('spreads complaints of a least-loaded queue evenly over its agents', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await received(`阶梯电价执行错了，第${i}次反映`));
    const agents = await Promise.all(ids.map(async (id) => (await get(`/routings/${id}`)).body.assignment?.agentId));
    expect(agents.sort()).toEqual(['bil-01', 'bil-01', 'bil-02', 'bil-02']);
  });

  it("lists the caller's tenant's directory and one department, and 404s an unknown one or another tenant's", async () => {
    const ids = async (tenant: string) =>
      (await get('/routing/departments', tenant)).body.departments?.map((d) => d.id) ?? [];
    // A tenant without a rule file of its own has the default table's directory: every file.
    expect(await ids('default')).toEqual(expect.arrayContaining(['metering', 'fraud', 'claims', 'triage']));
    expect(await ids('grid-east')).toEqual(expect.arrayContaining(['metering', 'triage']));
    expect(await ids('grid-east')).not.toContain('fraud');
    expect(await ids('bank-a')).toEqual(expect.arrayContaining(['fraud', 'triage']));
    expect(await ids('bank-a')).not.toContain('metering');
    expect((await get('/routing/departments/fraud', 'bank-a')).body).toMatchObject({
      queues: [{ id: 'bank-fraud', strategy: 'skills-match', requiredSkills: ['fraud-investigation'] }],
    });
    expect((await get('/routing/departments/fraud', 'grid-east')).status).toBe(404);
    expect((await get('/routing/departments/nowhere')).status).toBe(404);
  });

  /** Follows `Link: <…>; rel="next"` from `path`, checking it matches `next`; the items of every page, in order. */
  const allPages = async (path: string, key: 'departments' | 'history') => {
    const items: unknown[] = [];
    let url = `${base}${path}`;
    for (let pages = 0; pages < 50; pages++) {
      const response = await api(url, { headers: { 'x-tenant-id': 'grid-east' } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as Answer & { next: string | null };
      expect(body[key]).toHaveLength(1); // ?limit=1
      items.push(...(body[key] ?? []));
      if (!body.next) return items;
      const link = /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1];
      expect(new URL(link!, base).searchParams.get('cursor')).toBe(body.next);
      url = new URL(link!, base).toString();
    }
    throw new Error('more than 50 pages');
  };

  it('pages the departments and a routing history like every list: limit, cursor, next and Link', async () => {
    const whole = (await get('/routing/departments')).body.departments!;
    expect(whole.length).toBeGreaterThan(1);
    expect(await allPages('/routing/departments?limit=1', 'departments')).toEqual(whole);
    const complaintId = await received('电表计量不准');
    expect((await reroute(complaintId, { department: 'billing', reason: 'Tariff, not the meter' }, lead)).status).toBe(
      200,
    );
    const history = (await get(`/routings/${complaintId}/history`)).body.history!;
    expect(history).toHaveLength(2);
    expect(await allPages(`/routings/${complaintId}/history?limit=1`, 'history')).toEqual(history);
  });

  it('lets a supervisor reroute with a reason, keeps the history and publishes complaint.rerouted.v1', async () => {
    const complaintId = await received('电表计量不准');
    const moved = await reroute(
      complaintId,
      { department: 'billing', priority: 'high', reason: 'Tariff, not the meter' },
      lead,
    );
    expect(moved).toMatchObject({
      status: 200,
      body: { department: 'billing', queue: 'power-billing', priority: 'high', version: 2 },
    });
    const { body } = await get(`/routings/${complaintId}/history`);
    expect(body.history).toMatchObject([
      { version: 1, type: 'ComplaintRouted', actor: { role: 'system' }, data: { department: 'metering' } },
      {
        version: 2,
        type: 'ComplaintRerouted',
        actor: { id: 'lead-2', role: 'supervisor' },
        data: { department: 'billing', reason: 'Tariff, not the meter', from: { department: 'metering' } },
      },
    ]);
    expect((await get(`/routings/${complaintId}`)).body.current).toMatchObject({
      department: 'billing',
      priority: 'high',
    });
    await eventually('complaint.rerouted.v1 published', async () => {
      const { rows } = await bus.query<{ value: string; headers: Record<string, string> }>(
        'SELECT value, headers FROM bus_messages WHERE topic = $1 AND key = $2',
        [Topics.routing, complaintId],
      );
      const types = rows.map((r) => (envelopeOfMessage(r) as { type: string }).type);
      return types.includes('complaint.rerouted.v1') ? types : undefined;
    });
  });

  it('reroutes a triage complaint only with a category (422 otherwise), and publishes the category chosen', async () => {
    const complaintId = await received('Something is not right and nobody answers me');
    expect((await get(`/routings/${complaintId}`)).body).toMatchObject({
      department: 'triage',
      category: 'unclassified',
    });
    const unnamed = await reroute(complaintId, { department: 'triage', queue: 'triage', reason: 'x' }, lead);
    expect(unnamed.status).toBe(200); // staying in triage needs no category
    const made = await reroute(complaintId, { department: 'billing', category: 'made-up', reason: 'x' }, lead);
    expect(made.status).toBe(422);
    expect(JSON.stringify(made.body)).toMatch(/Category made-up is not in the rule table/);
    const moved = await reroute(
      complaintId,
      { department: 'billing', category: 'billing-tariff', priority: 'high', degree: 'accusatory', reason: 'Tariff' },
      lead,
    );
    expect(moved).toMatchObject({
      status: 200,
      body: { department: 'billing', category: 'billing-tariff', priority: 'high', degree: 'accusatory' },
    });
    const published = await eventually('complaint.rerouted.v1 published', async () => {
      const { rows } = await bus.query<{ value: string; headers: Record<string, string> }>(
        'SELECT value, headers FROM bus_messages WHERE topic = $1 AND key = $2 ORDER BY position',
        [Topics.routing, complaintId],
      );
      const events = rows.map((r) => envelopeOfMessage(r) as { type: string; data: Record<string, unknown> });
      return events.filter((e) => e.type === 'complaint.rerouted.v1').length === 2 ? events.at(-1) : undefined;
    });
    expect(published.data).toMatchObject({ category: 'billing-tariff', priority: 'high', degree: 'accusatory' });
  });

  it('refuses a reroute by an agent (403), of an unrouted complaint (404) and bad input (400), appending nothing', async () => {
    const complaintId = await received('电表计量不准');
    const byAgent = await reroute(complaintId, { department: 'billing', reason: 'x' }, agent);
    // The endpoint's roles refuse an agent before the domain's own rule would (422).
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.detail).toMatch(/is for supervisor, department-head, complaints-officer; the caller is agent/);
    const unrouted = await reroute(randomUUID(), { department: 'billing', reason: 'x' }, lead);
    expect(unrouted.status).toBe(404);
    expect(unrouted.body.detail).toMatch(/Routing of complaint .* was not found/);
    const bad = await reroute(
      complaintId,
      { department: 'billing', reason: '', priority: 'asap', colour: 'red' },
      lead,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((v) => v.field).sort()).toEqual(['colour', 'priority', 'reason']);
    expect((await reroute(complaintId, { department: 'nowhere', reason: 'x' }, lead)).status).toBe(422);
    expect(await eventTypes(complaintId)).toEqual(['ComplaintRouted']);
  });

  it('frees the agent’s slot when its tenant’s case closes (not another tenant’s of the same id), and takes it again when it reopens', async () => {
    const complaintId = await received('老人独居，家里电表走得特别快，怀疑计量有问题');
    const db = routing.db;
    const released = async () =>
      (
        await db.query<{ released: boolean }>(
          "SELECT released_at IS NOT NULL AS released FROM routing_assignments WHERE tenant = 'grid-east' AND complaint_id = $1",
          [complaintId],
        )
      ).rows[0]?.released;
    expect(await released()).toBe(false);
    const caseEvent = (type: string, data: Record<string, unknown>, tenant = 'grid-east') => ({
      ...receivedEnvelope(complaintId, { tenant }),
      source: '/complaints/resolution',
      type,
      data: { caseId: complaintId, ...data },
    });
    const publish = (envelope: object) =>
      new PostgresTransport(bus).publish([
        { topic: Topics.resolution, key: complaintId, value: JSON.stringify(envelope), headers: {} },
      ]);
    const closing = {
      closedAt: new Date().toISOString(),
      rootCause: 'Meter fault',
      improvementAction: 'Replace meter',
    };
    // Another tenant's case that happens to have this id closes: grid-east's agent keeps the case.
    const forged = caseEvent('case.closed.v1', closing, 'bank-a');
    await publish(forged);
    await eventually(
      'the other tenant’s closing consumed',
      async () => (await db.query('SELECT 1 FROM inbox WHERE event_id = $1', [forged.id])).rows[0],
    );
    expect(await released()).toBe(false);
    await publish(caseEvent('case.closed.v1', closing));
    await eventually('the slot freed', async () => ((await released()) ? true : undefined));
    await publish(caseEvent('case.reopened.v1', { reopenedAt: new Date().toISOString(), reason: 'Still fast' }));
    await eventually('the slot taken again', async () => ((await released()) === false ? true : undefined));
  });
});
