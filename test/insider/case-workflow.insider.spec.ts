/**
 * Attacker: an agent of tenant bank-a, holding a valid agent token for every department of the
 * tenant, working cases through resolution's HTTP API. They try to grant money nobody approved
 * (a currency no limit names, a code that is no currency, more decimals than the currency has) and
 * to hand a case to a department that does not exist, or that exists only in another tenant's
 * directory, so that no agent of the tenant ever sees it again. Real PostgreSQL, the embedded bus.
 */
import { randomUUID } from 'node:crypto';
import { Topics } from '@complaints/contracts';
import { openDatabase, type Database } from '@complaints/eventstore';
import { AdjustableClock } from '@complaints/kit';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { resolutionService } from '@complaints/resolution';
import { eventually } from '../support/database';
import { startInProcess, type InProcessService } from '../support/in-process';
import { api } from '../support/auth';
import { routedEnvelope } from '../fixtures/events';

jest.setTimeout(60_000);

const TENANT = 'bank-a';
const agent = { 'x-actor-id': 'agent-7', 'x-actor-role': 'agent', 'x-tenant-id': TENANT };
const lead = { 'x-actor-id': 'lead-2', 'x-actor-role': 'supervisor', 'x-tenant-id': TENANT };
const head = { 'x-actor-id': 'head-1', 'x-actor-role': 'department-head', 'x-tenant-id': TENANT };
const officer = { 'x-actor-id': 'officer-1', 'x-actor-role': 'complaints-officer', 'x-tenant-id': TENANT };

type Body = Record<string, unknown> & { detail?: string; status?: string | number };

describe('hostile insider: an agent working cases (money and departments)', () => {
  let resolution: InProcessService;
  let bus: Database;

  const post = async (caseId: string, path: string, body: unknown, actor: Record<string, string> = agent) => {
    const response = await api(`${resolution.base}/cases/${caseId}/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...actor },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Body };
  };
  const stored = async (caseId: string) =>
    (
      await resolution.db.query<{ type: string; data: Record<string, unknown> }>(
        'SELECT type, data FROM events WHERE stream_id = $1 ORDER BY stream_version',
        [`case-${caseId}`],
      )
    ).rows;

  /** A bank-a case in the cards department, acknowledged and judged valid: ready for a proposal. */
  async function readyCase(): Promise<string> {
    const caseId = randomUUID();
    await new PostgresTransport(bus).publish([
      {
        topic: Topics.routing,
        key: caseId,
        value: JSON.stringify(routedEnvelope(caseId, `C-${caseId.slice(0, 4)}`, TENANT, 'cards')),
        headers: {},
      },
    ]);
    await eventually(`case ${caseId} opened`, async () =>
      (await api(`${resolution.base}/cases/${caseId}`, { headers: { 'x-tenant-id': TENANT } })).status === 200
        ? true
        : undefined,
    );
    expect((await post(caseId, 'acknowledge', { channel: 'phone', summary: 'Called' })).status).toBe(200);
    expect((await post(caseId, 'validity', { valid: true })).status).toBe(200);
    return caseId;
  }

  const refund = (amount: number, currency: string) => ({
    options: [{ kind: 'refund', description: 'Refund of the disputed charge', amount, currency }],
  });

  beforeAll(async () => {
    resolution = await startInProcess(resolutionService, new AdjustableClock());
    bus = await openDatabase({ url: resolution.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
  });
  afterAll(async () => {
    await bus?.close();
    await resolution?.close();
  });

  describe('money', () => {
    it('a refund of 499 XAU (a currency no limit names) waits for the complaints officer, and the event names the limit', async () => {
      const caseId = await readyCase();
      const proposed = await post(caseId, 'proposals', refund(499, 'XAU'));
      expect(proposed.status).toBe(200);
      expect(proposed.body).toMatchObject({
        status: 'awaiting-approval',
        proposal: { approvalRequiredFrom: 'complaints-officer', options: [{ amount: 499, currency: 'XAU' }] },
      });
      const proposal = (await stored(caseId)).find((e) => e.type === 'ResolutionProposed')!;
      expect(proposal.data).toMatchObject({
        approvalRequiredFrom: 'complaints-officer',
        limits: [{ optionId: 'option-1', currency: 'XAU', amount: 499, role: 'complaints-officer', limit: null }],
      });
      expect(proposal.data.limitsPolicy).toEqual(expect.stringMatching(/\.json$/));

      // Neither the agent nor anyone below the top approver can wave it through.
      const proposalId = (proposed.body.proposal as { proposalId: string }).proposalId;
      for (const who of [agent, lead, head]) {
        const approval = await post(caseId, `proposals/${proposalId}/approve`, { comment: 'ok' }, who);
        expect(approval.status).toBe(422);
        expect(approval.body.detail).toMatch(/needs a complaints-officer/);
      }
      const approved = await post(caseId, `proposals/${proposalId}/approve`, { comment: 'Checked' }, officer);
      expect(approved.body).toMatchObject({ status: 'awaiting-customer' });
      expect((await stored(caseId)).find((e) => e.type === 'ProposalApproved')!.data).toMatchObject({
        limits: [{ optionId: 'option-1', currency: 'XAU', amount: 499, role: 'complaints-officer', limit: null }],
      });
    });

    it('the same 499 in CNY is within the agent’s limit of the tenant’s file, named on the event', async () => {
      const caseId = await readyCase();
      const proposed = await post(caseId, 'proposals', refund(499, 'CNY'));
      expect(proposed.body).toMatchObject({ status: 'awaiting-customer' });
      expect((await stored(caseId)).find((e) => e.type === 'ResolutionProposed')!.data).toMatchObject({
        approvalRequiredFrom: null,
        limits: [{ optionId: 'option-1', currency: 'CNY', amount: 499, role: 'agent', limit: 500 }],
      });
    });

    it.each([
      ['ABC', /ABC is not an ISO 4217 currency code/],
      ['XTS', /XTS is not a currency/],
    ])('a refund in %s is refused with 422 naming the rule, and nothing is appended', async (currency, message) => {
      const caseId = await readyCase();
      const before = await stored(caseId);
      const refused = await post(caseId, 'proposals', refund(10, currency));
      expect(refused.status).toBe(422);
      expect(refused.body.detail).toMatch(message);
      expect(await stored(caseId)).toEqual(before);
    });

    it.each([
      [100.5, 'JPY', /JPY has 0 decimal places \(ISO 4217\): 100\.5 has 1/],
      [1.2345, 'KWD', /KWD has 3 decimal places \(ISO 4217\): 1\.2345 has 4/],
      [10.001, 'CNY', /CNY has 2 decimal places \(ISO 4217\): 10\.001 has 3/],
    ])(
      '%s %s (more decimals than the currency has) is refused with 422 naming the rule',
      async (amount, currency, message) => {
        const caseId = await readyCase();
        const before = await stored(caseId);
        const refused = await post(caseId, 'proposals', refund(amount, currency));
        expect(refused.status).toBe(422);
        expect(refused.body.detail).toMatch(message);
        expect(await stored(caseId)).toEqual(before);
      },
    );

    it('an amount with as many decimals as its currency has is taken (KWD 1.234)', async () => {
      const caseId = await readyCase();
      const proposed = await post(caseId, 'proposals', refund(1.234, 'KWD'));
      expect(proposed.status).toBe(200);
      expect(proposed.body).toMatchObject({ proposal: { options: [{ amount: 1.234, currency: 'KWD' }] } });
    });
  });

  describe('departments', () => {
    it.each([
      ['a department that does not exist', 'no-such-department'],
      ['another tenant’s department (grid-east’s billing)', 'billing'],
    ])(
      'a reassign to %s is refused with 422, the case stays where it was, and one of the tenant’s own departments is taken',
      async (_what, department) => {
        const caseId = await readyCase();
        const before = await stored(caseId);
        const moved = await post(caseId, 'reassign', { department, reason: 'Not ours' });
        expect(moved.status).toBe(422);
        expect(moved.body.detail).toMatch(
          new RegExp(`Department ${department} is not in the directory of tenant bank-a`),
        );
        expect(await stored(caseId)).toEqual(before);
        const read = await api(`${resolution.base}/cases/${caseId}`, { headers: agent });
        expect(((await read.json()) as Body).department).toBe('cards');

        const handedOver = await post(caseId, 'reassign', { department: 'fraud', reason: 'Unauthorised transactions' });
        expect(handedOver.status).toBe(200);
        expect(handedOver.body).toMatchObject({ department: 'fraud' });
      },
    );
  });
});
