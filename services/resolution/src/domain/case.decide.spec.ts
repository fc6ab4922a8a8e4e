import {
  InvalidStateError,
  NotFoundError,
  RuleRejectedError,
  specification,
  type CommandMetadata,
} from '@complaints/decider';
import type { AppliedLimit } from './authority';
import type { CaseEvent, CaseEventData, ResolutionOption } from './case';
import { caseDecider, REOPEN_WINDOW_DAYS, type CaseCommand } from './case.decide';
import { readClocks } from './case-sla';
import { DEFAULT_POLICY, SLA_POLICY_PRESETS } from '@complaints/sla';
import { DEFAULT_CASE_SLA, PLAIN_UTC_CALENDAR, TEST_DIRECTORY, TEST_LIMITS } from './testing';

const caseId = '0190a1b2-0000-7000-8000-000000000001';
const now = new Date('2026-03-02T08:00:00.000Z');
const at = now.toISOString();
const agent = { id: 'agent-7', role: 'agent' };
const teamLead = { id: 'lead-2', role: 'supervisor' };
const meta = (actor = agent, time = now): CommandMetadata => ({
  now: time,
  actor,
  tenant: 'bank-a',
  correlationId: 'c1',
});
const spec = (actor = agent, time = now) => specification(caseDecider, meta(actor, time));
const ev = <T extends CaseEvent['type']>(type: T, data: Omit<CaseEventData[T], 'caseId'>) =>
  ({ type, data: { caseId, ...data } }) as unknown as CaseEvent;
const cmd = <T extends CaseCommand['type']>(type: T, data: Omit<Extract<CaseCommand, { type: T }>['data'], 'caseId'>) =>
  ({ type, data: { caseId, ...data } }) as CaseCommand;

const T0 = '2026-03-01T08:00:00.000Z';
const SUBJECT = 'ds-0123456789abcdef0123456789abcdef';
const opened = ev('CaseOpened', {
  complaintId: caseId,
  reference: 'CMP-2026-000001',
  customerId: 'C-1001',
  department: 'cards',
  queue: 'bank-cards',
  category: 'card-fees',
  priority: 'normal',
  openedAt: T0,
  acknowledgeBy: '2026-03-02T08:00:00.000Z',
  resolveBy: '2026-03-16T08:00:00.000Z',
  slaPolicy: 'default',
  sla: DEFAULT_CASE_SLA,
});
const acknowledged = ev('CaseAcknowledged', { channel: 'phone', summary: 'Called back', acknowledgedAt: T0 });
const judgedValid = ev('ValidityJudged', { valid: true, judgedAt: T0 });
const judgedInvalid = ev('ValidityJudged', {
  valid: false,
  reason: 'The fee is in the signed card agreement',
  judgedAt: T0,
});
const refund: ResolutionOption = {
  optionId: 'option-1',
  kind: 'refund',
  description: 'Refund the fee',
  amount: 200,
  currency: 'CNY',
};
const apology: ResolutionOption = { optionId: 'option-2', kind: 'apology', description: 'Written apology' };
const bigCompensation: ResolutionOption = {
  optionId: 'option-1',
  kind: 'compensation',
  description: 'Goodwill',
  amount: 3000,
  currency: 'CNY',
};
const waiver: ResolutionOption = {
  optionId: 'option-1',
  kind: 'fee-waiver',
  description: 'Waive the annual fee',
  amount: 300,
  currency: 'CNY',
};
const proposed = (options: ResolutionOption[], approvalRequiredFrom: 'supervisor' | null = null) =>
  ev('ResolutionProposed', { proposalId: 'p1', options, proposedBy: agent, approvalRequiredFrom, proposedAt: T0 });
const offered = [opened, acknowledged, judgedValid, proposed([refund, apology])];
const accepted = [...offered, ev('CustomerAcceptedOption', { proposalId: 'p1', optionId: 'option-1', acceptedAt: T0 })];
const executed = [
  ...accepted,
  ev('ResolutionExecuted', {
    optionId: 'option-1',
    kind: 'refund',
    amount: 200,
    currency: 'CNY',
    summary: 'Refunded',
    executedAt: T0,
  }),
];
const closed = [
  ...executed,
  ev('CaseClosed', { rootCause: 'Batch job', improvementAction: 'Fix job', closedAt: '2026-03-01T09:00:00.000Z' }),
];

describe('opening a case', () => {
  it('opens the case with acknowledgement and resolution deadlines from the default policy, and its data subject', () => {
    spec()
      .given([])
      .when(
        cmd('OpenCase', {
          complaintId: caseId,
          reference: 'CMP-2026-000001',
          customerId: 'C-1001',
          subjectId: SUBJECT,
          department: 'cards',
          queue: 'bank-cards',
          category: 'card-fees',
          priority: 'normal',
          receivedAt: '2026-03-02T07:55:00.000Z',
          policy: DEFAULT_POLICY,
          calendar: PLAIN_UTC_CALENDAR,
        }),
      )
      .then([
        ev('CaseOpened', {
          complaintId: caseId,
          reference: 'CMP-2026-000001',
          customerId: 'C-1001',
          subjectId: SUBJECT,
          department: 'cards',
          queue: 'bank-cards',
          category: 'card-fees',
          priority: 'normal',
          receivedAt: '2026-03-02T07:55:00.000Z',
          openedAt: at,
          // Received on Monday: one business day is the end of Tuesday's working hours ...
          acknowledgeBy: '2026-03-03T17:00:00.000Z',
          // ... fifteen calendar days end with the 17th.
          resolveBy: '2026-03-17T23:59:59.999Z',
          slaPolicy: 'default',
          sla: {
            policyId: 'default',
            regime: 'default',
            calendarId: DEFAULT_POLICY.calendarId,
            clocks: DEFAULT_POLICY.clocks,
          },
        }),
      ]);
  });
  it('opens one case when the routing decision arrives twice', () => {
    spec()
      .given([opened])
      .when(
        cmd('OpenCase', {
          complaintId: caseId,
          reference: 'x',
          department: 'd',
          queue: 'q',
          category: 'c',
          priority: 'low',
          policy: DEFAULT_POLICY,
          calendar: PLAIN_UTC_CALENDAR,
        }),
      )
      .then([]);
  });
});

describe('acknowledging (first contact)', () => {
  it('records the channel and summary', () => {
    spec()
      .given([opened])
      .when(cmd('AcknowledgeCase', { channel: 'phone', summary: 'Called' }))
      .then([ev('CaseAcknowledged', { channel: 'phone', summary: 'Called', acknowledgedAt: at })]);
  });
  it('refuses a case that does not exist', () => {
    spec()
      .given([])
      .when(cmd('AcknowledgeCase', { channel: 'phone', summary: '' }))
      .thenThrows(NotFoundError, /Case .* was not found/);
  });
  it('refuses to acknowledge twice, naming the state', () => {
    spec()
      .given([opened, acknowledged])
      .when(cmd('AcknowledgeCase', { channel: 'phone', summary: '' }))
      .thenThrows(InvalidStateError, /Cannot acknowledge: the case is in-progress/);
  });
});

describe('investigation, accountability and validity', () => {
  it('records findings with evidence references', () => {
    spec()
      .given([opened, acknowledged])
      .when(cmd('RecordInvestigation', { findings: 'Fee charged after waiver', evidenceRefs: ['bill-2026-02'] }))
      .then([
        ev('InvestigationRecorded', {
          findings: 'Fee charged after waiver',
          evidenceRefs: ['bill-2026-02'],
          recordedAt: at,
        }),
      ]);
  });
  it('names the cause and the responsible department and staff', () => {
    spec()
      .given([opened, acknowledged])
      .when(
        cmd('AssignAccountability', {
          cause: 'Batch job ignored waiver',
          responsibleDepartment: 'card-ops',
          responsibleStaff: 'E-4411',
        }),
      )
      .then([
        ev('AccountabilityAssigned', {
          cause: 'Batch job ignored waiver',
          responsibleDepartment: 'card-ops',
          responsibleStaff: 'E-4411',
          assignedAt: at,
        }),
      ]);
  });
  it('judges a complaint valid', () => {
    spec()
      .given([opened, acknowledged])
      .when(cmd('JudgeValidity', { valid: true }))
      .then([ev('ValidityJudged', { valid: true, judgedAt: at })]);
  });
  it('refuses to judge a complaint not valid without the reason told to the customer', () => {
    spec()
      .given([opened, acknowledged])
      .when(cmd('JudgeValidity', { valid: false }))
      .thenThrows(RuleRejectedError, /needs the reason/);
  });
  it('refuses to investigate a closed case', () => {
    spec()
      .given(closed)
      .when(cmd('RecordInvestigation', { findings: 'x', evidenceRefs: [] }))
      .thenThrows(InvalidStateError, /the case is closed/);
  });
});

describe('proposing resolutions', () => {
  const propose = (
    options: ResolutionOption[],
    feeWaiversGranted: { caseId: string; reference: string; grantedAt: string }[] = [],
  ) => cmd('ProposeResolution', { proposalId: 'p1', options, feeWaiversGranted, limits: TEST_LIMITS });
  const decided = (options: ResolutionOption[]) =>
    caseDecider.decide(
      propose(options),
      [opened, acknowledged, judgedValid].reduce(caseDecider.evolve, caseDecider.initialState()),
      meta(),
    );

  it('offers options within the agent’s authority straight to the customer, naming the limit used', () => {
    spec()
      .given([opened, acknowledged, judgedValid])
      .when(propose([refund, apology]))
      .then([
        ev('ResolutionProposed', {
          proposalId: 'p1',
          options: [refund, apology],
          proposedBy: agent,
          approvalRequiredFrom: null,
          limits: [{ optionId: 'option-1', amount: 200, currency: 'CNY', role: 'agent', limit: 500 }],
          limitsPolicy: 'limits/test.json',
          proposedAt: at,
        }),
      ]);
  });
  it('sends an option beyond the agent’s authority to a supervisor for approval', () => {
    expect(decided([bigCompensation])).toMatchObject([
      {
        type: 'ResolutionProposed',
        data: {
          approvalRequiredFrom: 'supervisor',
          limits: [{ optionId: 'option-1', amount: 3000, currency: 'CNY', role: 'supervisor', limit: 5000 }],
        },
      },
    ]);
  });
  it('weighs an amount against the limit of its own currency', () => {
    expect(decided([{ ...refund, amount: 200, currency: 'USD' }])).toMatchObject([
      {
        type: 'ResolutionProposed',
        data: {
          approvalRequiredFrom: 'supervisor',
          limits: [{ optionId: 'option-1', amount: 200, currency: 'USD', role: 'supervisor', limit: 700 }],
        },
      },
    ]);
  });
  it('sends an amount in a currency no limit names (499 XAU) to the complaints officer', () => {
    expect(decided([{ ...refund, amount: 499, currency: 'XAU' }])).toMatchObject([
      {
        type: 'ResolutionProposed',
        data: {
          approvalRequiredFrom: 'complaints-officer',
          limits: [{ optionId: 'option-1', amount: 499, currency: 'XAU', role: 'complaints-officer', limit: null }],
        },
      },
    ]);
  });
  it.each([
    ['ABC', 10, /Option option-1: ABC is not an ISO 4217 currency code/],
    ['cny', 10, /cny is not an ISO 4217 currency code/],
    ['XXX', 10, /XXX is not a currency/],
    ['JPY', 100.5, /JPY has 0 decimal places \(ISO 4217\): 100.5 has 1/],
    ['KWD', 1.2345, /KWD has 3 decimal places \(ISO 4217\): 1.2345 has 4/],
    ['CNY', 0.001, /CNY has 2 decimal places/],
  ])('refuses an amount in %s of %s', (currency, amount, message) => {
    spec()
      .given([opened, acknowledged, judgedValid])
      .when(propose([{ ...refund, amount, currency }]))
      .thenThrows(RuleRejectedError, message);
  });
  it('refuses an amount without a currency', () => {
    spec()
      .given([opened, acknowledged, judgedValid])
      .when(propose([{ ...refund, currency: undefined }]))
      .thenThrows(RuleRejectedError, /has an amount but no currency/);
  });
  it('takes as many decimals as the currency has (KWD 1.234)', () => {
    expect(decided([{ ...refund, amount: 1.234, currency: 'KWD' }])).toMatchObject([
      { type: 'ResolutionProposed', data: { approvalRequiredFrom: 'complaints-officer' } },
    ]);
  });
  it('refuses to propose before the validity is judged', () => {
    spec()
      .given([opened, acknowledged])
      .when(propose([refund]))
      .thenThrows(InvalidStateError, /judge its validity first/);
  });
  it('refuses to propose before the customer was contacted', () => {
    spec()
      .given([opened])
      .when(propose([refund]))
      .thenThrows(InvalidStateError, /the case is open \(acknowledge it to the customer first\)/);
  });
  it('refuses more than three options', () => {
    spec()
      .given([opened, acknowledged, judgedValid])
      .when(propose([refund, apology, { ...apology, optionId: 'o3' }, { ...apology, optionId: 'o4' }]))
      .thenThrows(RuleRejectedError, /one to three/);
  });
  it('refuses a refund without an amount', () => {
    spec()
      .given([opened, acknowledged, judgedValid])
      .when(propose([{ ...refund, amount: undefined }]))
      .thenThrows(RuleRejectedError, /needs a positive amount/);
  });
  it('offers only an explanation or apology when the complaint is not valid', () => {
    spec()
      .given([opened, acknowledged, judgedInvalid])
      .when(propose([refund]))
      .thenThrows(RuleRejectedError, /judged not valid/);
  });
  it('grants a first fee waiver for the customer', () => {
    const events = caseDecider.decide(
      propose([waiver]),
      [opened, acknowledged, judgedValid].reduce(caseDecider.evolve, caseDecider.initialState()),
      meta(),
    );
    expect(events.map((e) => e.type)).toEqual(['ResolutionProposed']);
  });
  it('refuses a second fee waiver within 12 months, and records the refusal as an event', () => {
    spec()
      .given([opened, acknowledged, judgedValid])
      .when(
        propose([waiver], [{ caseId: 'other', reference: 'CMP-2025-000777', grantedAt: '2025-06-01T00:00:00.000Z' }]),
      )
      .then([
        ev('ResolutionOptionRefused', {
          kind: 'fee-waiver',
          reason:
            'The customer was already granted a fee waiver on 2025-06-01 (CMP-2025-000777); at most 1 per 12 months',
          refusedAt: at,
        }),
      ]);
  });
  it('proposes nothing when the fee waiver of a waiver plus an apology is refused: only the refusal is recorded', () => {
    // The officer must not tell the customer "waiver + apology" while only the apology went out.
    spec()
      .given([opened, acknowledged, judgedValid])
      .when(
        propose(
          [waiver, { ...apology, optionId: 'option-2' }],
          [{ caseId: 'o', reference: 'R', grantedAt: '2025-06-01T00:00:00.000Z' }],
        ),
      )
      .then([
        ev('ResolutionOptionRefused', {
          kind: 'fee-waiver',
          reason: 'The customer was already granted a fee waiver on 2025-06-01 (R); at most 1 per 12 months',
          refusedAt: at,
        }),
      ]);
  });
  it('grants a fee waiver again once 12 months have passed', () => {
    const events = caseDecider.decide(
      propose([waiver], [{ caseId: 'o', reference: 'R', grantedAt: '2025-02-01T00:00:00.000Z' }]),
      [opened, acknowledged, judgedValid].reduce(caseDecider.evolve, caseDecider.initialState()),
      meta(),
    );
    expect(events.map((e) => e.type)).toEqual(['ResolutionProposed']);
  });
});

describe('approval', () => {
  const supervisorLimit: AppliedLimit = {
    optionId: 'option-1',
    amount: 3000,
    currency: 'CNY',
    role: 'supervisor',
    limit: 5000,
  };
  const awaiting = [
    opened,
    acknowledged,
    judgedValid,
    ev('ResolutionProposed', {
      ...(proposed([bigCompensation], 'supervisor').data as Omit<CaseEventData['ResolutionProposed'], 'caseId'>),
      limits: [supervisorLimit],
      limitsPolicy: 'limits/test.json',
    }),
  ];
  it('lets a supervisor approve with a comment, naming the limits that needed the approval', () => {
    spec(teamLead)
      .given(awaiting)
      .when(cmd('ApproveProposal', { proposalId: 'p1', comment: 'OK, long-standing customer' }))
      .then([
        ev('ProposalApproved', {
          proposalId: 'p1',
          comment: 'OK, long-standing customer',
          approvedBy: teamLead,
          limits: [supervisorLimit],
          approvedAt: at,
        }),
      ]);
  });
  it('approves a proposal made before limits per currency without naming limits', () => {
    spec(teamLead)
      .given([opened, acknowledged, judgedValid, proposed([bigCompensation], 'supervisor')])
      .when(cmd('ApproveProposal', { proposalId: 'p1', comment: 'OK' }))
      .then([ev('ProposalApproved', { proposalId: 'p1', comment: 'OK', approvedBy: teamLead, approvedAt: at })]);
  });
  it('lets a supervisor reject with a comment', () => {
    spec(teamLead)
      .given(awaiting)
      .when(cmd('RejectProposal', { proposalId: 'p1', comment: 'Too much' }))
      .then([ev('ProposalRejected', { proposalId: 'p1', comment: 'Too much', rejectedBy: teamLead, rejectedAt: at })]);
  });
  it('refuses an approval by someone without the authority', () => {
    spec(agent)
      .given(awaiting)
      .when(cmd('ApproveProposal', { proposalId: 'p1', comment: '' }))
      .thenThrows(RuleRejectedError, /needs a supervisor or above/);
  });
  it('refuses to approve what was never proposed', () => {
    spec(teamLead)
      .given([opened, acknowledged, judgedValid])
      .when(cmd('ApproveProposal', { proposalId: 'p1', comment: '' }))
      .thenThrows(InvalidStateError, /Cannot approve the proposal: the case is in-progress/);
  });
  it('refuses to approve a proposal that needs no approval', () => {
    spec(teamLead)
      .given(offered)
      .when(cmd('ApproveProposal', { proposalId: 'p1', comment: '' }))
      .thenThrows(InvalidStateError, /the case is awaiting-customer/);
  });
});

describe('the customer’s decision', () => {
  it('accepts one of the offered options', () => {
    spec()
      .given(offered)
      .when(cmd('AcceptOption', { optionId: 'option-1' }))
      .then([ev('CustomerAcceptedOption', { proposalId: 'p1', optionId: 'option-1', acceptedAt: at })]);
  });
  it('refuses an option that was not offered', () => {
    spec()
      .given(offered)
      .when(cmd('AcceptOption', { optionId: 'option-9' }))
      .thenThrows(RuleRejectedError, /was not offered/);
  });
  it('refuses to accept twice', () => {
    spec()
      .given(accepted)
      .when(cmd('AcceptOption', { optionId: 'option-1' }))
      .thenThrows(InvalidStateError, /Cannot accept an option: the case is accepted/);
  });
  it('escalates one level up when the customer rejects every option', () => {
    spec()
      .given(offered)
      .when(cmd('RejectOptions', { reason: 'Wants compensation too' }))
      .then([
        ev('CustomerRejectedOptions', { proposalId: 'p1', reason: 'Wants compensation too', rejectedAt: at }),
        ev('CaseEscalated', {
          fromLevel: 0,
          level: 1,
          escalatedTo: 'supervisor',
          reason: 'Customer rejected every option',
          trigger: 'customer-rejected',
          notified: ['duty-supervisor'],
          escalatedAt: at,
        }),
      ]);
  });
});

describe('escalation', () => {
  it('escalates on request, e.g. when the customer threatens to go to the regulator', () => {
    spec()
      .given([opened, acknowledged])
      .when(cmd('EscalateCase', { reason: 'Threatens to complain to the NFRA' }))
      .then([
        ev('CaseEscalated', {
          fromLevel: 0,
          level: 1,
          escalatedTo: 'supervisor',
          reason: 'Threatens to complain to the NFRA',
          trigger: 'manual',
          notified: ['duty-supervisor'],
          escalatedAt: at,
        }),
      ]);
  });
  it('stops at the complaints officer', () => {
    const top = [1, 2, 3].map((level) =>
      ev('CaseEscalated', { fromLevel: level - 1, level, escalatedTo: 'supervisor', reason: 'r', escalatedAt: T0 }),
    );
    spec()
      .given([opened, acknowledged, ...top])
      .when(cmd('EscalateCase', { reason: 'again' }))
      .thenThrows(RuleRejectedError, /top of the escalation ladder/);
  });
});

describe('executing the accepted option', () => {
  it('records the resolution', () => {
    spec()
      .given(accepted)
      .when(cmd('ExecuteResolution', { summary: 'Refunded CNY 200', feeWaiversGranted: [] }))
      .then([
        ev('ResolutionExecuted', {
          optionId: 'option-1',
          kind: 'refund',
          amount: 200,
          currency: 'CNY',
          summary: 'Refunded CNY 200',
          executedAt: at,
        }),
      ]);
  });
  it('refuses to execute before the customer accepted', () => {
    spec()
      .given(offered)
      .when(cmd('ExecuteResolution', { summary: 'x', feeWaiversGranted: [] }))
      .thenThrows(InvalidStateError, /the customer has not accepted an option/);
  });
  it('refuses a fee waiver at execution when another case granted one since', () => {
    const waiverAccepted = [
      opened,
      acknowledged,
      judgedValid,
      proposed([waiver]),
      ev('CustomerAcceptedOption', { proposalId: 'p1', optionId: 'option-1', acceptedAt: T0 }),
    ];
    spec()
      .given(waiverAccepted)
      .when(
        cmd('ExecuteResolution', {
          summary: 'Waived',
          feeWaiversGranted: [{ caseId: 'o', reference: 'CMP-2026-000002', grantedAt: T0 }],
        }),
      )
      .then([
        ev('ResolutionOptionRefused', {
          kind: 'fee-waiver',
          reason:
            'The customer was already granted a fee waiver on 2026-03-01 (CMP-2026-000002); at most 1 per 12 months',
          refusedAt: at,
        }),
      ]);
  });
  it('returns the case to work after the accepted option was refused at execution, so another can be proposed', () => {
    const refusedAtExecution = [
      opened,
      acknowledged,
      judgedValid,
      proposed([waiver]),
      ev('CustomerAcceptedOption', { proposalId: 'p1', optionId: 'option-1', acceptedAt: T0 }),
      ev('ResolutionOptionRefused', { kind: 'fee-waiver', reason: 'one per 12 months', refusedAt: T0 }),
    ];
    spec()
      .given(refusedAtExecution)
      .when(cmd('ExecuteResolution', { summary: 'again', feeWaiversGranted: [] }))
      .thenThrows(InvalidStateError, /the case is in-progress/);
    const state = refusedAtExecution.reduce(caseDecider.evolve, caseDecider.initialState());
    expect(state.status).toBe('in-progress');
    const next = caseDecider.decide(
      cmd('ProposeResolution', { proposalId: 'p2', options: [apology], feeWaiversGranted: [], limits: TEST_LIMITS }),
      state,
      meta(),
    );
    expect(next.map((e) => e.type)).toEqual(['ResolutionProposed']);
  });
});

describe('keeping the customer informed and waiting on them', () => {
  it('records each outbound communication', () => {
    spec()
      .given([opened, acknowledged])
      .when(cmd('NotifyCustomer', { channel: 'sms', purpose: 'progress', summary: 'Investigation under way' }))
      .then([
        ev('CustomerNotified', {
          channel: 'sms',
          purpose: 'progress',
          summary: 'Investigation under way',
          notifiedAt: at,
        }),
      ]);
  });
  it('waits on the customer and resumes', () => {
    spec()
      .given([opened, acknowledged])
      .when(cmd('WaitOnCustomer', { reason: 'Needs the bank statement' }))
      .then([ev('WaitingOnCustomerStarted', { reason: 'Needs the bank statement', since: at })]);
    spec()
      .given([opened, acknowledged, ev('WaitingOnCustomerStarted', { reason: 'r', since: T0 })])
      .when(cmd('ResumeCase', {}))
      .then([ev('WaitingOnCustomerEnded', { waitedSince: T0, endedAt: at })]);
  });
  it('refuses to resume a case that is not waiting', () => {
    spec()
      .given([opened, acknowledged])
      .when(cmd('ResumeCase', {}))
      .thenThrows(InvalidStateError, /not waiting on the customer/);
  });
  it('refuses to wait twice', () => {
    spec()
      .given([opened, acknowledged, ev('WaitingOnCustomerStarted', { reason: 'r', since: T0 })])
      .when(cmd('WaitOnCustomer', { reason: 'r' }))
      .thenThrows(InvalidStateError, /waiting on the customer since/);
  });
});

describe('follow-up, satisfaction and closure', () => {
  it('records satisfaction from 1 to 5', () => {
    spec()
      .given(executed)
      .when(cmd('RecordSatisfaction', { score: 4, comment: 'Quick' }))
      .then([ev('SatisfactionRecorded', { score: 4, comment: 'Quick', recordedAt: at })]);
    spec()
      .given(executed)
      .when(cmd('RecordSatisfaction', { score: 6 }))
      .thenThrows(RuleRejectedError, /1 to 5/);
  });
  it('closes a resolved case with root cause and improvement action', () => {
    spec()
      .given(executed)
      .when(cmd('CloseCase', { rootCause: 'Batch job', improvementAction: 'Fix job' }))
      .then([ev('CaseClosed', { rootCause: 'Batch job', improvementAction: 'Fix job', closedAt: at })]);
  });
  it('refuses to close an unresolved case', () => {
    spec()
      .given(offered)
      .when(cmd('CloseCase', { rootCause: 'x', improvementAction: 'y' }))
      .thenThrows(InvalidStateError, /the case is awaiting-customer \(resolve it first\)/);
  });
  it('refuses to resolve (execute) a closed case', () => {
    spec()
      .given(closed)
      .when(cmd('ExecuteResolution', { summary: 'x', feeWaiversGranted: [] }))
      .thenThrows(InvalidStateError, /the case is closed/);
  });
});

describe('reopening', () => {
  it('reopens within the window', () => {
    spec()
      .given(closed)
      .when(cmd('ReopenCase', { reason: 'Fee charged again', followOnCaseId: 'f1' }))
      .then([ev('CaseReopened', { reason: 'Fee charged again', reopenedAt: at })]);
  });
  it('opens a new case linked to the closed one once the reopen window has passed', () => {
    const late = new Date(Date.parse('2026-03-01T09:00:00.000Z') + (REOPEN_WINDOW_DAYS + 1) * 86_400_000);
    spec(agent, late)
      .given(closed)
      .when(cmd('ReopenCase', { reason: 'Charged again', followOnCaseId: 'f1' }))
      .then([
        ev('FollowOnCaseOpened', {
          followOnCaseId: 'f1',
          reason: 'Charged again',
          reopenWindowEnded: '2026-03-31T09:00:00.000Z',
          openedAt: late.toISOString(),
        }),
      ]);
  });
  it('refuses to reopen a case that is not closed', () => {
    spec()
      .given(executed)
      .when(cmd('ReopenCase', { reason: 'x', followOnCaseId: 'f1' }))
      .thenThrows(InvalidStateError, /Cannot reopen: the case is resolved/);
  });
});

describe('the follow-up', () => {
  const followUpClock = (history: CaseEvent[]) => {
    const state = history.reduce(caseDecider.evolve, caseDecider.initialState());
    if (state.status === 'none') throw new Error('no case');
    return readClocks(PLAIN_UTC_CALENDAR, state.facts, now).find((c) => c.clock === 'follow-up')!;
  };
  it('is due when the policy’s follow-up clock is due: one due date, not a second one counted apart', () => {
    // Resolved Sunday 1 March 08:00; the default policy's follow-up clock: 7 calendar days, to the end of 8 March.
    expect(followUpClock(executed).dueAt).toBe('2026-03-08T23:59:59.999Z');
    spec()
      .given(executed)
      .when(cmd('ScheduleFollowUp', { calendar: PLAIN_UTC_CALENDAR }))
      .then([ev('FollowUpScheduled', { dueAt: '2026-03-08T23:59:59.999Z', scheduledAt: at })]);
  });
  it('takes an earlier date the customer asked for, and refuses one past the policy’s due date (422)', () => {
    spec()
      .given(executed)
      .when(cmd('ScheduleFollowUp', { dueAt: '2026-03-04T10:00:00.000Z', calendar: PLAIN_UTC_CALENDAR }))
      .then([ev('FollowUpScheduled', { dueAt: '2026-03-04T10:00:00.000Z', scheduledAt: at })]);
    spec()
      .given(executed)
      .when(cmd('ScheduleFollowUp', { dueAt: '2026-03-20T10:00:00.000Z', calendar: PLAIN_UTC_CALENDAR }))
      .thenThrows(RuleRejectedError, /The follow-up is due by 2026-03-08T23:59:59.999Z under policy default/);
  });
  it('takes a later date once the due date has passed: the call is late either way, and the breach is recorded', () => {
    specification(caseDecider, meta(agent, new Date('2026-03-10T08:00:00.000Z')))
      .given(executed)
      .when(cmd('ScheduleFollowUp', { dueAt: '2026-03-11T10:00:00.000Z', calendar: PLAIN_UTC_CALENDAR }))
      .then([ev('FollowUpScheduled', { dueAt: '2026-03-11T10:00:00.000Z', scheduledAt: '2026-03-10T08:00:00.000Z' })]);
  });
});

describe('reassignment and deadline extensions', () => {
  it('reassigns to another department and agent', () => {
    spec()
      .given([opened, acknowledged])
      .when(
        cmd('ReassignCase', {
          department: 'credit-reporting',
          agentId: 'agent-9',
          reason: 'Credit report involved',
          directory: TEST_DIRECTORY,
        }),
      )
      .then([
        ev('CaseReassigned', {
          fromDepartment: 'cards',
          department: 'credit-reporting',
          agentId: 'agent-9',
          reason: 'Credit report involved',
          reassignedAt: at,
        }),
      ]);
  });
  it('takes the category and priority a reroute out of triage names, so the case is no longer unclassified', () => {
    const triaged = ev('CaseOpened', {
      ...(opened.data as Omit<CaseEventData['CaseOpened'], 'caseId'>),
      department: 'triage',
      queue: 'triage',
      category: 'unclassified',
    });
    const reassign = cmd('ReassignCase', {
      department: 'cards',
      agentId: 'agent-7',
      category: 'card-fees',
      priority: 'high',
      reason: 'Rerouted: annual fee',
      directory: { ...TEST_DIRECTORY, departments: [...TEST_DIRECTORY.departments, { id: 'triage', agents: [] }] },
    });
    const events = caseDecider.decide(
      reassign,
      [triaged, acknowledged].reduce(caseDecider.evolve, caseDecider.initialState()),
      meta(),
    );
    expect(events).toEqual([
      ev('CaseReassigned', {
        fromDepartment: 'triage',
        department: 'cards',
        agentId: 'agent-7',
        category: 'card-fees',
        priority: 'high',
        reason: 'Rerouted: annual fee',
        reassignedAt: at,
      }),
    ]);
    const state = [triaged, acknowledged, ...events].reduce(caseDecider.evolve, caseDecider.initialState());
    expect(state.status !== 'none' && state.facts.opened).toMatchObject({ category: 'card-fees', priority: 'high' });
  });
  it('refuses a department the tenant’s directory lacks', () => {
    spec()
      .given([opened, acknowledged])
      .when(cmd('ReassignCase', { department: 'billing', reason: 'x', directory: TEST_DIRECTORY }))
      .thenThrows(RuleRejectedError, /Department billing is not in the directory of tenant bank-a/);
  });
  it('refuses an agent who is not in the department', () => {
    spec()
      .given([opened, acknowledged])
      .when(
        cmd('ReassignCase', {
          department: 'credit-reporting',
          agentId: 'agent-7',
          reason: 'x',
          directory: TEST_DIRECTORY,
        }),
      )
      .thenThrows(RuleRejectedError, /Agent agent-7 is not in department credit-reporting/);
  });
  // NFRA's regulatory clock: 15 days, 30 when the case is complex, a further 30 with approval.
  const nfra = SLA_POLICY_PRESETS.find((p) => p.regime === 'CN-NFRA')!;
  const openedUnderNfra = ev('CaseOpened', {
    ...(opened.data as Omit<CaseEventData['CaseOpened'], 'caseId'>),
    slaPolicy: nfra.id,
    sla: { policyId: nfra.id, regime: nfra.regime, calendarId: nfra.calendarId, clocks: nfra.clocks },
  });

  it('refuses to extend a clock its policy gives no longer target (422), before anyone approves', () => {
    const request = (clock: string) =>
      cmd('RequestExtension', { extensionId: 'x9', clock, reason: 'r', customerExplanation: 'e' });
    spec()
      .given([opened, acknowledged])
      .when(request('resolution'))
      .thenThrows(RuleRejectedError, /The resolution clock of policy default has no extended target/);
    spec()
      .given([openedUnderNfra, acknowledged])
      .when(request('follow-up'))
      .thenThrows(RuleRejectedError, /The follow-up clock is not running on this case/);
  });

  it('extends at once when the policy needs no approval (NFRA: 30 days for a complex case), and reports the extended target', () => {
    const request = cmd('RequestExtension', {
      extensionId: 'x1',
      clock: 'regulatory',
      reason: 'Complex case',
      customerExplanation: 'We need the card network’s records',
    });
    const history = [openedUnderNfra, acknowledged];
    const events = caseDecider.decide(request, history.reduce(caseDecider.evolve, caseDecider.initialState()), meta());
    expect(events).toEqual([
      ev('ExtensionRequested', {
        extensionId: 'x1',
        clock: 'regulatory',
        reason: 'Complex case',
        customerExplanation: 'We need the card network’s records',
        requestedAt: at,
      }),
      ev('ExtensionDecided', {
        extensionId: 'x1',
        approved: true,
        comment: `Policy ${nfra.id} extends the regulatory clock without approval`,
        decidedBy: { id: `policy:${nfra.id}`, role: 'system' },
        decidedAt: at,
      }),
    ]);
    const state = [...history, ...events].reduce(caseDecider.evolve, caseDecider.initialState());
    if (state.status === 'none') throw new Error('no case');
    const regulatory = readClocks(PLAIN_UTC_CALENDAR, state.facts, now).find((c) => c.clock === 'regulatory')!;
    expect(regulatory).toMatchObject({ extension: 'extended', target: { amount: 30, unit: 'calendar-days' } });
    expect(state.facts.pendingExtension).toBeUndefined();
  });

  it('waits for a supervisor when the policy needs approval (NFRA’s further 30 days), and reports that target once approved', () => {
    const extended = [
      openedUnderNfra,
      acknowledged,
      ev('ExtensionRequested', {
        extensionId: 'x0',
        clock: 'regulatory',
        reason: 'r',
        customerExplanation: 'e',
        requestedAt: T0,
      }),
      ev('ExtensionDecided', { extensionId: 'x0', approved: true, comment: 'c', decidedBy: teamLead, decidedAt: T0 }),
    ];
    const request = cmd('RequestExtension', {
      extensionId: 'x1',
      clock: 'regulatory',
      reason: 'Complex case',
      customerExplanation: 'We need the card network’s records',
    });
    spec()
      .given(extended)
      .when(request)
      .then([
        ev('ExtensionRequested', {
          extensionId: 'x1',
          clock: 'regulatory',
          reason: 'Complex case',
          customerExplanation: 'We need the card network’s records',
          requestedAt: at,
        }),
      ]);
    const requested = [
      ...extended,
      ev('ExtensionRequested', {
        extensionId: 'x1',
        clock: 'regulatory',
        reason: 'r',
        customerExplanation: 'e',
        requestedAt: T0,
      }),
    ];
    const approval = cmd('DecideExtension', { extensionId: 'x1', approved: true, comment: 'OK' });
    spec(teamLead)
      .given(requested)
      .when(approval)
      .then([
        ev('ExtensionDecided', {
          extensionId: 'x1',
          approved: true,
          comment: 'OK',
          decidedBy: teamLead,
          decidedAt: at,
        }),
      ]);
    const approved = caseDecider.decide(
      approval,
      requested.reduce(caseDecider.evolve, caseDecider.initialState()),
      meta(teamLead),
    );
    const state = [...requested, ...approved].reduce(caseDecider.evolve, caseDecider.initialState());
    if (state.status === 'none') throw new Error('no case');
    expect(readClocks(PLAIN_UTC_CALENDAR, state.facts, now).find((c) => c.clock === 'regulatory')).toMatchObject({
      extension: 'further',
      target: { amount: 60, unit: 'calendar-days' },
    });
    spec(agent)
      .given(requested)
      .when(cmd('DecideExtension', { extensionId: 'x1', approved: true, comment: '' }))
      .thenThrows(RuleRejectedError, /needs a supervisor/);
    spec()
      .given(requested)
      .when(request)
      .thenThrows(InvalidStateError, /still awaiting a decision/);
  });
  it('refuses to decide an extension nobody requested', () => {
    spec(teamLead)
      .given([opened, acknowledged])
      .when(cmd('DecideExtension', { extensionId: 'nope', approved: true, comment: '' }))
      .thenThrows(InvalidStateError, /no extension nope awaits a decision/);
  });
});

describe('every step refused where the case state does not allow it', () => {
  const lead = { id: 'lead-2', role: 'supervisor' };
  it.each<[string, CaseEvent[], CaseCommand, RegExp]>([
    [
      'assign accountability on a closed case',
      closed,
      cmd('AssignAccountability', { cause: 'x', responsibleDepartment: 'y' }),
      /Cannot assign accountability: the case is closed/,
    ],
    [
      'judge validity after a remedy was proposed',
      offered,
      cmd('JudgeValidity', { valid: true }),
      /Cannot judge validity: the case is awaiting-customer/,
    ],
    [
      'notify the customer on a closed case',
      closed,
      cmd('NotifyCustomer', { channel: 'sms', purpose: 'progress', summary: 'x' }),
      /Cannot notify the customer: the case is closed/,
    ],
    [
      'reassign a resolved case',
      executed,
      cmd('ReassignCase', { department: 'x', reason: 'y', directory: TEST_DIRECTORY }),
      /Cannot reassign: the case is resolved/,
    ],
    ['escalate a closed case', closed, cmd('EscalateCase', { reason: 'x' }), /Cannot escalate: the case is closed/],
    [
      'schedule the follow-up before resolution',
      offered,
      cmd('ScheduleFollowUp', { calendar: PLAIN_UTC_CALENDAR }),
      /Cannot schedule the follow-up: the case is awaiting-customer/,
    ],
    [
      'record satisfaction before resolution',
      offered,
      cmd('RecordSatisfaction', { score: 3 }),
      /Cannot record satisfaction: the case is awaiting-customer/,
    ],
    [
      'request an extension on a closed case',
      closed,
      cmd('RequestExtension', { extensionId: 'x', clock: 'resolution', reason: 'r', customerExplanation: 'e' }),
      /Cannot request a deadline extension: the case is closed/,
    ],
    [
      'reject options nobody offered',
      [opened, acknowledged],
      cmd('RejectOptions', { reason: 'x' }),
      /Cannot reject the options: the case is in-progress/,
    ],
    [
      'acknowledge an escalation that never happened',
      [opened, acknowledged],
      cmd('AcknowledgeEscalation', { level: 1 }),
      /no unacknowledged escalation at level 1/,
    ],
  ])('refuses to %s', (_what, history, command, message) => {
    spec(lead).given(history).when(command).thenThrows(InvalidStateError, message);
  });

  it('refuses an escalation acknowledgement from below the level it was escalated to', () => {
    const escalated = ev('CaseEscalated', {
      fromLevel: 1,
      level: 2,
      escalatedTo: 'department-head',
      reason: 'r',
      escalatedAt: T0,
    });
    spec(lead)
      .given([opened, acknowledged, escalated])
      .when(cmd('AcknowledgeEscalation', { level: 2 }))
      .thenThrows(RuleRejectedError, /needs a department-head or above/);
  });
});

describe('a command that needs facts its status does not hold', () => {
  // Each status holds the facts its rules need: a command is refused by the status alone, never by
  // a missing fact found (or not) while deciding.
  const lead = { id: 'lead-2', role: 'supervisor' };
  it.each<[string, CaseEvent[], CaseCommand, RegExp]>([
    [
      'approve with no proposal on the case',
      [opened, acknowledged, judgedValid],
      cmd('ApproveProposal', { proposalId: 'p1', comment: 'OK' }),
      /Cannot approve the proposal: the case is in-progress/,
    ],
    [
      'accept an option with no proposal on the case',
      [opened, acknowledged, judgedValid],
      cmd('AcceptOption', { optionId: 'option-1' }),
      /Cannot accept an option: the case is in-progress/,
    ],
    [
      'execute with no option accepted',
      [opened, acknowledged, judgedValid],
      cmd('ExecuteResolution', { summary: 'x', feeWaiversGranted: [] }),
      /Cannot execute the resolution: the case is in-progress/,
    ],
    [
      'reopen a case never closed',
      executed,
      cmd('ReopenCase', { reason: 'x', followOnCaseId: 'f1' }),
      /Cannot reopen: the case is resolved/,
    ],
  ])('refuses to %s', (_what, history, command, message) => {
    spec(lead).given(history).when(command).thenThrows(InvalidStateError, message);
  });

  it('folds an approval with no proposal on the case as nothing, so the case is not left awaiting the customer with nothing offered', () => {
    const approvedOutOfTurn = ev('ProposalApproved', {
      proposalId: 'p1',
      comment: 'OK',
      approvedBy: lead,
      approvedAt: T0,
    });
    spec()
      .given([opened, acknowledged, judgedValid, approvedOutOfTurn])
      .when(cmd('AcceptOption', { optionId: 'option-1' }))
      .thenThrows(InvalidStateError, /Cannot accept an option: the case is in-progress/);
  });
});
