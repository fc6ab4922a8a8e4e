/**
 * The resolution service over HTTP on a real PostgreSQL, fed real complaint.routed.v1 events
 * through the embedded transport: policy limits across cases, approvals, refusals that append nothing.
 */
import { randomUUID } from 'node:crypto';
import { Topics } from '@complaints/contracts';
import { openDatabase, type Database } from '@complaints/eventstore';
import { AdjustableClock, KEY_VAULT } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { eventually } from '../../../test/support/database';
import { startInProcess, type InProcessService } from '../../../test/support/in-process';
import { routedEnvelope } from '../../../test/fixtures/events';
import { resolutionService } from './resolution.module';
import { api } from '../../../test/support/auth';

/** The tenant of the routed complaints these tests open cases from. */
const inTenant = { headers: { 'x-tenant-id': 'bank-a' } };

// Each test opens cases through the bus and then takes a dozen HTTP steps: on a loaded two-core
// machine that exceeds Jest's default 5 s without anything being wrong.
jest.setTimeout(30_000);

const agent = { 'x-actor-id': 'agent-7', 'x-actor-role': 'agent', 'x-tenant-id': 'bank-a' };
const lead = { 'x-actor-id': 'lead-2', 'x-actor-role': 'supervisor', 'x-tenant-id': 'bank-a' };

describe('the resolution service', () => {
  let resolution: InProcessService;
  let bus: Database;
  let base: string;
  const clock = new AdjustableClock();

  const post = async (caseId: string, path: string, body: unknown, actor: Record<string, string> = agent) => {
    const response = await api(`${base}/cases/${caseId}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...actor },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { detail?: string } };
  };
  const eventTypes = async (caseId: string) => {
    const db = resolution.db;
    return (
      await db.query<{ type: string }>('SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version', [
        `case-${caseId}`,
      ])
    ).rows.map((r) => r.type);
  };

  async function routedCase(customerId: string, department = 'cards', subjectId?: string): Promise<string> {
    const complaintId = randomUUID();
    const routed = routedEnvelope(complaintId, customerId, 'bank-a', department);
    const envelope = subjectId ? { ...routed, data: { ...(routed.data as object), subjectId } } : routed;
    await new PostgresTransport(bus).publish([
      { topic: Topics.routing, key: complaintId, value: JSON.stringify(envelope), headers: {} },
    ]);
    await eventually(`case ${complaintId} opened`, async () =>
      (await api(`${base}/cases/${complaintId}`, inTenant)).status === 200 ? true : undefined,
    );
    return complaintId;
  }

  async function readyToPropose(caseId: string) {
    expect((await post(caseId, 'acknowledge', { channel: 'phone', summary: 'Called' })).status).toBe(200);
    expect((await post(caseId, 'validity', { valid: true })).status).toBe(200);
  }

  beforeAll(async () => {
    resolution = await startInProcess(resolutionService, clock);
    bus = await openDatabase({ url: resolution.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
    base = resolution.base;
  });
  afterAll(async () => {
    await bus?.close();
    await resolution?.close();
  });

  it('grants a fee waiver once, then refuses the same customer’s second one on another case and records the refusal', async () => {
    const first = await routedCase('C-77');
    await readyToPropose(first);
    const waiver = {
      options: [{ kind: 'fee-waiver', description: 'Waive the 2026 annual fee', amount: 300, currency: 'CNY' }],
    };
    expect((await post(first, 'proposals', waiver)).body).toMatchObject({ status: 'awaiting-customer' });
    expect((await post(first, 'customer-decision', { decision: 'accept', optionId: 'option-1' })).status).toBe(200);
    expect((await post(first, 'execute', { summary: 'Annual fee waived' })).body).toMatchObject({ status: 'resolved' });

    const second = await routedCase('C-77');
    await readyToPropose(second);
    const refused = await post(second, 'proposals', waiver);
    expect(refused.status).toBe(422);
    // Named reasons, not the body's shape (the error body's format is another change's).
    expect(JSON.stringify(refused.body)).toMatch(
      /The customer was already granted a fee waiver on \d{4}-\d{2}-\d{2} .*at most 1 per 12 months\. The fee-waiver option is refused and nothing was proposed/,
    );
    // A waiver plus an apology: the whole proposal is refused, not answered 200 with the apology alone.
    const withApology = await post(second, 'proposals', {
      options: [...waiver.options, { kind: 'apology', description: 'Written apology' }],
    });
    expect(withApology.status).toBe(422);
    expect(JSON.stringify(withApology.body)).toMatch(
      /at most 1 per 12 months\. The fee-waiver option is refused and nothing was proposed/,
    );
    expect(await eventTypes(second)).toEqual([
      'CaseOpened',
      'CaseAcknowledged',
      'ValidityJudged',
      'ResolutionOptionRefused',
      'ResolutionOptionRefused',
    ]);

    // Another customer is not affected.
    const other = await routedCase('C-78');
    await readyToPropose(other);
    expect((await post(other, 'proposals', waiver)).status).toBe(200);
  });

  it('routes compensation beyond the agent’s authority to a supervisor', async () => {
    const caseId = await routedCase('C-90');
    await readyToPropose(caseId);
    const proposed = await post(caseId, 'proposals', {
      options: [{ kind: 'compensation', description: 'Goodwill payment', amount: 3000, currency: 'CNY' }],
    });
    expect(proposed.body).toMatchObject({ status: 'awaiting-approval' });
    const proposalId = (proposed.body.proposal as { proposalId: string }).proposalId;
    expect((await post(caseId, `proposals/${proposalId}/approve`, { comment: 'fine' })).status).toBe(422);
    expect(
      (await post(caseId, `proposals/${proposalId}/approve`, { comment: 'Long-standing customer' }, lead)).body,
    ).toMatchObject({ status: 'awaiting-customer' });
    const rejected = await post(caseId, 'customer-decision', {
      decision: 'reject',
      reason: 'Wants an apology from the branch manager',
    });
    expect(rejected.body).toMatchObject({ status: 'in-progress', escalationLevel: 1 });
  });

  it('refuses illegal transitions with 409 naming the state, and appends nothing', async () => {
    const caseId = await routedCase('C-91');
    const before = await eventTypes(caseId);
    const approve = await post(caseId, `proposals/${randomUUID()}/approve`, { comment: 'x' }, lead);
    expect(approve.status).toBe(409);
    expect(approve.body.detail).toMatch(/Cannot approve the proposal: the case is open/);
    expect((await post(caseId, 'close', { rootCause: 'x', improvementAction: 'y' })).status).toBe(409);
    expect(await eventTypes(caseId)).toEqual(before);
  });

  it('refuses bad input with 400 naming the field, and 404 for an unknown case', async () => {
    const caseId = await routedCase('C-92');
    const four = { kind: 'apology', description: 'Sorry' };
    const bad = await post(caseId, 'proposals', { options: [four, four, four, four] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/options must contain no more than 3 elements/);
    expect((await post(caseId, 'satisfaction', { score: 9 })).status).toBe(400);
    expect((await post(randomUUID(), 'acknowledge', { channel: 'phone', summary: 'x' })).status).toBe(404);
  });

  it('reopens within 30 days of closure, and afterwards opens a new case linked to the closed one', async () => {
    const caseId = await routedCase('C-93');
    await readyToPropose(caseId);
    await post(caseId, 'proposals', { options: [{ kind: 'explanation', description: 'Explain the fee schedule' }] });
    await post(caseId, 'customer-decision', { decision: 'accept', optionId: 'option-1' });
    await post(caseId, 'execute', { summary: 'Explained by phone' });
    expect(
      (await post(caseId, 'close', { rootCause: 'Unclear fee schedule', improvementAction: 'Rewrite the leaflet' }))
        .body,
    ).toMatchObject({ status: 'closed' });

    clock.advance(31 * 86_400_000);
    const reopened = await post(caseId, 'reopen', { reason: 'Charged again this year' });
    expect(reopened.body).toMatchObject({ status: 'closed' });
    const [followOnId] = reopened.body.followOnCaseIds as string[];
    const followOn = (await (await api(`${base}/cases/${followOnId}`, inTenant)).json()) as Record<string, unknown>;
    expect(followOn).toMatchObject({ status: 'open', linkedCaseId: caseId, customerId: 'C-93' });
    expect(followOn.reference).toMatch(/-F1$/);
    const clocks = (await (await api(`${base}/cases/${followOnId}/clocks`, inTenant)).json()) as {
      clocks: { clock: string; state: string }[];
    };
    expect(clocks.clocks.map((c) => [c.clock, c.state])).toEqual([
      ['acknowledgement', 'running'],
      ['resolution', 'running'],
    ]);
  });

  it('moves the open case to the department and agent a supervisor rerouted the complaint to', async () => {
    const caseId = await routedCase('C-94');
    const routed = routedEnvelope(caseId, 'C-94', 'bank-a');
    const placement = {
      department: 'credit-reporting',
      queue: 'bank-credit-report',
      category: 'credit-report',
      priority: 'high',
    };
    const rerouted = {
      ...routed,
      id: randomUUID(),
      type: 'complaint.rerouted.v1',
      streamVersion: 2,
      data: {
        complaintId: caseId,
        reference: (routed.data as { reference: string }).reference,
        ...placement,
        from: { department: 'cards', queue: 'bank-cards', category: 'card-fees', priority: 'normal' },
        reason: 'The dispute is about a credit report entry',
        reroutedBy: { id: 'lead-2', role: 'supervisor' },
        assignment: { strategy: 'skills-match', agentId: 'cr-01', reason: 'has the skill' },
        reroutedAt: new Date().toISOString(),
      },
    };
    await new PostgresTransport(bus).publish([
      { topic: Topics.routing, key: caseId, value: JSON.stringify(rerouted), headers: {} },
    ]);
    const moved = await eventually('the case reassigned', async () => {
      const body = (await (await api(`${base}/cases/${caseId}`, inTenant)).json()) as {
        department: string;
        agentId?: string;
      };
      return body.department === 'credit-reporting' ? body : undefined;
    });
    // What the case is about moves with it: the regulator's returns and the search count it by category.
    expect(moved).toMatchObject({ category: 'credit-report', priority: 'high' });
    expect(await eventTypes(caseId)).toEqual(['CaseOpened', 'CaseReassigned']);
    const published = await resolution.db.query<{ data: Record<string, unknown> }>(
      `SELECT data FROM events WHERE stream_id = $1 AND type = 'CaseReassigned'`,
      [`case-${caseId}`],
    );
    expect(published.rows[0]?.data).toMatchObject({ category: 'credit-report', priority: 'high' });
  });

  it('seals what agents write with the complainant’s key, shows it to reads, and "[erased]" once they are erased', async () => {
    const vault = resolution.app.get<KeyVault>(KEY_VAULT);
    const subjectId = vault.subjectId('bank-a', `id:C-96-${randomUUID()}`);
    await (await vault.dataKeyFor('bank-a', subjectId)).keep(); // as intake does when it registers the complaint
    const caseId = await routedCase('C-96', 'cards', subjectId);
    const words = 'Mrs Li (13900000096)';
    const storedEvents = async () =>
      (
        await resolution.db.query<{ type: string; data: Record<string, unknown> }>(
          'SELECT type, data FROM events WHERE stream_id = $1 ORDER BY stream_version',
          [`case-${caseId}`],
        )
      ).rows;
    const readCase = async () => await (await api(`${base}/cases/${caseId}`, inTenant)).json();

    await post(caseId, 'acknowledge', { channel: 'phone', summary: `${words} was told the time limit` });
    await post(caseId, 'investigation', { findings: `${words} was charged twice`, evidenceRefs: [`bill of ${words}`] });
    await post(caseId, 'validity', { valid: true, reason: `${words} is right` });
    const proposed = await post(caseId, 'proposals', {
      options: [{ kind: 'refund', description: `Refund ${words}`, amount: 200, currency: 'CNY' }],
    });
    // The answer to a command is revealed like any read.
    expect(proposed.body).toMatchObject({ proposal: { options: [{ description: `Refund ${words}`, amount: 200 }] } });

    const stored = await storedEvents();
    expect(JSON.stringify(stored)).not.toContain('13900000096');
    const data = (type: string) => stored.find((e) => e.type === type)!.data;
    expect(data('CaseOpened')).toMatchObject({ subjectId });
    expect(data('CaseAcknowledged')).toMatchObject({ channel: 'phone', summary: expect.stringMatching(/^pii:v1:/) });
    expect(data('InvestigationRecorded')).toMatchObject({
      findings: expect.stringMatching(/^pii:v1:/),
      evidenceRefs: [expect.stringMatching(/^pii:v1:/)],
    });
    expect(data('ValidityJudged')).toMatchObject({ valid: true, reason: expect.stringMatching(/^pii:v1:/) });
    expect(data('ResolutionProposed')).toMatchObject({
      options: [{ kind: 'refund', amount: 200, currency: 'CNY', description: expect.stringMatching(/^pii:v1:/) }],
    });
    expect(await readCase()).toMatchObject({
      findings: [`${words} was charged twice`],
      validity: { valid: true, reason: `${words} is right` },
    });

    await vault.erase('bank-a', subjectId);
    const erased = await readCase();
    expect(erased).toMatchObject({
      findings: ['[erased]'],
      validity: { valid: true, reason: '[erased]' },
      proposal: { options: [{ kind: 'refund', amount: 200, description: '[erased]' }] },
    });
    expect(JSON.stringify(erased)).not.toContain('13900000096');

    // Written after the erasure: sealed with a key nobody kept, unreadable from the start.
    const notified = await post(caseId, 'notifications', {
      channel: 'phone',
      purpose: 'progress',
      summary: `${words} called again`,
    });
    expect(notified.status).toBe(200);
    const note = (await storedEvents()).find((e) => e.type === 'CustomerNotified')!.data;
    expect(note.summary).toMatch(/^pii:v1:/);
    expect(await vault.reveal('bank-a', note)).toMatchObject({ purpose: 'progress', summary: '[erased]' });
    const { rows: liveKeys } = await resolution.db.query(
      'SELECT key_id FROM privacy.data_keys WHERE subject_id = $1 AND erased_at IS NULL',
      [subjectId],
    );
    expect(liveKeys).toEqual([]);
  });

  it('keeps the free text of a case opened before the subject id travelled as it was written', async () => {
    const caseId = await routedCase('C-97');
    await post(caseId, 'acknowledge', { channel: 'phone', summary: 'Called back' });
    const { rows } = await resolution.db.query<{ data: { summary: string } }>(
      `SELECT data FROM events WHERE stream_id = $1 AND type = 'CaseAcknowledged'`,
      [`case-${caseId}`],
    );
    expect(rows.map((r) => r.data.summary)).toEqual(['Called back']);
  });

  it('verifies a case’s event chain, and names the event altered behind the service’s back', async () => {
    const caseId = await routedCase('C-95');
    await readyToPropose(caseId);
    const verify = async () =>
      (await (await api(`${base}/audit/cases/${caseId}/verify`, inTenant)).json()) as {
        verified: boolean;
        streams: string[];
        findings: { kind: string; streamVersion: number }[];
      };
    expect(await verify()).toMatchObject({ verified: true, streams: [`case-${caseId}`], findings: [] });
    const db = resolution.db;
    // Playing the owner: it can lift the trigger that keeps the log append-only.
    await db.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
    await db.query(
      `UPDATE events SET data = jsonb_set(data, '{valid}', 'false') WHERE stream_id = $1 AND type = 'ValidityJudged'`,
      [`case-${caseId}`],
    );
    expect(await verify()).toMatchObject({ verified: false, findings: [{ kind: 'altered', streamVersion: 3 }] });
  });
});
