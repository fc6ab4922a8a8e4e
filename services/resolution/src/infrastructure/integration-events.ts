/**
 * Resolution's private stored events mapped to the published language: one table, so adding a
 * stored event without deciding what (if anything) it publishes, or storing a shape its contract
 * does not accept, is a type error.
 */
import { integrationMapper, type PublishedTable } from '@complaints/messaging';
import type { StoredCaseEvent } from './upcasters';

/** Over every stored shape: the relay publishes what was stored, so a published event never changes. */
export const PUBLISHED: PublishedTable<StoredCaseEvent> = {
  CaseOpened: {
    type: 'case.opened.v1',
    // The contract leaves the clock definitions' shape open: they travel as plain records.
    data: ({ sla, ...opened }) => ({
      ...opened,
      ...(sla ? { sla: { ...sla, clocks: sla.clocks.map((clock) => ({ ...clock })) } } : {}),
    }),
  },
  CaseAcknowledged: { type: 'case.acknowledged.v1' },
  InvestigationRecorded: { type: 'case.investigation-recorded.v1' },
  AccountabilityAssigned: { type: 'case.accountability-assigned.v1' },
  ValidityJudged: { type: 'case.validity-judged.v1' },
  ResolutionProposed: { type: 'case.resolution-proposed.v1' },
  ResolutionOptionRefused: { type: 'case.resolution-option-refused.v1' },
  ProposalApproved: { type: 'case.proposal-approved.v1' },
  ProposalRejected: { type: 'case.proposal-rejected.v1' },
  CustomerAcceptedOption: { type: 'case.option-accepted.v1' },
  CustomerRejectedOptions: { type: 'case.options-rejected.v1' },
  CaseEscalated: { type: 'case.escalated.v1' },
  EscalationAcknowledged: { type: 'case.escalation-acknowledged.v1' },
  SlaWarningIssued: { type: 'case.sla-warning-issued.v1' },
  SlaBreached: { type: 'case.sla-breached.v1' },
  ResolutionExecuted: {
    type: 'case.resolved.v1',
    data: ({ executedAt, ...rest }) => ({ ...rest, resolvedAt: executedAt }),
  },
  CustomerNotified: { type: 'case.customer-notified.v1' },
  WaitingOnCustomerStarted: { type: 'case.waiting-on-customer.v1' },
  WaitingOnCustomerEnded: { type: 'case.resumed.v1' },
  FollowUpScheduled: { type: 'case.follow-up-scheduled.v1' },
  SatisfactionRecorded: { type: 'case.satisfaction-recorded.v1' },
  CaseClosed: { type: 'case.closed.v1' },
  CaseReopened: { type: 'case.reopened.v1' },
  FollowOnCaseOpened: { type: 'case.follow-on-opened.v1' },
  CaseReassigned: { type: 'case.reassigned.v1' },
  ExtensionRequested: { type: 'case.extension-requested.v1' },
  ExtensionDecided: { type: 'case.extension-decided.v1' },
};

export const resolutionIntegrationEvents = integrationMapper(PUBLISHED, (data) => data.caseId);
