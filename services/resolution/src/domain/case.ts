/**
 * A complaint case as the resolution desk works it, from the routing decision to closure and
 * possible reopening. Pure: state is folded from events only; nothing reads a clock here.
 */
import type { Actor, DomainEvent } from '@complaints/decider';
import type { ResolutionKind, Role } from './authority';

export type Priority = 'urgent' | 'high' | 'normal' | 'low';

export interface CaseOpened {
  caseId: string;
  complaintId: string;
  reference: string;
  customerId?: string;
  department: string;
  queue: string;
  category: string;
  priority: Priority;
  openedAt: string;
  acknowledgeBy: string;
  resolveBy: string;
  slaPolicy: string;
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
  CaseAcknowledged: At<'acknowledgedAt'> & { channel: string; summary: string };
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
  };
  ResolutionOptionRefused: At<'refusedAt'> & { kind: ResolutionKind; reason: string };
  ProposalApproved: At<'approvedAt'> & { proposalId: string; comment: string; approvedBy: Actor };
  ProposalRejected: At<'rejectedAt'> & { proposalId: string; comment: string; rejectedBy: Actor };
  CustomerAcceptedOption: At<'acceptedAt'> & { proposalId: string; optionId: string };
  CustomerRejectedOptions: At<'rejectedAt'> & { proposalId: string; reason: string };
  CaseEscalated: At<'escalatedAt'> & { fromLevel: number; level: number; escalatedTo: Role; reason: string };
  ResolutionExecuted: At<'executedAt'> & {
    optionId: string;
    kind: ResolutionKind;
    amount?: number;
    currency?: string;
    summary: string;
  };
  CustomerNotified: At<'notifiedAt'> & {
    channel: string;
    purpose: 'progress' | 'result' | 'explanation' | 'other';
    summary: string;
  };
  WaitingOnCustomerStarted: At<'since'> & { reason: string };
  WaitingOnCustomerEnded: At<'endedAt'> & { waitedSince: string };
  FollowUpScheduled: At<'scheduledAt'> & { dueAt: string };
  SatisfactionRecorded: At<'recordedAt'> & { score: number; comment?: string };
  CaseClosed: At<'closedAt'> & { rootCause: string; improvementAction: string };
  CaseReopened: At<'reopenedAt'> & { reason: string };
  CaseReassigned: At<'reassignedAt'> & { fromDepartment: string; department: string; agentId?: string; reason: string };
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
}

export interface CaseFacts {
  opened: CaseOpened;
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
}

export type CaseState = { status: 'none' } | { status: CaseStatus; facts: CaseFacts };

export const initialCaseState = (): CaseState => ({ status: 'none' });

function evolveFacts(status: CaseStatus, facts: CaseFacts, event: CaseEvent): { status: CaseStatus; facts: CaseFacts } {
  switch (event.type) {
    case 'CaseOpened':
      return { status, facts };
    case 'CaseAcknowledged':
      return { status: 'in-progress', facts: { ...facts, acknowledgedAt: event.data.acknowledgedAt } };
    case 'InvestigationRecorded':
      return { status, facts: { ...facts, findings: [...facts.findings, event.data.findings] } };
    case 'AccountabilityAssigned':
      return { status, facts: { ...facts, accountability: event.data } };
    case 'ValidityJudged':
      return { status, facts: { ...facts, validity: { valid: event.data.valid, reason: event.data.reason } } };
    case 'ResolutionProposed': {
      const { proposalId, options, approvalRequiredFrom } = event.data;
      return {
        status: approvalRequiredFrom ? 'awaiting-approval' : 'awaiting-customer',
        facts: { ...facts, proposal: { proposalId, options, approvalRequiredFrom } },
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
      return { status, facts: { ...facts, escalationLevel: event.data.level } };
    case 'ResolutionExecuted':
      return { status: 'resolved', facts: { ...facts, executed: event.data, resolvedAt: event.data.executedAt } };
    case 'CustomerNotified':
      return { status, facts: { ...facts, communications: facts.communications + 1 } };
    case 'WaitingOnCustomerStarted':
      return { status, facts: { ...facts, waitingSince: event.data.since } };
    case 'WaitingOnCustomerEnded':
      return { status, facts: { ...facts, waitingSince: undefined } };
    case 'FollowUpScheduled':
      return { status, facts: { ...facts, followUpDueAt: event.data.dueAt } };
    case 'SatisfactionRecorded':
      return { status, facts: { ...facts, satisfaction: { score: event.data.score, comment: event.data.comment } } };
    case 'CaseClosed':
      return { status: 'closed', facts: { ...facts, closedAt: event.data.closedAt } };
    case 'CaseReopened':
      return {
        status: 'in-progress',
        facts: {
          ...facts,
          closedAt: undefined,
          resolvedAt: undefined,
          executed: undefined,
          accepted: undefined,
          proposal: undefined,
        },
      };
    case 'CaseReassigned':
      return { status, facts: { ...facts, department: event.data.department, agentId: event.data.agentId } };
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
        },
      };
  }
}

export function evolveCase(state: CaseState, event: CaseEvent): CaseState {
  if (event.type === 'CaseOpened') {
    return {
      status: 'open',
      facts: {
        opened: event.data,
        department: event.data.department,
        findings: [],
        escalationLevel: 0,
        grantedExtensions: [],
        communications: 0,
      },
    };
  }
  if (state.status === 'none') return state;
  return evolveFacts(state.status, state.facts, event);
}
