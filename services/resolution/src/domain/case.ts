/**
 * A complaint case as the resolution desk works it, from the routing decision to closure and
 * possible reopening. Pure: state is folded from events only; nothing reads a clock here.
 */
import type { ContactChannel } from '@complaints/contracts';
import type { Actor, DomainEvent } from '@complaints/decider';
import type { PolicyRef } from '@complaints/policy';
import type { AppliedLimit, ResolutionKind, Role } from './authority';
import {
  type ClockDefinition,
  type ClockKind,
  type ExtensionLevel,
  type Regime,
  type SelectedClock,
} from '@complaints/sla';

/** A clock the case runs; cases opened before selection rules carry no id and are keyed by kind. */
export type CaseClock = ClockDefinition & Partial<Pick<SelectedClock, 'id' | 'regime' | 'decidedBy'>>;

/** The clock's key on the case: `<regime>/<kind>` (e.g. `CN-NFRA/regulatory`), or its kind on older cases. */
export const clockKey = (clock: CaseClock): string => clock.id ?? clock.kind;

/** The case's clock a name refers to: its key, or (as before several regimes) its kind, the first of that kind. */
export function findClock(sla: CaseSla, name: string): CaseClock | undefined {
  return sla.clocks.find((c) => clockKey(c) === name) ?? sla.clocks.find((c) => c.kind === name);
}

/** The SLA policy as it stood when the case opened: replay never depends on today's policy data. */
export interface CaseSla {
  policyId: string;
  regime: Regime;
  calendarId: string;
  clocks: CaseClock[];
}

export type Priority = 'urgent' | 'high' | 'normal' | 'low';

export interface CaseOpened {
  caseId: string;
  complaintId: string;
  reference: string;
  customerId?: string;
  /**
   * The complainant's data subject id: the case's free text is sealed with its key (at the edge,
   * before deciding), so here it is opaque text. Absent on cases opened before it was carried.
   */
  subjectId?: string;
  department: string;
  queue: string;
  category: string;
  priority: Priority;
  openedAt: string;
  acknowledgeBy: string;
  resolveBy: string;
  slaPolicy: string;
  /** When intake received the complaint: regulatory clocks count from here. */
  receivedAt?: string;
  /** The closed case this one continues (opened after that case's reopen window). */
  linkedCaseId?: string;
  /** Cases opened before SLA policies are upcast to the default policy (infrastructure/upcasters.ts). */
  sla: CaseSla;
}

export interface ResolutionOption {
  optionId: string;
  kind: ResolutionKind;
  description: string;
  amount?: number;
  currency?: string;
}

type At<K extends string> = { caseId: string } & Record<K, string>;

export interface CaseEventData {
  CaseOpened: CaseOpened;
  CaseAcknowledged: At<'acknowledgedAt'> & { channel: ContactChannel; summary: string };
  InvestigationRecorded: At<'recordedAt'> & { findings: string; evidenceRefs: string[] };
  AccountabilityAssigned: At<'assignedAt'> & {
    cause: string;
    responsibleDepartment: string;
    responsibleStaff?: string;
  };
  ValidityJudged: At<'judgedAt'> & { valid: boolean; reason?: string };
  ResolutionProposed: At<'proposedAt'> & {
    proposalId: string;
    options: ResolutionOption[];
    proposedBy: Actor;
    approvalRequiredFrom: Role | null;
    /** The limit each amount was weighed against (absent on proposals made before limits per currency). */
    limits?: AppliedLimit[];
    /** The limits file they come from. */
    limitsPolicy?: string;
    /** The approval-limits version they come from (absent before policy versions). */
    limitsPolicyVersion?: PolicyRef;
  };
  ResolutionOptionRefused: At<'refusedAt'> & { kind: ResolutionKind; reason: string };
  ProposalApproved: At<'approvedAt'> & {
    proposalId: string;
    comment: string;
    approvedBy: Actor;
    /** The limits that needed this approval, as the proposal named them. */
    limits?: AppliedLimit[];
  };
  ProposalRejected: At<'rejectedAt'> & { proposalId: string; comment: string; rejectedBy: Actor };
  CustomerAcceptedOption: At<'acceptedAt'> & { proposalId: string; optionId: string };
  CustomerRejectedOptions: At<'rejectedAt'> & { proposalId: string; reason: string };
  CaseEscalated: At<'escalatedAt'> & {
    fromLevel: number;
    level: number;
    escalatedTo: Role;
    reason: string;
    trigger?: 'customer-rejected' | 'sla-breach' | 'unacknowledged-escalation' | 'manual';
    clock?: ClockKind;
    clockId?: string;
    /** Who was told: ids from the escalation directory. */
    notified?: string[];
    /** The escalation-directory version they come from (absent before policy versions). */
    directoryPolicy?: PolicyRef;
  };
  EscalationAcknowledged: At<'acknowledgedAt'> & { level: number; acknowledgedBy: Actor };
  SlaWarningIssued: At<'issuedAt'> & { clock: ClockKind; clockId?: string; threshold: number; dueAt: string };
  SlaBreached: At<'breachedAt'> & { clock: ClockKind; clockId?: string; dueAt: string; detectedAt: string };
  ResolutionExecuted: At<'executedAt'> & {
    optionId: string;
    kind: ResolutionKind;
    amount?: number;
    currency?: string;
    summary: string;
  };
  CustomerNotified: At<'notifiedAt'> & {
    channel: ContactChannel;
    purpose: 'progress' | 'result' | 'explanation' | 'other';
    summary: string;
  };
  WaitingOnCustomerStarted: At<'since'> & { reason: string };
  WaitingOnCustomerEnded: At<'endedAt'> & { waitedSince: string };
  FollowUpScheduled: At<'scheduledAt'> & { dueAt: string };
  SatisfactionRecorded: At<'recordedAt'> & { score: number; comment?: string };
  CaseClosed: At<'closedAt'> & { rootCause: string; improvementAction: string };
  CaseReopened: At<'reopenedAt'> & { reason: string };
  FollowOnCaseOpened: At<'openedAt'> & { followOnCaseId: string; reason: string; reopenWindowEnded: string };
  CaseReassigned: At<'reassignedAt'> & {
    fromDepartment: string;
    department: string;
    agentId?: string;
    /** Set when a reroute changed what the case is about (out of triage, always). */
    category?: string;
    priority?: Priority;
    reason: string;
  };
  ExtensionRequested: At<'requestedAt'> & {
    extensionId: string;
    clock: string;
    reason: string;
    customerExplanation: string;
  };
  ExtensionDecided: At<'decidedAt'> & { extensionId: string; approved: boolean; comment: string; decidedBy: Actor };
}

export type CaseEventType = keyof CaseEventData;
export type CaseEvent = { [T in CaseEventType]: DomainEvent<T, CaseEventData[T]> }[CaseEventType];

export interface Proposal {
  proposalId: string;
  options: ResolutionOption[];
  approvalRequiredFrom: Role | null;
  limits?: AppliedLimit[];
}

/** One run of an SLA clock on this case. */
export interface ClockRun {
  startedAt?: string;
  stoppedAt?: string;
  extension: ExtensionLevel;
  warned: number[];
  breachedAt?: string;
}

export interface EscalationRecord {
  level: number;
  escalatedAt: string;
  acknowledgedAt?: string;
}

/** The option the customer took, from the proposal that offered it. */
export interface AcceptedOption {
  proposalId: string;
  option: ResolutionOption;
}

/** What every opened case holds, whatever its status. */
export interface CaseFacts {
  opened: CaseOpened;
  sla: CaseSla;
  /** By clock key (clockKey): several regimes may run clocks of one kind. */
  clocks: Record<string, ClockRun>;
  /** Waiting-on-customer periods; `to` absent while still waiting. */
  pauses: { from: string; to?: string }[];
  escalations: EscalationRecord[];
  department: string;
  agentId?: string;
  acknowledgedAt?: string;
  validity?: { valid: boolean; reason?: string };
  findings: string[];
  accountability?: CaseEventData['AccountabilityAssigned'];
  escalationLevel: number;
  waitingSince?: string;
  pendingExtension?: CaseEventData['ExtensionRequested'];
  grantedExtensions: string[];
  followUpDueAt?: string;
  satisfaction?: { score: number; comment?: string };
  communications: number;
  followOnCaseIds?: string[];
}

/** A proposal out with the customer (or accepted): its options are what the customer chooses from. */
export interface ProposedFacts extends CaseFacts {
  proposal: Proposal;
}

/** A proposal beyond its proposer's authority, waiting for an approver of the role it names. */
export interface AwaitingApprovalFacts extends CaseFacts {
  proposal: Proposal & { approvalRequiredFrom: Role };
}

export interface AcceptedFacts extends ProposedFacts {
  accepted: AcceptedOption;
}

/**
 * What was executed, and when. The proposal and the option accepted stay on the record where the
 * history has them (it does wherever the desk executed an accepted option); no rule needs them here.
 */
export interface ResolvedFacts extends CaseFacts {
  executed: CaseEventData['ResolutionExecuted'];
  resolvedAt: string;
  proposal?: Proposal;
  accepted?: AcceptedOption;
}

/**
 * When the case closed. What it was resolved with stays on the record where the history has it
 * (the desk closes resolved cases only); no rule needs it, and a history closed out of turn still folds.
 */
export interface ClosedFacts
  extends CaseFacts, Partial<Pick<ResolvedFacts, 'executed' | 'resolvedAt' | 'proposal' | 'accepted'>> {
  closedAt: string;
}

/** A case once opened: each status holds the facts its rules need, for certain. */
export type OpenedCase =
  | { status: 'open'; facts: CaseFacts }
  | { status: 'in-progress'; facts: CaseFacts }
  | { status: 'awaiting-approval'; facts: AwaitingApprovalFacts }
  | { status: 'awaiting-customer'; facts: ProposedFacts }
  | { status: 'accepted'; facts: AcceptedFacts }
  | { status: 'resolved'; facts: ResolvedFacts }
  | { status: 'closed'; facts: ClosedFacts };

export type CaseStatus = OpenedCase['status'];
/** The case in one of the statuses `S`, with the facts they hold. */
export type CaseIn<S extends CaseStatus> = Extract<OpenedCase, { status: S }>;

export type CaseState = { status: 'none' } | OpenedCase;

export const initialCaseState = (): CaseState => ({ status: 'none' });

/** The facts any status may hold beyond the shared ones, as evolve reads them from whatever status the case is in. */
type AnyFacts = CaseFacts & Partial<Omit<AcceptedFacts & ResolvedFacts & ClosedFacts, keyof CaseFacts>>;

/** The shared facts alone: what a case keeps when it moves to a status that holds nothing more. */
function sharedFacts(facts: AnyFacts): CaseFacts {
  const { proposal: _proposal, accepted: _accepted, executed: _executed, ...rest } = facts;
  const { resolvedAt: _resolvedAt, closedAt: _closedAt, ...shared } = rest;
  return shared;
}

/** The same status, with a change to the shared facts only. */
function update<S extends OpenedCase>(state: S, change: Partial<CaseFacts>): S {
  return { ...state, facts: { ...state.facts, ...change } };
}

const NEW_RUN: ClockRun = { extension: 'none', warned: [] };

function startClocks(facts: CaseFacts, when: 'complaint-received' | 'case-resolved', at: string): CaseFacts['clocks'] {
  const clocks = { ...facts.clocks };
  for (const definition of facts.sla.clocks.filter((c) => c.startsWhen === when)) {
    clocks[clockKey(definition)] = { ...NEW_RUN, startedAt: at };
  }
  return clocks;
}

function stopClocks(facts: CaseFacts, kinds: ClockKind[] | 'all', at: string): CaseFacts['clocks'] {
  const clocks = { ...facts.clocks };
  for (const [key, run] of Object.entries(clocks)) {
    const kind = findClock(facts.sla, key)?.kind;
    if ((kinds === 'all' || (kind && kinds.includes(kind))) && run.startedAt && !run.stoppedAt)
      clocks[key] = { ...run, stoppedAt: at };
  }
  return clocks;
}

function updateClock(facts: CaseFacts, name: string, change: (run: ClockRun) => ClockRun): CaseFacts['clocks'] {
  const clock = findClock(facts.sla, name);
  const key = clock ? clockKey(clock) : name;
  const run = facts.clocks[key];
  return run ? { ...facts.clocks, [key]: change(run) } : facts.clocks;
}

export const NEXT_EXTENSION: Record<ExtensionLevel, ExtensionLevel> = {
  none: 'extended',
  extended: 'further',
  further: 'further',
};

function opened(data: CaseOpened): OpenedCase {
  const facts: CaseFacts = {
    opened: data,
    sla: data.sla,
    clocks: {},
    pauses: [],
    escalations: [],
    department: data.department,
    findings: [],
    escalationLevel: 0,
    grantedExtensions: [],
    communications: 0,
  };
  return {
    status: 'open',
    facts: { ...facts, clocks: startClocks(facts, 'complaint-received', data.receivedAt ?? data.openedAt) },
  };
}

type EventOf<T extends CaseEventType> = Extract<CaseEvent, { type: T }>;

/** A proposal goes to the approver its limits name, or straight to the customer. */
function proposed(facts: AnyFacts, { data }: EventOf<'ResolutionProposed'>): OpenedCase {
  const { proposalId, options, approvalRequiredFrom, limits } = data;
  const shared = sharedFacts(facts);
  const applied = limits ? { limits } : {};
  return approvalRequiredFrom
    ? {
        status: 'awaiting-approval',
        facts: { ...shared, proposal: { proposalId, options, approvalRequiredFrom, ...applied } },
      }
    : {
        status: 'awaiting-customer',
        facts: { ...shared, proposal: { proposalId, options, approvalRequiredFrom, ...applied } },
      };
}

/** The customer's choice, when it is an option of the proposal on the case (else nothing changes). */
function acceptedOption(state: OpenedCase, { data }: EventOf<'CustomerAcceptedOption'>): OpenedCase {
  const facts: AnyFacts = state.facts;
  const option = facts.proposal?.options.find((o) => o.optionId === data.optionId);
  if (!facts.proposal || !option) return state;
  const accepted = { proposalId: data.proposalId, option };
  return { status: 'accepted', facts: { ...sharedFacts(facts), proposal: facts.proposal, accepted } };
}

function executed(facts: AnyFacts, { data }: EventOf<'ResolutionExecuted'>): OpenedCase {
  const { closedAt: _closedAt, ...record } = facts;
  const stopped = { ...record, clocks: stopClocks(facts, ['resolution', 'regulatory'], data.executedAt) };
  return {
    status: 'resolved',
    facts: {
      ...stopped,
      executed: data,
      resolvedAt: data.executedAt,
      clocks: startClocks(stopped, 'case-resolved', data.executedAt),
    },
  };
}

function extensionDecided(facts: CaseFacts, { data }: EventOf<'ExtensionDecided'>): Partial<CaseFacts> {
  const granted = data.approved ? facts.pendingExtension : undefined;
  return {
    pendingExtension: undefined,
    grantedExtensions: granted ? [...facts.grantedExtensions, granted.clock] : facts.grantedExtensions,
    clocks: granted
      ? updateClock(facts, granted.clock, (run) => ({ ...run, extension: NEXT_EXTENSION[run.extension] }))
      : facts.clocks,
  };
}

/**
 * Most events change only the facts every status shares; the others move the case to another
 * status, carrying the facts that status holds. The desk decides each of those only in the status
 * it belongs to; a history with one out of turn still folds as it always did, except where the
 * status it would lead to lacks its facts (an approval with no proposal on the case): there the
 * event changes nothing.
 */
function evolveOpened(state: OpenedCase, event: CaseEvent): OpenedCase {
  const facts: AnyFacts = state.facts;
  switch (event.type) {
    case 'CaseOpened':
      return opened(event.data);
    case 'CaseAcknowledged': {
      const { acknowledgedAt } = event.data;
      const clocks = stopClocks(facts, ['acknowledgement', 'first-contact'], acknowledgedAt);
      return { status: 'in-progress', facts: { ...sharedFacts(facts), acknowledgedAt, clocks } };
    }
    case 'InvestigationRecorded':
      return update(state, { findings: [...facts.findings, event.data.findings] });
    case 'AccountabilityAssigned':
      return update(state, { accountability: event.data });
    case 'ValidityJudged':
      return update(state, { validity: { valid: event.data.valid, reason: event.data.reason } });
    case 'ResolutionProposed':
      return proposed(facts, event);
    case 'ResolutionOptionRefused':
      // Refused at execution (another case granted a fee waiver since): the customer's choice cannot
      // be carried out, so the case goes back to work for another proposal instead of waiting, stuck,
      // for the limit's window to pass. Refused at a proposal: nothing was put to the customer.
      return state.status === 'accepted' ? { status: 'in-progress', facts: sharedFacts(facts) } : state;
    case 'ProposalApproved':
      return facts.proposal
        ? { status: 'awaiting-customer', facts: { ...sharedFacts(facts), proposal: facts.proposal } }
        : state;
    case 'ProposalRejected':
    case 'CustomerRejectedOptions':
      return { status: 'in-progress', facts: sharedFacts(facts) };
    case 'CustomerAcceptedOption':
      return acceptedOption(state, event);
    case 'CaseEscalated':
      return update(state, {
        escalationLevel: event.data.level,
        escalations: [...facts.escalations, { level: event.data.level, escalatedAt: event.data.escalatedAt }],
      });
    case 'EscalationAcknowledged':
      return update(state, {
        escalations: facts.escalations.map((e) =>
          e.level === event.data.level && !e.acknowledgedAt ? { ...e, acknowledgedAt: event.data.acknowledgedAt } : e,
        ),
      });
    case 'SlaWarningIssued':
      return update(state, {
        clocks: updateClock(facts, event.data.clockId ?? event.data.clock, (run) => ({
          ...run,
          warned: [...run.warned, event.data.threshold],
        })),
      });
    case 'SlaBreached':
      return update(state, {
        clocks: updateClock(facts, event.data.clockId ?? event.data.clock, (run) => ({
          ...run,
          breachedAt: event.data.breachedAt,
        })),
      });
    case 'ResolutionExecuted':
      return executed(facts, event);
    case 'CustomerNotified':
      return update(state, { communications: facts.communications + 1 });
    case 'WaitingOnCustomerStarted':
      return update(state, { waitingSince: event.data.since, pauses: [...facts.pauses, { from: event.data.since }] });
    case 'WaitingOnCustomerEnded':
      return update(state, {
        waitingSince: undefined,
        pauses: facts.pauses.map((p) => (p.to ? p : { ...p, to: event.data.endedAt })),
      });
    case 'FollowUpScheduled':
      return update(state, { followUpDueAt: event.data.dueAt });
    case 'SatisfactionRecorded':
      return update(state, {
        satisfaction: { score: event.data.score, comment: event.data.comment },
        clocks: stopClocks(facts, ['follow-up'], event.data.recordedAt),
      });
    case 'CaseClosed': {
      const { closedAt } = event.data;
      return { status: 'closed', facts: { ...facts, closedAt, clocks: stopClocks(facts, 'all', closedAt) } };
    }
    case 'CaseReopened': {
      // A reopened case gets a new resolution clock; regulatory clocks keep counting from receipt.
      const clocks = updateClock(facts, 'resolution', () => ({ ...NEW_RUN, startedAt: event.data.reopenedAt }));
      return { status: 'in-progress', facts: { ...sharedFacts(facts), clocks } };
    }
    case 'FollowOnCaseOpened':
      return update(state, { followOnCaseIds: [...(facts.followOnCaseIds ?? []), event.data.followOnCaseId] });
    case 'CaseReassigned': {
      const { department, agentId, category, priority } = event.data;
      // The case is about what the last reroute says: the regulator's returns count it by category.
      const about = { ...(category ? { category } : {}), ...(priority ? { priority } : {}) };
      return update(state, { department, agentId, opened: { ...facts.opened, ...about } });
    }
    case 'ExtensionRequested':
      return update(state, { pendingExtension: event.data });
    case 'ExtensionDecided':
      return update(state, extensionDecided(facts, event));
  }
}

export function evolveCase(state: CaseState, event: CaseEvent): CaseState {
  if (state.status === 'none') return event.type === 'CaseOpened' ? opened(event.data) : state;
  return evolveOpened(state, event);
}
