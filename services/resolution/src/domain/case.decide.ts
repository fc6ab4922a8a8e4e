/**
 * The case workflow's rules: which command each state allows, who may approve what, and the
 * limits policy puts on remedies. A refusal throws (nothing is appended) unless the refusal itself
 * is a fact worth keeping, like a fee waiver refused under the once-per-period rule (which refuses
 * the whole proposal it is part of).
 *
 * One function per command; each narrows the case to the statuses the command is allowed in, typed
 * with the facts those statuses hold (case.ts), and decideCase only dispatches.
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
  type CaseIn,
  type CaseState,
  type CaseStatus,
  type OpenedCase,
  type Proposal,
  type ResolutionOption,
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

const ACTIVE = ['open', 'in-progress', 'awaiting-approval', 'awaiting-customer', 'accepted'] as const;
const NOT_CLOSED = [...ACTIVE, 'resolved'] as const;

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

function inStatus<S extends CaseStatus>(state: CaseState, statuses: readonly S[]): state is CaseIn<S> {
  const allowed: readonly string[] = statuses;
  return allowed.includes(state.status);
}

/** The case in one of the statuses a command is allowed in, typed with the facts those statuses hold. */
function requireStatus<S extends CaseStatus>(
  command: CaseCommand,
  state: CaseState,
  allowed: readonly S[],
  hint?: string,
): CaseIn<S> {
  if (state.status === 'none') throw new NotFoundError('Case', command.data.caseId);
  if (!inStatus(state, allowed)) throw new InvalidStateError(VERB[command.type], state.status, hint);
  return state;
}

function requireAuthority(meta: CommandMetadata, needed: string, what: string): void {
  if (rankOf(meta.actor.role) < rankOf(needed)) {
    throw new RuleRejectedError(`${what} needs a ${needed} or above; ${meta.actor.id} acts as ${meta.actor.role}`, {
      requiredRole: needed,
    });
  }
}

function decideOpen(command: CommandOf<'OpenCase'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
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

function decideAcknowledge(
  command: CommandOf<'AcknowledgeCase'>,
  state: CaseState,
  meta: CommandMetadata,
): CaseEvent[] {
  requireStatus(command, state, ['open']);
  const { caseId, channel, summary } = command.data;
  return [{ type: 'CaseAcknowledged', data: { caseId, channel, summary, acknowledgedAt: meta.now.toISOString() } }];
}

function decideRecordInvestigation(
  command: CommandOf<'RecordInvestigation'>,
  state: CaseState,
  meta: CommandMetadata,
): CaseEvent[] {
  requireStatus(command, state, ACTIVE);
  const { caseId, findings, evidenceRefs } = command.data;
  return [
    { type: 'InvestigationRecorded', data: { caseId, findings, evidenceRefs, recordedAt: meta.now.toISOString() } },
  ];
}

function decideAssignAccountability(
  command: CommandOf<'AssignAccountability'>,
  state: CaseState,
  meta: CommandMetadata,
): CaseEvent[] {
  requireStatus(command, state, ACTIVE);
  return [{ type: 'AccountabilityAssigned', data: { ...command.data, assignedAt: meta.now.toISOString() } }];
}

function decideJudgeValidity(
  command: CommandOf<'JudgeValidity'>,
  state: CaseState,
  meta: CommandMetadata,
): CaseEvent[] {
  requireStatus(command, state, ['open', 'in-progress']);
  if (!command.data.valid && !command.data.reason?.trim()) {
    throw new RuleRejectedError('A complaint judged not valid needs the reason that will be told to the customer');
  }
  return [{ type: 'ValidityJudged', data: { ...command.data, judgedAt: meta.now.toISOString() } }];
}

function decidePropose(command: CommandOf<'ProposeResolution'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  const hint = state.status === 'open' ? 'acknowledge it to the customer first' : undefined;
  const working = requireStatus(command, state, ['in-progress'], hint);
  const { caseId, proposalId, options, feeWaiversGranted } = command.data;
  const at = meta.now.toISOString();
  const { validity } = working.facts;
  if (!validity) throw new InvalidStateError(VERB[command.type], working.status, 'judge its validity first');
  if (options.length < 1 || options.length > 3) throw new RuleRejectedError('Propose one to three options');
  if (!validity.valid && options.some((o) => o.kind !== 'explanation' && o.kind !== 'apology')) {
    throw new RuleRejectedError('The complaint was judged not valid: only an explanation or an apology can be offered');
  }
  for (const option of options) refuseBadMoney(option);
  const waiverRefusal = feeWaiverRefusal(working.facts.opened.customerId, feeWaiversGranted, meta.now);
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

/** The proposal awaiting approval that the command names, decided by someone of the role it waits for. */
function proposalToDecide(
  command: CommandOf<'ApproveProposal'> | CommandOf<'RejectProposal'>,
  state: CaseState,
  meta: CommandMetadata,
): Proposal {
  const { status, facts } = requireStatus(command, state, ['awaiting-approval']);
  const { proposal } = facts;
  if (proposal.proposalId !== command.data.proposalId) {
    throw new InvalidStateError(
      VERB[command.type],
      status,
      `proposal ${command.data.proposalId} is not the one awaiting approval`,
    );
  }
  requireAuthority(meta, proposal.approvalRequiredFrom, `Deciding proposal ${proposal.proposalId}`);
  return proposal;
}

function decideApprove(command: CommandOf<'ApproveProposal'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  const proposal = proposalToDecide(command, state, meta);
  const { caseId, proposalId, comment } = command.data;
  const limits = proposal.limits ? { limits: proposal.limits } : {};
  const approvedAt = meta.now.toISOString();
  return [
    { type: 'ProposalApproved', data: { caseId, proposalId, comment, approvedBy: meta.actor, ...limits, approvedAt } },
  ];
}

function decideRejectProposal(
  command: CommandOf<'RejectProposal'>,
  state: CaseState,
  meta: CommandMetadata,
): CaseEvent[] {
  proposalToDecide(command, state, meta);
  const { caseId, proposalId, comment } = command.data;
  const rejectedAt = meta.now.toISOString();
  return [{ type: 'ProposalRejected', data: { caseId, proposalId, comment, rejectedBy: meta.actor, rejectedAt } }];
}

function decideAcceptOption(command: CommandOf<'AcceptOption'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  const { proposal } = requireStatus(command, state, ['awaiting-customer']).facts;
  const { caseId, optionId } = command.data;
  if (!proposal.options.some((o) => o.optionId === optionId)) {
    throw new RuleRejectedError(`Option ${optionId} was not offered in proposal ${proposal.proposalId}`);
  }
  const acceptedAt = meta.now.toISOString();
  return [{ type: 'CustomerAcceptedOption', data: { caseId, proposalId: proposal.proposalId, optionId, acceptedAt } }];
}

function decideRejectOptions(
  command: CommandOf<'RejectOptions'>,
  state: CaseState,
  meta: CommandMetadata,
): CaseEvent[] {
  const working = requireStatus(command, state, ['awaiting-customer']);
  const { caseId, reason, directory } = command.data;
  const at = meta.now.toISOString();
  const { proposalId } = working.facts.proposal;
  return [
    { type: 'CustomerRejectedOptions', data: { caseId, proposalId, reason, rejectedAt: at } },
    // The customer's own words are on the rejection above (sealed, as personal data): the
    // escalation names the trigger only, so no text is built around a sealed field.
    escalation(working, 'Customer rejected every option', at, caseId, 'customer-rejected', directory),
  ];
}

function escalation(
  state: OpenedCase,
  reason: string,
  at: string,
  caseId: string,
  trigger: 'customer-rejected' | 'manual',
  inForce?: DirectoryInForce,
): CaseEvent {
  const fromLevel = state.facts.escalationLevel;
  const escalatedTo = ROLES[fromLevel + 1];
  if (escalatedTo === undefined) {
    throw new RuleRejectedError('The case is already with the complaints officer, the top of the escalation ladder');
  }
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

function decideEscalate(command: CommandOf<'EscalateCase'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  const working = requireStatus(command, state, NOT_CLOSED);
  const { caseId, reason, directory } = command.data;
  return [escalation(working, reason, meta.now.toISOString(), caseId, 'manual', directory)];
}

function decideAcknowledgeEscalation(
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

/** The monitor may look at any case, even a closed one: a breach is recorded however late it is found. */
function decideEvaluateSla(command: CommandOf<'EvaluateSla'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  if (state.status === 'none') return [];
  return slaEventsDue(command.data.calendar, state.facts, meta.now, command.data.directory);
}

function decideExecute(command: CommandOf<'ExecuteResolution'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  const hint = state.status === 'awaiting-customer' ? 'the customer has not accepted an option' : undefined;
  const { facts } = requireStatus(command, state, ['accepted'], hint);
  const { option } = facts.accepted;
  const at = meta.now.toISOString();
  const { caseId, summary, feeWaiversGranted } = command.data;
  if (option.kind === 'fee-waiver') {
    // Checked again at execution: another case may have granted one since the proposal.
    const refusal = feeWaiverRefusal(facts.opened.customerId, feeWaiversGranted, meta.now);
    if (refusal)
      return [{ type: 'ResolutionOptionRefused', data: { caseId, kind: option.kind, reason: refusal, refusedAt: at } }];
  }
  const { optionId, kind, amount, currency } = option;
  return [{ type: 'ResolutionExecuted', data: { caseId, optionId, kind, amount, currency, summary, executedAt: at } }];
}

function decideNotify(command: CommandOf<'NotifyCustomer'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  requireStatus(command, state, NOT_CLOSED);
  return [{ type: 'CustomerNotified', data: { ...command.data, notifiedAt: meta.now.toISOString() } }];
}

function decideWaitOnCustomer(
  command: CommandOf<'WaitOnCustomer'>,
  state: CaseState,
  meta: CommandMetadata,
): CaseEvent[] {
  const { waitingSince } = requireStatus(command, state, ACTIVE).facts;
  if (waitingSince) throw new InvalidStateError(VERB[command.type], `waiting on the customer since ${waitingSince}`);
  const { caseId, reason } = command.data;
  return [{ type: 'WaitingOnCustomerStarted', data: { caseId, reason, since: meta.now.toISOString() } }];
}

function decideResume(command: CommandOf<'ResumeCase'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  const { status, facts } = requireStatus(command, state, ACTIVE);
  if (!facts.waitingSince) throw new InvalidStateError(VERB[command.type], `${status}, not waiting on the customer`);
  const { caseId } = command.data;
  return [
    {
      type: 'WaitingOnCustomerEnded',
      data: { caseId, waitedSince: facts.waitingSince, endedAt: meta.now.toISOString() },
    },
  ];
}

function decideScheduleFollowUp(
  command: CommandOf<'ScheduleFollowUp'>,
  state: CaseState,
  meta: CommandMetadata,
): CaseEvent[] {
  const { facts } = requireStatus(command, state, ['resolved']);
  const dueAt = followUpDueAt(facts, command.data, meta.now);
  return [
    { type: 'FollowUpScheduled', data: { caseId: command.data.caseId, dueAt, scheduledAt: meta.now.toISOString() } },
  ];
}

function decideRecordSatisfaction(
  command: CommandOf<'RecordSatisfaction'>,
  state: CaseState,
  meta: CommandMetadata,
): CaseEvent[] {
  requireStatus(command, state, ['resolved', 'closed']);
  if (!Number.isInteger(command.data.score) || command.data.score < 1 || command.data.score > 5) {
    throw new RuleRejectedError('Satisfaction is a whole score from 1 to 5');
  }
  return [{ type: 'SatisfactionRecorded', data: { ...command.data, recordedAt: meta.now.toISOString() } }];
}

function decideClose(command: CommandOf<'CloseCase'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  requireStatus(command, state, ['resolved'], inStatus(state, ACTIVE) ? 'resolve it first' : undefined);
  return [{ type: 'CaseClosed', data: { ...command.data, closedAt: meta.now.toISOString() } }];
}

function decideReopen(command: CommandOf<'ReopenCase'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  const { closedAt } = requireStatus(command, state, ['closed']).facts;
  const { caseId, reason, followOnCaseId } = command.data;
  const at = meta.now.toISOString();
  const windowEnds = new Date(new Date(closedAt).getTime() + REOPEN_WINDOW_DAYS * DAY_MS);
  if (meta.now > windowEnds) {
    // Past the window the closed case stays closed: the matter continues in a new case linked to it.
    const reopenWindowEnded = windowEnds.toISOString();
    return [{ type: 'FollowOnCaseOpened', data: { caseId, followOnCaseId, reason, reopenWindowEnded, openedAt: at } }];
  }
  return [{ type: 'CaseReopened', data: { caseId, reason, reopenedAt: at } }];
}

function decideReassign(command: CommandOf<'ReassignCase'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  const { department: fromDepartment } = requireStatus(command, state, ACTIVE).facts;
  const { directory, ...reassign } = command.data;
  requireDepartment(directory, reassign.department, reassign.agentId);
  return [{ type: 'CaseReassigned', data: { ...reassign, fromDepartment, reassignedAt: meta.now.toISOString() } }];
}

function decideRequestExtension(
  command: CommandOf<'RequestExtension'>,
  state: CaseState,
  meta: CommandMetadata,
): CaseEvent[] {
  const { status, facts } = requireStatus(command, state, ACTIVE);
  if (facts.pendingExtension) {
    throw new InvalidStateError(
      VERB[command.type],
      status,
      `extension ${facts.pendingExtension.extensionId} is still awaiting a decision`,
    );
  }
  const at = meta.now.toISOString();
  const { caseId, extensionId, clock } = command.data;
  const requested: CaseEvent = { type: 'ExtensionRequested', data: { ...command.data, requestedAt: at } };
  const needsApproval = refuseUnextendable(facts, clock);
  if (needsApproval) return [requested];
  // The policy itself grants it (NFRA's 30 days for a complex case): decided at once, in its name.
  const { policyId } = facts.sla;
  return [
    requested,
    {
      type: 'ExtensionDecided',
      data: {
        caseId,
        extensionId,
        approved: true,
        comment: `Policy ${policyId} extends the ${clock} clock without approval`,
        decidedBy: { id: `policy:${policyId}`, role: 'system' },
        decidedAt: at,
      },
    },
  ];
}

function decideExtension(command: CommandOf<'DecideExtension'>, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  const { status, facts } = requireStatus(command, state, NOT_CLOSED);
  if (facts.pendingExtension?.extensionId !== command.data.extensionId) {
    throw new InvalidStateError(
      VERB[command.type],
      status,
      `no extension ${command.data.extensionId} awaits a decision`,
    );
  }
  requireAuthority(meta, 'supervisor', 'Deciding a deadline extension');
  return [
    { type: 'ExtensionDecided', data: { ...command.data, decidedBy: meta.actor, decidedAt: meta.now.toISOString() } },
  ];
}

/** Dispatches each command to its own decision; the switch is exhaustive, so a new command needs one. */
export function decideCase(command: CaseCommand, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  switch (command.type) {
    case 'OpenCase':
      return decideOpen(command, state, meta);
    case 'AcknowledgeCase':
      return decideAcknowledge(command, state, meta);
    case 'RecordInvestigation':
      return decideRecordInvestigation(command, state, meta);
    case 'AssignAccountability':
      return decideAssignAccountability(command, state, meta);
    case 'JudgeValidity':
      return decideJudgeValidity(command, state, meta);
    case 'ProposeResolution':
      return decidePropose(command, state, meta);
    case 'ApproveProposal':
      return decideApprove(command, state, meta);
    case 'RejectProposal':
      return decideRejectProposal(command, state, meta);
    case 'AcceptOption':
      return decideAcceptOption(command, state, meta);
    case 'RejectOptions':
      return decideRejectOptions(command, state, meta);
    case 'EscalateCase':
      return decideEscalate(command, state, meta);
    case 'AcknowledgeEscalation':
      return decideAcknowledgeEscalation(command, state, meta);
    case 'EvaluateSla':
      return decideEvaluateSla(command, state, meta);
    case 'ExecuteResolution':
      return decideExecute(command, state, meta);
    case 'NotifyCustomer':
      return decideNotify(command, state, meta);
    case 'WaitOnCustomer':
      return decideWaitOnCustomer(command, state, meta);
    case 'ResumeCase':
      return decideResume(command, state, meta);
    case 'ScheduleFollowUp':
      return decideScheduleFollowUp(command, state, meta);
    case 'RecordSatisfaction':
      return decideRecordSatisfaction(command, state, meta);
    case 'CloseCase':
      return decideClose(command, state, meta);
    case 'ReopenCase':
      return decideReopen(command, state, meta);
    case 'ReassignCase':
      return decideReassign(command, state, meta);
    case 'RequestExtension':
      return decideRequestExtension(command, state, meta);
    case 'DecideExtension':
      return decideExtension(command, state, meta);
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
  const extension =
    next === 'extended'
      ? { target: definition.extendedTarget, requiresApproval: definition.extensionRequiresApproval }
      : definition.furtherExtension;
  if (!extension?.target || run.extension === 'further') {
    throw new RuleRejectedError(
      `The ${clock} clock of policy ${facts.sla.policyId} has no ${next === 'extended' ? 'extended' : 'further'} target to extend to`,
      { clock, policy: facts.sla.policyId, extension: run.extension },
    );
  }
  return extension.requiresApproval;
}

export const caseDecider: Decider<CaseCommand, CaseState, CaseEvent> = {
  initialState: initialCaseState,
  decide: decideCase,
  evolve: evolveCase,
};

export const caseStream = (caseId: string) => `case-${caseId}`;
