import { randomBytes, randomUUID } from 'node:crypto';
import { RuleRejectedError, type CommandMetadata } from '@complaints/decider';
import { DEFAULT_POLICY } from '@complaints/sla';
import { isSealed, revealWith, seal as sealWith } from '@complaints/privacy';
import type { CaseEvent } from '../domain/case';
import { caseDecider, type CaseCommand } from '../domain/case.decide';
import { DEFAULT_CASE_SLA, PLAIN_UTC_CALENDAR, SEED_ESCALATIONS, TEST_DIRECTORY, TEST_LIMITS } from '../domain/testing';
import { hasFreeText, sealFreeText } from './personal-data';

const keyId = randomUUID();
const key = randomBytes(32);
const seal = (plain: string) => sealWith(plain, keyId, key);
const reveal = <T>(value: T) => revealWith(value, new Map([[keyId, key]]));

/** What an agent might write about the customer: every free-text field of the samples holds it. */
const WORDS = 'Mrs Li (13800000000) says';
const caseId = '0190a1b2-0000-7000-8000-000000000001';
const cmd = <T extends CaseCommand['type']>(type: T, data: Omit<Extract<CaseCommand, { type: T }>['data'], 'caseId'>) =>
  ({ type, data: { caseId, ...data } }) as CaseCommand;

/** One command of every type, its free text naming the customer, everything else codes, ids, amounts and dates. */
const WITH_FREE_TEXT: CaseCommand[] = [
  cmd('AcknowledgeCase', { channel: 'phone', summary: `${WORDS} she was called` }),
  cmd('RecordInvestigation', { findings: `${WORDS} the fee was charged twice`, evidenceRefs: [`bill of ${WORDS}`] }),
  cmd('AssignAccountability', {
    cause: `${WORDS} the batch job`,
    responsibleDepartment: 'cards',
    responsibleStaff: 'staff-9',
  }),
  cmd('JudgeValidity', { valid: false, reason: `${WORDS} nothing new` }),
  cmd('ProposeResolution', {
    proposalId: 'p1',
    options: [
      { optionId: 'option-1', kind: 'refund', description: `Refund ${WORDS}`, amount: 200, currency: 'CNY' },
      { optionId: 'option-2', kind: 'apology', description: `Apologise to ${WORDS}` },
    ],
    feeWaiversGranted: [{ caseId, reference: 'CMP-2026-000001', grantedAt: '2026-01-01T00:00:00.000Z' }],
    limits: TEST_LIMITS,
  }),
  cmd('ApproveProposal', { proposalId: 'p1', comment: `${WORDS} long-standing` }),
  cmd('RejectProposal', { proposalId: 'p1', comment: `${WORDS} too much` }),
  cmd('RejectOptions', { reason: `${WORDS} wants more` }),
  cmd('EscalateCase', { reason: `${WORDS} threatens the regulator` }),
  cmd('ExecuteResolution', { summary: `Refunded to ${WORDS}`, feeWaiversGranted: [] }),
  cmd('NotifyCustomer', { channel: 'letter', purpose: 'result', summary: `Letter to ${WORDS}` }),
  cmd('WaitOnCustomer', { reason: `${WORDS} will send the bill` }),
  cmd('RecordSatisfaction', { score: 4, comment: `${WORDS} thanks` }),
  cmd('ReopenCase', { reason: `${WORDS} charged again`, followOnCaseId: randomUUID() }),
  cmd('ReassignCase', {
    department: 'credit-reporting',
    agentId: 'agent-9',
    reason: `${WORDS} it is a credit report`,
    directory: TEST_DIRECTORY,
  }),
  cmd('RequestExtension', {
    extensionId: 'e1',
    clock: 'resolution',
    reason: `${WORDS} is abroad`,
    customerExplanation: `Dear ${WORDS}`,
  }),
  cmd('DecideExtension', { extensionId: 'e1', approved: true, comment: `${WORDS} agreed` }),
];

const WITHOUT_FREE_TEXT: CaseCommand[] = [
  cmd('OpenCase', {
    complaintId: caseId,
    reference: 'CMP-2026-000001',
    subjectId: 'ds-0123456789abcdef0123456789abcdef',
    department: 'cards',
    queue: 'bank-cards',
    category: 'card-fees',
    priority: 'normal',
    policy: DEFAULT_POLICY,
    calendar: PLAIN_UTC_CALENDAR,
  }),
  cmd('AcceptOption', { optionId: 'option-1' }),
  cmd('AcknowledgeEscalation', { level: 1 }),
  cmd('EvaluateSla', { calendar: PLAIN_UTC_CALENDAR, directory: SEED_ESCALATIONS }),
  cmd('ResumeCase', {}),
  cmd('ScheduleFollowUp', { dueAt: '2026-03-09T08:00:00.000Z', calendar: PLAIN_UTC_CALENDAR }),
  cmd('CloseCase', {
    rootCause: 'Waiver flag not applied by the batch job',
    improvementAction: 'Job checks the register',
  }),
];

/** Every string of a value, with where it is. */
function strings(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((item, i) => strings(item, `${path}[${i}]`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
  return [];
}

describe('sealing the free text of case commands', () => {
  it.each(WITH_FREE_TEXT.map((c) => [c.type, c] as const))(
    '%s: seals every free-text field and nothing else, and reveals back to the command',
    (_type, command) => {
      expect(hasFreeText(command)).toBe(true);
      const sealed = sealFreeText(command, seal);
      const before = new Map(strings(command));
      for (const [path, value] of strings(sealed)) {
        const plain = before.get(path)!;
        // Free text (the samples' holds WORDS) is sealed; codes, ids and dates are exactly as given.
        expect({ path, sealed: isSealed(value) }).toEqual({ path, sealed: plain.includes(WORDS) });
        if (!plain.includes(WORDS)) expect(value).toBe(plain);
      }
      expect(JSON.stringify(sealed)).not.toContain('13800000000');
      expect(reveal(sealed)).toEqual(command);
    },
  );

  it.each(WITHOUT_FREE_TEXT.map((c) => [c.type, c] as const))(
    '%s: has no free text to seal and is passed on untouched',
    (_type, command) => {
      expect(hasFreeText(command)).toBe(false);
      expect(sealFreeText(command, seal)).toBe(command);
    },
  );

  it('leaves the root cause and the improvement action plain: the root-cause KPI counts them by their text', () => {
    const close = WITHOUT_FREE_TEXT.find((c) => c.type === 'CloseCase')!;
    expect(sealFreeText(close, seal).data).toEqual(close.data);
  });

  it('leaves blank text as it is, so the domain still refuses a judgement of not valid without a reason', () => {
    const working = [
      {
        type: 'CaseOpened',
        data: {
          caseId,
          complaintId: caseId,
          reference: 'CMP-2026-000001',
          department: 'cards',
          queue: 'bank-cards',
          category: 'card-fees',
          priority: 'normal',
          openedAt: '2026-03-01T08:00:00.000Z',
          acknowledgeBy: '2026-03-02T08:00:00.000Z',
          resolveBy: '2026-03-16T08:00:00.000Z',
          slaPolicy: 'default',
          sla: DEFAULT_CASE_SLA,
        },
      },
    ] as CaseEvent[];
    const state = working.reduce(caseDecider.evolve, caseDecider.initialState());
    const meta: CommandMetadata = {
      now: new Date('2026-03-02T08:00:00.000Z'),
      actor: { id: 'agent-7', role: 'agent' },
      tenant: 'bank-a',
      correlationId: 'c1',
    };
    const blank = cmd('JudgeValidity', { valid: false, reason: '   ' });
    expect(sealFreeText(blank, seal)).toEqual(blank);
    expect(() => caseDecider.decide(sealFreeText(blank, seal), state, meta)).toThrow(RuleRejectedError);

    const given = sealFreeText(cmd('JudgeValidity', { valid: false, reason: `${WORDS} the fee is agreed` }), seal);
    const [judged] = caseDecider.decide(given, state, meta);
    expect(judged?.type).toBe('ValidityJudged');
    expect(reveal(judged?.data)).toMatchObject({ reason: `${WORDS} the fee is agreed` });
  });
});
