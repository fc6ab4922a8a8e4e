/**
 * The case workflow's rules: which command each state allows, who may approve what, and the
 * limits policy puts on remedies. A refusal throws (nothing is appended) unless the refusal itself
 * is a fact worth keeping, like a fee waiver refused under the once-per-period rule (which refuses
 * the whole proposal it is part of).
 */
import {
  InvalidStateError,
  NotFoundError,
  RuleRejectedError,
  type CommandMetadata,
  type Decider,
} from '@complaints/decider';
import { MONETARY_KINDS, ROLES, rankOf, requiredAuthority } from './authority';
import { moneyRefusal } from './money';
import { requireDepartment } from './departments';
import {
  clockKey,
  evolveCase,
  findClock,
  initialCaseState,
  NEXT_EXTENSION,
  type CaseEvent,
  type CaseFacts,
  type ResolutionOption,
  type CaseState,
  type CaseStatus,
} from './case';
import type { CaseCommand, CommandOf } from './case.commands';
import { feeWaiverRefusal } from './policy-limits';
import { readClocks, slaEventsDue } from './case-sla';
import { DEFAULT_DIRECTORY, stepAt, whoToNotify, type DirectoryInForce } from './escalation';
import { dueAt } from '@complaints/sla';

export type { CaseCommand } from './case.commands';

/** Days after closure in which the same case may be reopened; later, a new linked case is opened. */
export const REOPEN_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;

const ACTIVE: CaseStatus[] = ['open', 'in-progress', 'awaiting-approval', 'awaiting-customer', 'accepted'];
const NOT_CLOSED: CaseStatus[] = [...ACTIVE, 'resolved'];

const VERB: Record<CaseCommand['type'], string> = {
  OpenCase: 'open the case',
  AcknowledgeCase: 'acknowledge',
  RecordInvestigation: 'record investigation findings',
  AssignAccountability: 'assign accountability',
  JudgeValidity: 'judge validity',
  ProposeResolution: 'propose a resolution',
  ApproveProposal: 'approve the proposal',
  RejectProposal: 'reject the proposal',
  AcceptOption: 'accept an option',
  RejectOptions: 'reject the options',
  EscalateCase: 'escalate',
  AcknowledgeEscalation: 'acknowledge the escalation',
  EvaluateSla: 'evaluate the SLA clocks',
  ExecuteResolution: 'execute the resolution',
  NotifyCustomer: 'notify the customer',
  WaitOnCustomer: 'wait on the customer',
  ResumeCase: 'resume',
  ScheduleFollowUp: 'schedule the follow-up',
  RecordSatisfaction: 'record satisfaction',
  CloseCase: 'close',
  ReopenCase: 'reopen',
  ReassignCase: 'reassign',
  RequestExtension: 'request a deadline extension',
  DecideExtension: 'decide the extension',
};

type Working = { status: CaseStatus; facts: CaseFacts };

function requireStatus(command: CaseCommand, state: CaseState, allowed: CaseStatus[], hint?: string): Working {
  if (state.status === 'none') throw new NotFoundError('Case', command.data.caseId);
  if (!allowed.includes(state.status)) throw new InvalidStateError(VERB[command.type], state.status, hint);
  return state;
}

function requireAuthority(meta: CommandMetadata, needed: string, what: string): void {
  if (rankOf(meta.actor.role) < rankOf(needed)) {
    throw new RuleRejectedError(`${what} needs a ${needed} or above; ${meta.actor.id} acts as ${meta.actor.role}`, {
      requiredRole: needed,
    });
  }
}

function open(command: CommandOf<'OpenCase'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  if (state.status !== 'none') return []; // a routing decision delivered twice opens one case
  const { policy, calendar, ...routed } = command.data;
  const start = new Date(routed.receivedAt ?? meta.now.toISOString());
  const due = (...kinds: string[]) => {
    const clock = kinds.map((k) => policy.clocks.find((c) => c.kind === k)).find((c) => c !== undefined);
    return clock ? dueAt(calendar, start, clock.target).toISOString() : start.toISOString();
  };
  const sla = { policyId: policy.id, regime: policy.regime, calendarId: policy.calendarId, clocks: policy.clocks };
  return [
    {
      type: 'CaseOpened',
      data: {
        ...routed,
        openedAt: meta.now.toISOString(),
        acknowledgeBy: due('acknowledgement', 'first-contact', 'resolution'),
        resolveBy: due('resolution', 'regulatory'),
        slaPolicy: policy.id,
        sla,
      },
    },
  ];
}

function propose(command: CommandOf<'ProposeResolution'>, state: Working, meta: CommandMetadata): CaseEvent[] {
  const { caseId, proposalId, options, feeWaiversGranted } = command.data;
  const at = meta.now.toISOString();
  if (!state.facts.validity) throw new InvalidStateError(VERB[command.type], state.status, 'judge its validity first');
  if (options.length < 1 || options.length > 3) throw new RuleRejectedError('Propose one to three options');
  if (!state.facts.validity.valid && options.some((o) => o.kind !== 'explanation' && o.kind !== 'apology')) {
    throw new RuleRejectedError('The complaint was judged not valid: only an explanation or an apology can be offered');
  }
  for (const option of options) refuseBadMoney(option);
  const waiverRefusal = feeWaiverRefusal(state.facts.opened.customerId, feeWaiversGranted, meta.now);
  // A refused option refuses the whole proposal (the refusal recorded, nothing proposed): the
  // officer offered the options together and must not tell the customer of one that never went out.
  if (waiverRefusal && options.some((option) => option.kind === 'fee-waiver')) {
    return [
      { type: 'ResolutionOptionRefused', data: { caseId, kind: 'fee-waiver', reason: waiverRefusal, refusedAt: at } },
    ];
  }
  const needed = requiredAuthority(options, command.data.limits);
  const approvalRequiredFrom = rankOf(meta.actor.role) >= rankOf(needed.role) ? null : needed.role;
  return [
    {
      type: 'ResolutionProposed',
      data: {
        caseId,
        proposalId,
        options,
        proposedBy: meta.actor,
        approvalRequiredFrom,
        limits: needed.limits,
        limitsPolicy: command.data.limits.source,
        ...(command.data.limits.policy ? { limitsPolicyVersion: command.data.limits.policy } : {}),
        proposedAt: at,
      },
    },
  ];
}

/** Amounts are ISO 4217 money: a known code, no more decimals than the currency has. */
function refuseBadMoney(option: ResolutionOption): void {
  if (MONETARY_KINDS.has(option.kind) && !(typeof option.amount === 'number' && option.amount > 0)) {
    throw new RuleRejectedError(`A ${option.kind} option needs a positive amount`);
  }
  if (option.amount === undefined) return;
  if (!option.currency) throw new RuleRejectedError(`Option ${option.optionId} has an amount but no currency`);
  const refusal = moneyRefusal(option.amount, option.currency);
  if (refusal) throw new RuleRejectedError(`Option ${option.optionId}: ${refusal}`, { currency: option.currency });
}

function approveOrReject(
  command: CommandOf<'ApproveProposal'> | CommandOf<'RejectProposal'>,
  state: CaseState,
  meta: CommandMetadata,
): CaseEvent[] {
  const working = requireStatus(command, state, ['awaiting-approval']);
  const proposal = working.facts.proposal;
  if (!proposal || proposal.proposalId !== command.data.proposalId) {
    throw new InvalidStateError(
      VERB[command.type],
      working.status,
      `proposal ${command.data.proposalId} is not the one awaiting approval`,
    );
  }
  requireAuthority(meta, proposal.approvalRequiredFrom ?? 'supervisor', `Deciding proposal ${proposal.proposalId}`);
  const { caseId, proposalId, comment } = command.data;
  const at = meta.now.toISOString();
  const limits = proposal.limits ? { limits: proposal.limits } : {};
  return command.type === 'ApproveProposal'
    ? [
        {
          type: 'ProposalApproved',
          data: { caseId, proposalId, comment, approvedBy: meta.actor, ...limits, approvedAt: at },
        },
      ]
    : [{ type: 'ProposalRejected', data: { caseId, proposalId, comment, rejectedBy: meta.actor, rejectedAt: at } }];
}

function escalation(
  state: Working,
  reason: string,
  at: string,
  caseId: string,
  trigger: 'customer-rejected' | 'manual',
  inForce?: DirectoryInForce,
): CaseEvent {
  const fromLevel = state.facts.escalationLevel;
  if (fromLevel >= ROLES.length - 1) {
    throw new RuleRejectedError('The case is already with the complaints officer, the top of the escalation ladder');
  }
  const escalatedTo = ROLES[fromLevel + 1]!;
  return {
    type: 'CaseEscalated',
    data: {
      caseId,
      fromLevel,
      level: fromLevel + 1,
      escalatedTo,
      reason,
      trigger,
      notified: whoToNotify(inForce?.directory ?? DEFAULT_DIRECTORY, state.facts.department, escalatedTo),
      ...(inForce ? { directoryPolicy: inForce.policy } : {}),
      escalatedAt: at,
    },
  };
}

function acknowledgeEscalation(
  command: CommandOf<'AcknowledgeEscalation'>,
  state: CaseState,
  meta: CommandMetadata,
): CaseEvent[] {
  const working = requireStatus(command, state, NOT_CLOSED);
  const { level, caseId } = command.data;
  const record = working.facts.escalations.find((e) => e.level === level && !e.acknowledgedAt);
  if (!record)
    throw new InvalidStateError(VERB[command.type], working.status, `no unacknowledged escalation at level ${level}`);
  requireAuthority(meta, stepAt(level)?.role ?? 'complaints-officer', `Acknowledging a level ${level} escalation`);
  return [
    {
      type: 'EscalationAcknowledged',
      data: { caseId, level, acknowledgedBy: meta.actor, acknowledgedAt: meta.now.toISOString() },
    },
  ];
}

function execute(command: CommandOf<'ExecuteResolution'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  const working = requireStatus(
    command,
    state,
    ['accepted'],
    state.status === 'awaiting-customer' ? 'the customer has not accepted an option' : undefined,
  );
  const { option } = working.facts.accepted!;
  const at = meta.now.toISOString();
  const { caseId } = command.data;
  if (option.kind === 'fee-waiver') {
    // Checked again at execution: another case may have granted one since the proposal.
    const refusal = feeWaiverRefusal(working.facts.opened.customerId, command.data.feeWaiversGranted, meta.now);
    if (refusal)
      return [{ type: 'ResolutionOptionRefused', data: { caseId, kind: option.kind, reason: refusal, refusedAt: at } }];
  }
  return [
    {
      type: 'ResolutionExecuted',
      data: {
        caseId,
        optionId: option.optionId,
        kind: option.kind,
        amount: option.amount,
        currency: option.currency,
        summary: command.data.summary,
        executedAt: at,
      },
    },
  ];
}

export function decideCase(command: CaseCommand, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  const at = meta.now.toISOString();
  const { caseId } = command.data;
  switch (command.type) {
    case 'OpenCase':
      return open(command, state, meta);
    case 'AcknowledgeCase':
      requireStatus(command, state, ['open']);
      return [
        {
          type: 'CaseAcknowledged',
          data: { caseId, channel: command.data.channel, summary: command.data.summary, acknowledgedAt: at },
        },
      ];
    case 'RecordInvestigation':
      requireStatus(command, state, ACTIVE);
      return [
        {
          type: 'InvestigationRecorded',
          data: { caseId, findings: command.data.findings, evidenceRefs: command.data.evidenceRefs, recordedAt: at },
        },
      ];
    case 'AssignAccountability':
      requireStatus(command, state, ACTIVE);
      return [{ type: 'AccountabilityAssigned', data: { ...command.data, assignedAt: at } }];
    case 'JudgeValidity':
      requireStatus(command, state, ['open', 'in-progress']);
      if (!command.data.valid && !command.data.reason?.trim()) {
        throw new RuleRejectedError('A complaint judged not valid needs the reason that will be told to the customer');
      }
      return [{ type: 'ValidityJudged', data: { ...command.data, judgedAt: at } }];
    case 'ProposeResolution':
      return propose(
        command,
        requireStatus(
          command,
          state,
          ['in-progress'],
          state.status === 'open' ? 'acknowledge it to the customer first' : undefined,
        ),
        meta,
      );
    case 'ApproveProposal':
    case 'RejectProposal':
      return approveOrReject(command, state, meta);
    case 'AcceptOption': {
      const working = requireStatus(command, state, ['awaiting-customer']);
      const proposal = working.facts.proposal!;
      if (!proposal.options.some((o) => o.optionId === command.data.optionId)) {
        throw new RuleRejectedError(
          `Option ${command.data.optionId} was not offered in proposal ${proposal.proposalId}`,
        );
      }
      return [
        {
          type: 'CustomerAcceptedOption',
          data: { caseId, proposalId: proposal.proposalId, optionId: command.data.optionId, acceptedAt: at },
        },
      ];
    }
    case 'RejectOptions': {
      const working = requireStatus(command, state, ['awaiting-customer']);
      const rejected: CaseEvent = {
        type: 'CustomerRejectedOptions',
        data: { caseId, proposalId: working.facts.proposal!.proposalId, reason: command.data.reason, rejectedAt: at },
      };
      return [
        rejected,
        // The customer's own words are on the rejection above (sealed, as personal data): the
        // escalation names the trigger only, so no text is built around a sealed field.
        escalation(working, 'Customer rejected every option', at, caseId, 'customer-rejected', command.data.directory),
      ];
    }
    case 'EscalateCase':
      return [
        escalation(
          requireStatus(command, state, NOT_CLOSED),
          command.data.reason,
          at,
          caseId,
          'manual',
          command.data.directory,
        ),
      ];
    case 'AcknowledgeEscalation':
      return acknowledgeEscalation(command, state, meta);
    case 'EvaluateSla':
      // The monitor may look at any case, even a closed one: a breach is recorded however late it is found.
      return state.status === 'none'
        ? []
        : slaEventsDue(command.data.calendar, state.facts, meta.now, command.data.directory);
    case 'ExecuteResolution':
      return execute(command, state, meta);
    case 'NotifyCustomer':
      requireStatus(command, state, NOT_CLOSED);
      return [{ type: 'CustomerNotified', data: { ...command.data, notifiedAt: at } }];
    case 'WaitOnCustomer': {
      const working = requireStatus(command, state, ACTIVE);
      if (working.facts.waitingSince)
        throw new InvalidStateError(VERB[command.type], `waiting on the customer since ${working.facts.waitingSince}`);
      return [{ type: 'WaitingOnCustomerStarted', data: { caseId, reason: command.data.reason, since: at } }];
    }
    case 'ResumeCase': {
      const working = requireStatus(command, state, ACTIVE);
      if (!working.facts.waitingSince)
        throw new InvalidStateError(VERB[command.type], `${working.status}, not waiting on the customer`);
      return [
        { type: 'WaitingOnCustomerEnded', data: { caseId, waitedSince: working.facts.waitingSince, endedAt: at } },
      ];
    }
    case 'ScheduleFollowUp': {
      const working = requireStatus(command, state, ['resolved']);
      const dueAt = followUpDueAt(working.facts, command.data, meta.now);
      return [{ type: 'FollowUpScheduled', data: { caseId, dueAt, scheduledAt: at } }];
    }
    case 'RecordSatisfaction':
      requireStatus(command, state, ['resolved', 'closed']);
      if (!Number.isInteger(command.data.score) || command.data.score < 1 || command.data.score > 5) {
        throw new RuleRejectedError('Satisfaction is a whole score from 1 to 5');
      }
      return [{ type: 'SatisfactionRecorded', data: { ...command.data, recordedAt: at } }];
    case 'CloseCase':
      requireStatus(
        command,
        state,
        ['resolved'],
        state.status !== 'none' && ACTIVE.includes(state.status) ? 'resolve it first' : undefined,
      );
      return [{ type: 'CaseClosed', data: { ...command.data, closedAt: at } }];
    case 'ReopenCase': {
      const working = requireStatus(command, state, ['closed']);
      const windowEnds = new Date(new Date(working.facts.closedAt!).getTime() + REOPEN_WINDOW_DAYS * DAY_MS);
      if (meta.now > windowEnds) {
        // Past the window the closed case stays closed: the matter continues in a new case linked to it.
        const { followOnCaseId, reason } = command.data;
        return [
          {
            type: 'FollowOnCaseOpened',
            data: { caseId, followOnCaseId, reason, reopenWindowEnded: windowEnds.toISOString(), openedAt: at },
          },
        ];
      }
      return [{ type: 'CaseReopened', data: { caseId, reason: command.data.reason, reopenedAt: at } }];
    }
    case 'ReassignCase': {
      const working = requireStatus(command, state, ACTIVE);
      const { directory, ...reassign } = command.data;
      requireDepartment(directory, reassign.department, reassign.agentId);
      return [
        {
          type: 'CaseReassigned',
          data: { ...reassign, fromDepartment: working.facts.department, reassignedAt: at },
        },
      ];
    }
    case 'RequestExtension': {
      const working = requireStatus(command, state, ACTIVE);
      if (working.facts.pendingExtension) {
        throw new InvalidStateError(
          VERB[command.type],
          working.status,
          `extension ${working.facts.pendingExtension.extensionId} is still awaiting a decision`,
        );
      }
      const needsApproval = refuseUnextendable(working.facts, command.data.clock);
      const requested: CaseEvent = { type: 'ExtensionRequested', data: { ...command.data, requestedAt: at } };
      if (needsApproval) return [requested];
      // The policy itself grants it (NFRA's 30 days for a complex case): decided at once, in its name.
      const { policyId } = working.facts.sla;
      return [
        requested,
        {
          type: 'ExtensionDecided',
          data: {
            caseId,
            extensionId: command.data.extensionId,
            approved: true,
            comment: `Policy ${policyId} extends the ${command.data.clock} clock without approval`,
            decidedBy: { id: `policy:${policyId}`, role: 'system' },
            decidedAt: at,
          },
        },
      ];
    }
    case 'DecideExtension': {
      const working = requireStatus(command, state, NOT_CLOSED);
      if (working.facts.pendingExtension?.extensionId !== command.data.extensionId) {
        throw new InvalidStateError(
          VERB[command.type],
          working.status,
          `no extension ${command.data.extensionId} awaits a decision`,
        );
      }
      requireAuthority(meta, 'supervisor', 'Deciding a deadline extension');
      return [{ type: 'ExtensionDecided', data: { ...command.data, decidedBy: meta.actor, decidedAt: at } }];
    }
  }
}

/**
 * The follow-up (回访) is due when the policy's follow-up clock is (its target, extensions and
 * calendar): one due date. An earlier date the customer asked for is kept; a later one is refused
 * while the due date is still ahead, since scheduling must not move the policy's deadline (an
 * extension of the clock does).
 */
function followUpDueAt(facts: CaseFacts, data: CommandOf<'ScheduleFollowUp'>['data'], now: Date): string {
  const clock = readClocks(data.calendar, facts, now).find((c) => c.clock === 'follow-up');
  if (!clock) {
    if (data.dueAt) return data.dueAt;
    throw new RuleRejectedError(`Policy ${facts.sla.policyId} runs no follow-up clock: give the follow-up's dueAt`);
  }
  // Once the due date has passed (the breach is the monitor's to record), the call can only be later.
  if (data.dueAt && new Date(data.dueAt) > new Date(clock.dueAt) && now <= new Date(clock.dueAt)) {
    throw new RuleRejectedError(
      `The follow-up is due by ${clock.dueAt} under policy ${facts.sla.policyId}; ${data.dueAt} is later`,
      { dueBy: clock.dueAt, policy: facts.sla.policyId },
    );
  }
  return data.dueAt ?? clock.dueAt;
}

/**
 * A clock is extended only to a target its policy names (NFRA's further 30 days, PSD2's 35 business
 * days). Returns whether the policy wants that extension approved.
 */
function refuseUnextendable(facts: CaseFacts, clock: string): boolean {
  const definition = findClock(facts.sla, clock);
  const run = definition ? facts.clocks[clockKey(definition)] : undefined;
  if (!definition || !run?.startedAt || run.stoppedAt) {
    throw new RuleRejectedError(`The ${clock} clock is not running on this case`, { clock });
  }
  const next = NEXT_EXTENSION[run.extension];
  const target = next === 'extended' ? definition.extendedTarget : definition.furtherExtension?.target;
  if (!target || run.extension === 'further') {
    throw new RuleRejectedError(
      `The ${clock} clock of policy ${facts.sla.policyId} has no ${next === 'extended' ? 'extended' : 'further'} target to extend to`,
      { clock, policy: facts.sla.policyId, extension: run.extension },
    );
  }
  return next === 'extended' ? definition.extensionRequiresApproval : definition.furtherExtension!.requiresApproval;
}

export const caseDecider: Decider<CaseCommand, CaseState, CaseEvent> = {
  initialState: initialCaseState,
  decide: decideCase,
  evolve: evolveCase,
};

export const caseStream = (caseId: string) => `case-${caseId}`;
