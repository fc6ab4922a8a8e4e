/**
 * The v1 integration events: one runtime schema per type, checked by the producer before it
 * publishes and by every consumer where the message arrives.
 */
import { z } from 'zod';
import { isoDateTime } from './envelope';
import { Topics, type TopicName } from './topics';
import { CHANNELS, CONTACT_CHANNELS, PRIORITIES, SUPPLY_AREAS, TARGET_KINDS, type TargetKind } from './vocabularies';

const isoTime = isoDateTime;

export const complaintReceivedV1 = z.object({
  complaintId: z.string().uuid(),
  reference: z.string().min(1),
  channel: z.enum(CHANNELS),
  /**
   * Personal fields (name, customer id, contact, description, demands, attachment file names and the
   * channel's caller number, sender and subject) are sealed by intake: `pii:v1:<key id>:…` strings
   * that only the key vault reveals, and that read as "[erased]" once the data subject is erased.
   */
  complainant: z.object({
    name: z.string().min(1),
    customerId: z.string().min(1).optional(),
    /** The data subject: a keyed pseudonym of the complainant (absent on events before encryption). */
    subjectId: z.string().min(1).optional(),
    contact: z.object({
      phone: z.string().optional(),
      email: z.string().optional(),
      address: z.string().optional(),
    }),
  }),
  description: z.string().min(1),
  demands: z.array(z.string()),
  target: z.object({
    kind: z.enum(TARGET_KINDS as [TargetKind, ...TargetKind[]]),
    name: z.string().min(1),
    id: z.string().optional(),
  }),
  occurredAt: isoTime,
  language: z.string().min(2),
  receivedAt: isoTime,
  /** The channel's own identifiers (call id, caller number, Message-ID, branch code, regulator reference, …). */
  channelDetails: z.record(z.string()).optional(),
  /** Evidence stored by intake, by content address. */
  attachments: z
    .array(
      z.object({
        sha256: z.string().regex(/^[0-9a-f]{64}$/),
        filename: z.string(),
        mediaType: z.string(),
        size: z.number().int().nonnegative(),
      }),
    )
    .optional(),
  regulatorDeadline: isoTime.optional(),
  /** Where the service was provided (ISO 3166-1 alpha-2, e.g. GB, DE): SLA rules choose regimes by it. */
  market: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional(),
  /** A utility's supply area (urban, rural, remote): its repair-arrival commitment depends on it. */
  area: z.enum(SUPPLY_AREAS).optional(),
});

const routingExplanation = z.object({
  ruleId: z.string(),
  kind: z.string(),
  matchedKeywords: z.array(z.string()),
  matchedFields: z.array(z.object({ field: z.string(), value: z.string() })),
  contribution: z.string(),
  score: z.number().optional(),
});
const routingAssignment = z.object({
  strategy: z.string(),
  agentId: z.string().optional(),
  reason: z.string(),
  requiredSkills: z.array(z.string()).optional(),
});

const similarComplaint = z.object({
  complaintId: z.string().uuid(),
  reference: z.string(),
  similarity: z.number().min(0).max(1),
});
export const complaintDuplicateSuspectedV1 = z.object({
  complaintId: z.string().uuid(),
  duplicateOf: similarComplaint,
  linkedAt: isoTime,
});
export const complaintDuplicateLinkRemovedV1 = z.object({
  complaintId: z.string().uuid(),
  duplicateOf: z.string().uuid(),
  reason: z.string(),
  removedAt: isoTime,
});
export const complaintRepeatComplainantFlaggedV1 = z.object({
  complaintId: z.string().uuid(),
  complaintsInWindow: z.number().int().positive(),
  windowDays: z.number().int().positive(),
  flaggedAt: isoTime,
});

/** The complainant's personal data was erased (their keys destroyed): no personal data in it. */
export const complainantErasedV1 = z.object({
  complaintId: z.string().uuid(),
  subjectId: z.string().min(1),
  erasedAt: isoTime,
});

/** What a decision was taken under: a policy kind, its version (0: the seed file) and its document's digest. */
const policyRef = z.object({ kind: z.string().min(1), version: z.number().int().min(0), digest: z.string().min(1) });
export const complaintRoutedV1 = z.object({
  complaintId: z.string().uuid(),
  reference: z.string().min(1),
  department: z.string().min(1),
  queue: z.string().min(1),
  category: z.string().min(1),
  priority: z.enum(PRIORITIES),
  ruleId: z.string().nullable(),
  matchedKeywords: z.array(z.string()),
  /**
   * The complainant's pseudonymous customer key (their data subject id) when they gave a customer
   * id — policy limits are per customer; never the plain id.
   */
  customerId: z.string().optional(),
  /**
   * The complainant's data subject id (complaint.received.v1's `complainant.subjectId`): resolution
   * seals what agents write about the case with that subject's key. Absent before it was carried.
   */
  subjectId: z.string().min(1).optional(),
  channel: z.enum(CHANNELS).optional(),
  receivedAt: isoTime.optional(),
  /** The SLA policy routing selected; resolution starts its clocks from it. */
  slaPolicyId: z.string().optional(),
  /** What the tenant's SLA selection rules read beyond category and channel (libs/sla SelectionCriteria). */
  slaCriteria: z
    .object({
      product: z.string().optional(),
      market: z.string().optional(),
      area: z.string().optional(),
      referral: z.object({ regulator: z.string(), reference: z.string().optional(), deadline: isoTime }).optional(),
    })
    .optional(),
  routedAt: isoTime,
  /** How the customer puts it: constructive, critical or accusatory (建设性/批评性/控告性). */
  degree: z.enum(['constructive', 'critical', 'accusatory']).optional(),
  /** price, quality, function, technology or service, when the rule says. */
  contentCategory: z.string().optional(),
  /** Every rule that fired: what it matched and what it contributed to the decision. */
  explanation: z.array(routingExplanation).optional(),
  /** Set when several departments must cooperate: the lead is `department`. */
  leadDepartment: z.string().optional(),
  contributingDepartments: z.array(z.string()).optional(),
  requiredSkills: z.array(z.string()).optional(),
  amountAtStake: z.object({ currency: z.string(), value: z.number(), text: z.string() }).optional(),
  /** The rule file(s) the decision was taken with (the seed's files), or `routing-rules vN`. */
  ruleTable: z.string().optional(),
  /** The tenant's `routing-rules` version in force at receipt (absent before rule tables were versioned). */
  rulesPolicy: policyRef.optional(),
  /** The tenant's `department-directory` version in force at receipt (absent before directories were versioned). */
  directoryPolicy: policyRef.optional(),
  assignment: routingAssignment.optional(),
});

const routingPlacement = z.object({
  department: z.string().min(1),
  queue: z.string().min(1),
  category: z.string().min(1),
  priority: z.enum(PRIORITIES),
  /** How the customer puts it; absent on reroutes recorded before it was carried. */
  degree: z.enum(['constructive', 'critical', 'accusatory']).optional(),
  agentId: z.string().optional(),
});

/** A supervisor overruled the routing: the new placement, where it was before, who and why. */
export const complaintReroutedV1 = routingPlacement.extend({
  complaintId: z.string().uuid(),
  reference: z.string().min(1),
  customerId: z.string().optional(),
  channel: z.enum(CHANNELS).optional(),
  receivedAt: isoTime.optional(),
  from: routingPlacement,
  reason: z.string().min(1),
  reroutedBy: z.object({ id: z.string().min(1), role: z.string().min(1) }),
  assignment: routingAssignment,
  reroutedAt: isoTime,
  /** The versions of the rule table and directory the reroute was checked against (absent on older reroutes). */
  rulesPolicy: policyRef.optional(),
  directoryPolicy: policyRef.optional(),
});

const actor = z.object({ id: z.string().min(1), role: z.string().min(1) });
const caseFact = <T extends z.ZodRawShape>(shape: T) => z.object({ caseId: z.string().uuid(), ...shape });

export const RESOLUTION_KINDS = [
  'apology',
  'explanation',
  'refund',
  'fee-waiver',
  'compensation',
  'credit-report-correction',
  'process-change',
] as const;

const resolutionOption = z.object({
  optionId: z.string().min(1),
  kind: z.enum(RESOLUTION_KINDS),
  description: z.string(),
  amount: z.number().positive().optional(),
  currency: z.string().optional(),
});

/**
 * The free text people write on a case is the complainant's personal data too, and resolution seals
 * it with the case's data subject key (`pii:v1:…` strings, "[erased]" once the subject is erased):
 * summaries, findings and evidence references, the cause, reasons, comments, customer explanations
 * and options' descriptions. Codes, amounts, dates, the root cause and the improvement action stay
 * plain, as does text the system writes (SLA escalations, refusals by policy). Cases opened before
 * the subject id travelled (no `subjectId` on case.opened.v1) keep their free text plain.
 */
export const caseOpenedV1 = caseFact({
  complaintId: z.string().uuid(),
  reference: z.string().min(1),
  customerId: z.string().optional(),
  /** The complainant's data subject id, whose key seals the case's free text. */
  subjectId: z.string().min(1).optional(),
  department: z.string().min(1),
  queue: z.string().min(1),
  category: z.string().min(1),
  priority: z.enum(PRIORITIES),
  openedAt: isoTime,
  acknowledgeBy: isoTime,
  resolveBy: isoTime,
  slaPolicy: z.string().min(1),
  receivedAt: isoTime.optional(),
  linkedCaseId: z.string().uuid().optional(),
  sla: z
    .object({
      policyId: z.string(),
      regime: z.string(),
      calendarId: z.string(),
      clocks: z.array(z.record(z.unknown())),
    })
    .optional(),
});

export const caseAcknowledgedV1 = caseFact({
  acknowledgedAt: isoTime,
  channel: z.enum(CONTACT_CHANNELS),
  summary: z.string(),
});
export const caseInvestigationRecordedV1 = caseFact({
  recordedAt: isoTime,
  findings: z.string(),
  evidenceRefs: z.array(z.string()),
});
export const caseAccountabilityAssignedV1 = caseFact({
  assignedAt: isoTime,
  cause: z.string(),
  responsibleDepartment: z.string(),
  responsibleStaff: z.string().optional(),
});
export const caseValidityJudgedV1 = caseFact({ judgedAt: isoTime, valid: z.boolean(), reason: z.string().optional() });
/**
 * The amount limit a decision used: the least role whose limit in the option's currency covers the
 * amount (`limit` null: no role has one, so the complaints officer decides).
 */
const appliedLimit = z.object({
  optionId: z.string(),
  amount: z.number(),
  currency: z.string(),
  role: z.string(),
  limit: z.number().nullable(),
});
export const caseResolutionProposedV1 = caseFact({
  proposedAt: isoTime,
  proposalId: z.string().min(1),
  options: z.array(resolutionOption).min(1).max(3),
  proposedBy: actor,
  approvalRequiredFrom: z.string().nullable(),
  /** Absent on proposals made before limits per currency. */
  limits: z.array(appliedLimit).optional(),
  /** The tenant's limits file the limits come from. */
  limitsPolicy: z.string().optional(),
  /** The approval-limits version the limits come from (absent before policy versions). */
  limitsPolicyVersion: policyRef.optional(),
});
export const caseResolutionOptionRefusedV1 = caseFact({
  refusedAt: isoTime,
  kind: z.enum(RESOLUTION_KINDS),
  reason: z.string(),
});
export const caseProposalApprovedV1 = caseFact({
  approvedAt: isoTime,
  proposalId: z.string(),
  comment: z.string(),
  approvedBy: actor,
  /** The limits that needed this approval, as the proposal named them. */
  limits: z.array(appliedLimit).optional(),
});
export const caseProposalRejectedV1 = caseFact({
  rejectedAt: isoTime,
  proposalId: z.string(),
  comment: z.string(),
  rejectedBy: actor,
});
export const caseOptionAcceptedV1 = caseFact({ acceptedAt: isoTime, proposalId: z.string(), optionId: z.string() });
export const caseOptionsRejectedV1 = caseFact({ rejectedAt: isoTime, proposalId: z.string(), reason: z.string() });
/** The clocks a case can run (libs/sla's `ClockKind` is derived from this list). */
export const CLOCK_KINDS = [
  'acknowledgement',
  'first-contact',
  'resolution',
  'follow-up',
  'regulatory',
  'meter-test',
  'reconnection',
  'repair-arrival',
] as const;
/** The clock's key on the case when several regimes run clocks of one kind: `<regime>/<kind>`, e.g. `CN-NFRA/regulatory`. */
const clockId = z.string().min(1).optional();

export const caseEscalatedV1 = caseFact({
  escalatedAt: isoTime,
  fromLevel: z.number().int().min(0),
  level: z.number().int().min(1),
  escalatedTo: z.string(),
  reason: z.string(),
  trigger: z.enum(['customer-rejected', 'sla-breach', 'unacknowledged-escalation', 'manual']).optional(),
  clock: z.enum(CLOCK_KINDS).optional(),
  clockId,
  notified: z.array(z.string()).optional(),
  /** The escalation-directory version `notified` comes from (absent before policy versions). */
  directoryPolicy: policyRef.optional(),
});
export const caseEscalationAcknowledgedV1 = caseFact({
  acknowledgedAt: isoTime,
  level: z.number().int().min(1),
  acknowledgedBy: actor,
});
export const caseSlaWarningIssuedV1 = caseFact({
  issuedAt: isoTime,
  clock: z.enum(CLOCK_KINDS),
  clockId,
  threshold: z.number().positive(),
  dueAt: isoTime,
});
export const caseSlaBreachedV1 = caseFact({
  breachedAt: isoTime,
  clock: z.enum(CLOCK_KINDS),
  clockId,
  dueAt: isoTime,
  detectedAt: isoTime,
});
export const caseResolvedV1 = caseFact({
  resolvedAt: isoTime,
  summary: z.string().min(1),
  optionId: z.string().optional(),
  kind: z.enum(RESOLUTION_KINDS).optional(),
  amount: z.number().optional(),
  currency: z.string().optional(),
});
export const caseCustomerNotifiedV1 = caseFact({
  notifiedAt: isoTime,
  channel: z.enum(CONTACT_CHANNELS),
  purpose: z.enum(['progress', 'result', 'explanation', 'other']),
  summary: z.string(),
});
export const caseWaitingOnCustomerV1 = caseFact({ since: isoTime, reason: z.string() });
export const caseResumedV1 = caseFact({ endedAt: isoTime, waitedSince: isoTime });
export const caseFollowUpScheduledV1 = caseFact({ scheduledAt: isoTime, dueAt: isoTime });
export const caseSatisfactionRecordedV1 = caseFact({
  recordedAt: isoTime,
  score: z.number().int().min(1).max(5),
  comment: z.string().optional(),
});
export const caseClosedV1 = caseFact({
  closedAt: isoTime,
  rootCause: z.string().optional(),
  improvementAction: z.string().optional(),
});
export const caseReopenedV1 = caseFact({ reopenedAt: isoTime, reason: z.string() });
export const caseFollowOnOpenedV1 = caseFact({
  openedAt: isoTime,
  followOnCaseId: z.string().uuid(),
  reason: z.string(),
  reopenWindowEnded: isoTime,
});
export const caseReassignedV1 = caseFact({
  reassignedAt: isoTime,
  fromDepartment: z.string(),
  department: z.string(),
  agentId: z.string().optional(),
  reason: z.string(),
  /** Set when a reroute changed what the case is about (always when it left triage). */
  category: z.string().min(1).optional(),
  priority: z.enum(PRIORITIES).optional(),
});
export const caseExtensionRequestedV1 = caseFact({
  requestedAt: isoTime,
  extensionId: z.string(),
  clock: z.string(),
  reason: z.string(),
  customerExplanation: z.string(),
});
export const caseExtensionDecidedV1 = caseFact({
  decidedAt: isoTime,
  extensionId: z.string(),
  approved: z.boolean(),
  comment: z.string(),
  decidedBy: actor,
});

/** Every integration event type: its payload schema and the topic it travels on. */
/**
 * A tenant's policy version was published (docs/policy.md). The subject is the event's own id (a
 * policy has no complaint); the owning service's instances reload the kind from its store on it.
 */
export const policyVersionPublishedV1 = z.object({
  tenant: z.string().min(1),
  kind: z.string().min(1),
  version: z.number().int().min(1),
  effectiveFrom: isoTime,
  document: z.unknown(),
  author: z.string().min(1),
  reason: z.string().min(1),
  recordedAt: isoTime,
  digest: z.string().min(1),
});

export const IntegrationEvents = {
  'complaint.received.v1': { topic: Topics.intake, schema: complaintReceivedV1 },
  'complaint.duplicate-suspected.v1': { topic: Topics.intake, schema: complaintDuplicateSuspectedV1 },
  'complaint.duplicate-link-removed.v1': { topic: Topics.intake, schema: complaintDuplicateLinkRemovedV1 },
  'complaint.repeat-complainant-flagged.v1': { topic: Topics.intake, schema: complaintRepeatComplainantFlaggedV1 },
  'complainant.erased.v1': { topic: Topics.intake, schema: complainantErasedV1 },
  'complaint.routed.v1': { topic: Topics.routing, schema: complaintRoutedV1 },
  'complaint.rerouted.v1': { topic: Topics.routing, schema: complaintReroutedV1 },
  'case.opened.v1': { topic: Topics.resolution, schema: caseOpenedV1 },
  'case.acknowledged.v1': { topic: Topics.resolution, schema: caseAcknowledgedV1 },
  'case.investigation-recorded.v1': { topic: Topics.resolution, schema: caseInvestigationRecordedV1 },
  'case.accountability-assigned.v1': { topic: Topics.resolution, schema: caseAccountabilityAssignedV1 },
  'case.validity-judged.v1': { topic: Topics.resolution, schema: caseValidityJudgedV1 },
  'case.resolution-proposed.v1': { topic: Topics.resolution, schema: caseResolutionProposedV1 },
  'case.resolution-option-refused.v1': { topic: Topics.resolution, schema: caseResolutionOptionRefusedV1 },
  'case.proposal-approved.v1': { topic: Topics.resolution, schema: caseProposalApprovedV1 },
  'case.proposal-rejected.v1': { topic: Topics.resolution, schema: caseProposalRejectedV1 },
  'case.option-accepted.v1': { topic: Topics.resolution, schema: caseOptionAcceptedV1 },
  'case.options-rejected.v1': { topic: Topics.resolution, schema: caseOptionsRejectedV1 },
  'case.escalated.v1': { topic: Topics.resolution, schema: caseEscalatedV1 },
  'case.escalation-acknowledged.v1': { topic: Topics.resolution, schema: caseEscalationAcknowledgedV1 },
  'case.sla-warning-issued.v1': { topic: Topics.resolution, schema: caseSlaWarningIssuedV1 },
  'case.sla-breached.v1': { topic: Topics.resolution, schema: caseSlaBreachedV1 },
  'case.resolved.v1': { topic: Topics.resolution, schema: caseResolvedV1 },
  'case.customer-notified.v1': { topic: Topics.resolution, schema: caseCustomerNotifiedV1 },
  'case.waiting-on-customer.v1': { topic: Topics.resolution, schema: caseWaitingOnCustomerV1 },
  'case.resumed.v1': { topic: Topics.resolution, schema: caseResumedV1 },
  'case.follow-up-scheduled.v1': { topic: Topics.resolution, schema: caseFollowUpScheduledV1 },
  'case.satisfaction-recorded.v1': { topic: Topics.resolution, schema: caseSatisfactionRecordedV1 },
  'case.closed.v1': { topic: Topics.resolution, schema: caseClosedV1 },
  'case.reopened.v1': { topic: Topics.resolution, schema: caseReopenedV1 },
  'case.follow-on-opened.v1': { topic: Topics.resolution, schema: caseFollowOnOpenedV1 },
  'case.reassigned.v1': { topic: Topics.resolution, schema: caseReassignedV1 },
  'case.extension-requested.v1': { topic: Topics.resolution, schema: caseExtensionRequestedV1 },
  'case.extension-decided.v1': { topic: Topics.resolution, schema: caseExtensionDecidedV1 },
  'policy.version-published.v1': { topic: Topics.policy, schema: policyVersionPublishedV1 },
} as const satisfies Record<string, { topic: TopicName; schema: z.ZodTypeAny }>;

/**
 * The customer key consumers see for a complainant of complaint.received.v1: the pseudonymous
 * subject id when the complainant gave a customer id (the plain id only on events recorded before
 * personal data was sealed), so policy limits and repeat-complainant figures work per customer
 * without anyone downstream holding the id.
 */
export function pseudonymousCustomerId(complainant: { customerId?: string; subjectId?: string } | undefined) {
  if (!complainant?.customerId) return undefined;
  return complainant.subjectId ?? complainant.customerId;
}

export type IntegrationEventType = keyof typeof IntegrationEvents;
export type IntegrationEventData<T extends IntegrationEventType> = z.infer<(typeof IntegrationEvents)[T]['schema']>;

export type ComplaintReceivedV1 = IntegrationEventData<'complaint.received.v1'>;
export type ComplaintRoutedV1 = IntegrationEventData<'complaint.routed.v1'>;
export type CaseOpenedV1 = IntegrationEventData<'case.opened.v1'>;
