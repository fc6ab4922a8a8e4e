/**
 * The v1 integration events: one runtime schema per type, checked by the producer before it
 * publishes and by every consumer where the message arrives.
 */
import { z } from 'zod';
import { Topics, type TopicName } from './topics';

export const CHANNELS = ['hotline', 'branch', 'web', 'app', 'email', 'regulator', 'letter', 'social'] as const;
export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export const TARGET_KINDS = ['branch', 'staff', 'product', 'bill', 'service', 'outage', 'meter', 'other'] as const;

const isoTime = z.string().datetime({ offset: true });

export const complaintReceivedV1 = z.object({
  complaintId: z.string().uuid(),
  reference: z.string().min(1),
  channel: z.enum(CHANNELS),
  complainant: z.object({
    name: z.string().min(1),
    customerId: z.string().min(1).optional(),
    contact: z.object({
      phone: z.string().optional(),
      email: z.string().optional(),
      address: z.string().optional(),
    }),
  }),
  description: z.string().min(1),
  demands: z.array(z.string()),
  target: z.object({
    kind: z.enum(TARGET_KINDS),
    name: z.string().min(1),
    id: z.string().optional(),
  }),
  occurredAt: isoTime,
  language: z.string().min(2),
  receivedAt: isoTime,
});

export const complaintRoutedV1 = z.object({
  complaintId: z.string().uuid(),
  reference: z.string().min(1),
  department: z.string().min(1),
  queue: z.string().min(1),
  category: z.string().min(1),
  priority: z.enum(PRIORITIES),
  ruleId: z.string().nullable(),
  matchedKeywords: z.array(z.string()),
  routedAt: isoTime,
});

export const caseOpenedV1 = z.object({
  caseId: z.string().uuid(),
  complaintId: z.string().uuid(),
  reference: z.string().min(1),
  department: z.string().min(1),
  queue: z.string().min(1),
  category: z.string().min(1),
  priority: z.enum(PRIORITIES),
  openedAt: isoTime,
  acknowledgeBy: isoTime,
  resolveBy: isoTime,
  slaPolicy: z.string().min(1),
});

export const caseAcknowledgedV1 = z.object({
  caseId: z.string().uuid(),
  acknowledgedAt: isoTime,
  channel: z.string().min(1),
  summary: z.string(),
});

export const caseResolvedV1 = z.object({
  caseId: z.string().uuid(),
  resolvedAt: isoTime,
  summary: z.string().min(1),
});

export const caseClosedV1 = z.object({
  caseId: z.string().uuid(),
  closedAt: isoTime,
  rootCause: z.string().optional(),
  improvementAction: z.string().optional(),
});

/** Every integration event type: its payload schema and the topic it travels on. */
export const IntegrationEvents = {
  'complaint.received.v1': { topic: Topics.intake, schema: complaintReceivedV1 },
  'complaint.routed.v1': { topic: Topics.routing, schema: complaintRoutedV1 },
  'case.opened.v1': { topic: Topics.resolution, schema: caseOpenedV1 },
  'case.acknowledged.v1': { topic: Topics.resolution, schema: caseAcknowledgedV1 },
  'case.resolved.v1': { topic: Topics.resolution, schema: caseResolvedV1 },
  'case.closed.v1': { topic: Topics.resolution, schema: caseClosedV1 },
} as const satisfies Record<string, { topic: TopicName; schema: z.ZodTypeAny }>;

export type IntegrationEventType = keyof typeof IntegrationEvents;
export type IntegrationEventData<T extends IntegrationEventType> = z.infer<(typeof IntegrationEvents)[T]['schema']>;

export type ComplaintReceivedV1 = IntegrationEventData<'complaint.received.v1'>;
export type ComplaintRoutedV1 = IntegrationEventData<'complaint.routed.v1'>;
export type CaseOpenedV1 = IntegrationEventData<'case.opened.v1'>;
