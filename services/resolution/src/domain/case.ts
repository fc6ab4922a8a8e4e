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

export type CaseStatus =
  'open' | 'in-progress' | 'awaiting-approval' | 'awaiting-customer' | 'accepted' | 'resolved' | 'closed';

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
  proposal?: Proposal;
  accepted?: { proposalId: string; option: ResolutionOption };
  executed?: CaseEventData['ResolutionExecuted'];
  escalationLevel: number;
  waitingSince?: string;
  pendingExtension?: CaseEventData['ExtensionRequested'];
  grantedExtensions: string[];
  resolvedAt?: string;
  closedAt?: string;
  followUpDueAt?: string;
  satisfaction?: { score: number; comment?: string };
  communications: number;
  followOnCaseIds?: string[];
}

export type CaseState = { status: 'none' } | { status: CaseStatus; facts: CaseFacts };

export const initialCaseState = (): CaseState => ({ status: 'none' });

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

function evolveFacts(status: CaseStatus, facts: CaseFacts, event: CaseEvent): { status: CaseStatus; facts: CaseFacts } {
  switch (event.type) {
    case 'CaseOpened':
      return { status, facts };
    case 'CaseAcknowledged':
      return {
        status: 'in-progress',
        facts: {
          ...facts,
          acknowledgedAt: event.data.acknowledgedAt,
          clocks: stopClocks(facts, ['acknowledgement', 'first-contact'], event.data.acknowledgedAt),
        },
      };
    case 'InvestigationRecorded':
      return { status, facts: { ...facts, findings: [...facts.findings, event.data.findings] } };
    case 'AccountabilityAssigned':
      return { status, facts: { ...facts, accountability: event.data } };
    case 'ValidityJudged':
      return { status, facts: { ...facts, validity: { valid: event.data.valid, reason: event.data.reason } } };
    case 'ResolutionProposed': {
      const { proposalId, options, approvalRequiredFrom, limits } = event.data;
      return {
        status: approvalRequiredFrom ? 'awaiting-approval' : 'awaiting-customer',
        facts: { ...facts, proposal: { proposalId, options, approvalRequiredFrom, ...(limits ? { limits } : {}) } },
      };
    }
    case 'ResolutionOptionRefused':
      return { status, facts };
    case 'ProposalApproved':
      return { status: 'awaiting-customer', facts };
    case 'ProposalRejected':
      return { status: 'in-progress', facts: { ...facts, proposal: undefined } };
    case 'CustomerAcceptedOption': {
      const option = facts.proposal?.options.find((o) => o.optionId === event.data.optionId);
      return option
        ? { status: 'accepted', facts: { ...facts, accepted: { proposalId: event.data.proposalId, option } } }
        : { status, facts };
    }
    case 'CustomerRejectedOptions':
      return { status: 'in-progress', facts: { ...facts, proposal: undefined } };
    case 'CaseEscalated':
      return {
        status,
        facts: {
          ...facts,
          escalationLevel: event.data.level,
          escalations: [...facts.escalations, { level: event.data.level, escalatedAt: event.data.escalatedAt }],
        },
      };
    case 'EscalationAcknowledged':
      return {
        status,
        facts: {
          ...facts,
          escalations: facts.escalations.map((e) =>
            e.level === event.data.level && !e.acknowledgedAt ? { ...e, acknowledgedAt: event.data.acknowledgedAt } : e,
          ),
        },
      };
    case 'SlaWarningIssued':
      return {
        status,
        facts: {
          ...facts,
          clocks: updateClock(facts, event.data.clockId ?? event.data.clock, (run) => ({
            ...run,
            warned: [...run.warned, event.data.threshold],
          })),
        },
      };
    case 'SlaBreached':
      return {
        status,
        facts: {
          ...facts,
          clocks: updateClock(facts, event.data.clockId ?? event.data.clock, (run) => ({
            ...run,
            breachedAt: event.data.breachedAt,
          })),
        },
      };
    case 'ResolutionExecuted': {
      const stopped = { ...facts, clocks: stopClocks(facts, ['resolution', 'regulatory'], event.data.executedAt) };
      return {
        status: 'resolved',
        facts: {
          ...stopped,
          executed: event.data,
          resolvedAt: event.data.executedAt,
          clocks: startClocks(stopped, 'case-resolved', event.data.executedAt),
        },
      };
    }
    case 'CustomerNotified':
      return { status, facts: { ...facts, communications: facts.communications + 1 } };
    case 'WaitingOnCustomerStarted':
      return {
        status,
        facts: { ...facts, waitingSince: event.data.since, pauses: [...facts.pauses, { from: event.data.since }] },
      };
    case 'WaitingOnCustomerEnded':
      return {
        status,
        facts: {
          ...facts,
          waitingSince: undefined,
          pauses: facts.pauses.map((p) => (p.to ? p : { ...p, to: event.data.endedAt })),
        },
      };
    case 'FollowUpScheduled':
      return { status, facts: { ...facts, followUpDueAt: event.data.dueAt } };
    case 'SatisfactionRecorded':
      return {
        status,
        facts: {
          ...facts,
          satisfaction: { score: event.data.score, comment: event.data.comment },
          clocks: stopClocks(facts, ['follow-up'], event.data.recordedAt),
        },
      };
    case 'CaseClosed':
      return {
        status: 'closed',
        facts: { ...facts, closedAt: event.data.closedAt, clocks: stopClocks(facts, 'all', event.data.closedAt) },
      };
    case 'CaseReopened':
      // A reopened case gets a new resolution clock; regulatory clocks keep counting from receipt.
      return {
        status: 'in-progress',
        facts: {
          ...facts,
          closedAt: undefined,
          resolvedAt: undefined,
          executed: undefined,
          accepted: undefined,
          proposal: undefined,
          clocks: updateClock(facts, 'resolution', () => ({ ...NEW_RUN, startedAt: event.data.reopenedAt })),
        },
      };
    case 'FollowOnCaseOpened':
      return {
        status,
        facts: { ...facts, followOnCaseIds: [...(facts.followOnCaseIds ?? []), event.data.followOnCaseId] },
      };
    case 'CaseReassigned': {
      const { department, agentId, category, priority } = event.data;
      // The case is about what the last reroute says: the regulator's returns count it by category.
      const about = { ...(category ? { category } : {}), ...(priority ? { priority } : {}) };
      return { status, facts: { ...facts, department, agentId, opened: { ...facts.opened, ...about } } };
    }
    case 'ExtensionRequested':
      return { status, facts: { ...facts, pendingExtension: event.data } };
    case 'ExtensionDecided':
      return {
        status,
        facts: {
          ...facts,
          pendingExtension: undefined,
          grantedExtensions:
            event.data.approved && facts.pendingExtension
              ? [...facts.grantedExtensions, facts.pendingExtension.clock]
              : facts.grantedExtensions,
          clocks:
            event.data.approved && facts.pendingExtension
              ? updateClock(facts, facts.pendingExtension.clock, (run) => ({
                  ...run,
                  extension: NEXT_EXTENSION[run.extension],
                }))
              : facts.clocks,
        },
      };
  }
}

export function evolveCase(state: CaseState, event: CaseEvent): CaseState {
  if (event.type === 'CaseOpened') {
    const { sla } = event.data;
    const facts: CaseFacts = {
      opened: event.data,
      sla,
      clocks: {},
      pauses: [],
      escalations: [],
      department: event.data.department,
      findings: [],
      escalationLevel: 0,
      grantedExtensions: [],
      communications: 0,
    };
    return {
      status: 'open',
      facts: {
        ...facts,
        clocks: startClocks(facts, 'complaint-received', event.data.receivedAt ?? event.data.openedAt),
      },
    };
  }
  if (state.status === 'none') return state;
  return evolveFacts(state.status, state.facts, event);
}
