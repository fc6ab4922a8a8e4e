/**
 * A complaint case as the resolution desk works it: opened from a routing decision, acknowledged
 * to the customer, resolved, closed. Pure: events in, state out.
 */
import type { DomainEvent } from '@complaints/decider';

export type Priority = 'urgent' | 'high' | 'normal' | 'low';

export interface CaseOpened {
  caseId: string;
  complaintId: string;
  reference: string;
  department: string;
  queue: string;
  category: string;
  priority: Priority;
  openedAt: string;
  acknowledgeBy: string;
  resolveBy: string;
  slaPolicy: string;
}

export interface CaseAcknowledged {
  caseId: string;
  acknowledgedAt: string;
  channel: string;
  summary: string;
}

export interface CaseResolved {
  caseId: string;
  resolvedAt: string;
  summary: string;
}

export interface CaseClosed {
  caseId: string;
  closedAt: string;
  rootCause?: string;
  improvementAction?: string;
}

export type CaseEvent =
  | DomainEvent<'CaseOpened', CaseOpened>
  | DomainEvent<'CaseAcknowledged', CaseAcknowledged>
  | DomainEvent<'CaseResolved', CaseResolved>
  | DomainEvent<'CaseClosed', CaseClosed>;

export type CaseStatus = 'open' | 'acknowledged' | 'resolved' | 'closed';

export interface CaseFacts extends CaseOpened {
  acknowledgement?: CaseAcknowledged;
  resolution?: CaseResolved;
  closure?: CaseClosed;
}

export type CaseState = { status: 'none' } | { status: CaseStatus; facts: CaseFacts };

export const initialCaseState = (): CaseState => ({ status: 'none' });

export function evolveCase(state: CaseState, event: CaseEvent): CaseState {
  switch (event.type) {
    case 'CaseOpened':
      return { status: 'open', facts: { ...event.data } };
    case 'CaseAcknowledged':
      return state.status === 'none'
        ? state
        : { status: 'acknowledged', facts: { ...state.facts, acknowledgement: event.data } };
    case 'CaseResolved':
      return state.status === 'none'
        ? state
        : { status: 'resolved', facts: { ...state.facts, resolution: event.data } };
    case 'CaseClosed':
      return state.status === 'none' ? state : { status: 'closed', facts: { ...state.facts, closure: event.data } };
  }
}
