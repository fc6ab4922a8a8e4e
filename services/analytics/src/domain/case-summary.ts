/**
 * The current summary of a case, folded from the integration events of every service. Topics are
 * consumed independently, so events of different services may arrive in any order: intake and
 * routing fill their own fields, and the case status follows resolution's events in their stream
 * order (their `streamVersion`), never an older one.
 */
import { pseudonymousCustomerId } from '@complaints/contracts';
export type SummaryStatus =
  | 'received'
  | 'routed'
  | 'open'
  | 'in-progress'
  | 'awaiting-approval'
  | 'awaiting-customer'
  | 'accepted'
  | 'resolved'
  | 'closed';

export interface CaseSummary {
  complaintId: string;
  tenant: string;
  status: SummaryStatus;
  /** streamVersion of the last resolution event applied. */
  caseVersion: number;
  reference?: string;
  channel?: string;
  /** The pseudonymous customer key (the complainant's data subject id), never the plain customer id. */
  customerId?: string;
  /** When the complainant's personal data was erased (complainant.erased.v1). */
  personalDataErasedAt?: string;
  department?: string;
  queue?: string;
  category?: string;
  priority?: string;
  receivedAt?: string;
  routedAt?: string;
  openedAt?: string;
  acknowledgeBy?: string;
  resolveBy?: string;
  acknowledgedAt?: string;
  resolvedAt?: string;
  closedAt?: string;
  escalationLevel?: number;
  waitingOnCustomer?: boolean;
  satisfactionScore?: number;
  reopenCount?: number;
  /** SLA clocks of this case that were breached. */
  breachedClocks?: string[];
  possibleDuplicateOf?: string[];
  /** The agent the case is with (routing's assignment, then reassignments). */
  agentId?: string;
  validity?: { valid: boolean; reason?: string };
  /** The options last put to the customer, and the one accepted. */
  /** An amount always shows with its currency (limits and decimals are per currency). */
  offeredOptions?: { optionId: string; kind: string; amount?: number; currency?: string }[];
  acceptedOptionId?: string;
  repeatComplainant?: boolean;
  linkedCaseId?: string;
  followOnCaseIds?: string[];
  /** What the complaint is about when the complainant named a product (FCA returns group by product). */
  product?: string;
  /** The SLA policy the case runs, its regime, its working calendar and the kinds of clocks it runs. */
  slaPolicy?: string;
  regime?: string;
  calendarId?: string;
  slaClocks?: string[];
  /** The highest escalation level the case ever reached (escalationLevel is the current one). */
  maxEscalationLevel?: number;
  /** How many times the case changed hands between departments after it was opened. */
  handOffs?: number;
  /** Whether the case ever waited on the customer. */
  waitedOnCustomer?: boolean;
  /** From the closure: what caused the complaint and what the firm changes because of it. */
  rootCause?: string;
  improvementAction?: string;
  /**
   * Every policy version a decision on the case was taken under (routing's rules, the SLA clocks, the
   * approval limits of a proposal, the directory an escalation notified from), each once, at its
   * first use: what an auditor asks first ("under which rule was this deadline set?").
   */
  policies?: PolicyUse[];
  lastEventAt: string;
  eventCount: number;
}

/** A policy version (kind, version, digest; docs/policy.md) and the event that first used it on the case. */
export interface PolicyUse {
  kind: string;
  version: number;
  digest: string;
  event: string;
  at: string;
}

/** The events that carry decisions taken under a policy version. */
const DECISIONS: ReadonlySet<string> = new Set([
  'complaint.routed.v1',
  'complaint.rerouted.v1',
  'case.opened.v1',
  'case.resolution-proposed.v1',
  'case.escalated.v1',
  'case.reassigned.v1',
]);

const isPolicyRef = (value: Record<string, unknown>) =>
  typeof value.kind === 'string' &&
  Number.isInteger(value.version) &&
  typeof value.digest === 'string' &&
  /^[0-9a-f]{64}$/.test(value.digest);

/** The policy references in an event's data (`{kind, version, digest}` wherever the event keeps them, e.g. a clock's `decidedBy`). */
function policyRefsIn(value: unknown, found: PolicyUse[], event: SummaryInput, depth = 0): void {
  if (depth > 5 || typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) policyRefsIn(item, found, event, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  if (isPolicyRef(record)) {
    const { kind, version, digest } = record as { kind: string; version: number; digest: string };
    found.push({ kind, version, digest, event: event.type, at: event.time });
  }
  for (const child of Object.values(record)) policyRefsIn(child, found, event, depth + 1);
}

/** The case's policy uses with those of this event added (each version once, at its first use). */
function withPolicies(policies: PolicyUse[] | undefined, event: SummaryInput): { policies?: PolicyUse[] } {
  if (!DECISIONS.has(event.type)) return {};
  const found: PolicyUse[] = [];
  policyRefsIn(event.data, found, event);
  const known = new Set((policies ?? []).map((p) => `${p.kind}/${p.version}/${p.digest}`));
  const added = found.filter((p) => {
    const key = `${p.kind}/${p.version}/${p.digest}`;
    if (known.has(key)) return false;
    known.add(key);
    return true;
  });
  return added.length === 0 ? {} : { policies: [...(policies ?? []), ...added] };
}

export interface SummaryInput {
  type: string;
  subject: string;
  tenant: string;
  time: string;
  streamVersion: number;
  data: Record<string, unknown>;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

type Patch = { status?: SummaryStatus; fields: Partial<CaseSummary> };

function intakeOrRoutingPatch(type: string, d: Record<string, unknown>, summary: CaseSummary): Patch | undefined {
  switch (type) {
    case 'complaint.received.v1': {
      const complainant = d.complainant as { customerId?: string; subjectId?: string } | undefined;
      const target = d.target as { kind?: string; name?: string } | undefined;
      return {
        status: 'received',
        fields: {
          reference: str(d.reference),
          channel: str(d.channel),
          customerId: pseudonymousCustomerId(complainant),
          receivedAt: str(d.receivedAt),
          product: target?.kind === 'product' ? str(target.name) : undefined,
        },
      };
    }
    case 'complaint.duplicate-suspected.v1':
      return {
        fields: {
          possibleDuplicateOf: [
            ...(summary.possibleDuplicateOf ?? []),
            (d.duplicateOf as { complaintId: string }).complaintId,
          ],
        },
      };
    case 'complaint.duplicate-link-removed.v1':
      return {
        fields: { possibleDuplicateOf: (summary.possibleDuplicateOf ?? []).filter((id) => id !== d.duplicateOf) },
      };
    case 'complaint.repeat-complainant-flagged.v1':
      return { fields: { repeatComplainant: true } };
    case 'complainant.erased.v1':
      return { fields: { personalDataErasedAt: str(d.erasedAt) } };
    case 'complaint.routed.v1':
      return {
        status: 'routed',
        fields: {
          reference: str(d.reference),
          department: str(d.department),
          queue: str(d.queue),
          category: str(d.category),
          priority: str(d.priority),
          routedAt: str(d.routedAt),
          agentId: str((d.assignment as { agentId?: string } | undefined)?.agentId),
        },
      };
    case 'complaint.rerouted.v1':
      // A supervisor's word on where the case is and what it is about; resolution's reassignment,
      // when it has the case, carries the same and wins (see evolveSummary).
      return {
        fields: {
          department: str(d.department),
          queue: str(d.queue),
          category: str(d.category),
          priority: str(d.priority),
          agentId: str(d.agentId),
        },
      };
    default:
      return undefined;
  }
}

function casePatch(type: string, d: Record<string, unknown>, summary: CaseSummary): Patch {
  switch (type) {
    case 'case.opened.v1': {
      const sla = d.sla as { regime?: string; calendarId?: string; clocks?: { kind?: unknown }[] } | undefined;
      return {
        status: 'open',
        fields: {
          category: str(d.category),
          slaPolicy: str(d.slaPolicy),
          regime: sla?.regime,
          calendarId: sla?.calendarId,
          slaClocks: sla?.clocks?.map((clock) => str(clock.kind) ?? 'unknown'),
          department: str(d.department),
          queue: str(d.queue),
          priority: str(d.priority),
          openedAt: str(d.openedAt),
          acknowledgeBy: str(d.acknowledgeBy),
          resolveBy: str(d.resolveBy),
          linkedCaseId: str(d.linkedCaseId),
        },
      };
    }
    case 'case.acknowledged.v1':
      return { status: 'in-progress', fields: { acknowledgedAt: str(d.acknowledgedAt) } };
    case 'case.validity-judged.v1':
      return { fields: { validity: { valid: d.valid === true, ...(str(d.reason) ? { reason: str(d.reason) } : {}) } } };
    case 'case.resolution-proposed.v1':
      return {
        status: d.approvalRequiredFrom ? 'awaiting-approval' : 'awaiting-customer',
        fields: {
          offeredOptions: (d.options as { optionId: string; kind: string; amount?: number; currency?: string }[]).map(
            ({ optionId, kind, amount, currency }) => ({
              optionId,
              kind,
              ...(amount === undefined ? {} : { amount }),
              ...(currency === undefined ? {} : { currency }),
            }),
          ),
        },
      };
    case 'case.proposal-approved.v1':
      return { status: 'awaiting-customer', fields: {} };
    case 'case.proposal-rejected.v1':
    case 'case.options-rejected.v1':
      return { status: 'in-progress', fields: {} };
    case 'case.resolution-option-refused.v1':
      // Refused at execution: the case is back at work for another proposal (resolution's evolve).
      return summary.status === 'accepted'
        ? { status: 'in-progress', fields: { acceptedOptionId: undefined } }
        : { fields: {} };
    case 'case.option-accepted.v1':
      return { status: 'accepted', fields: { acceptedOptionId: str(d.optionId) } };
    case 'case.escalated.v1':
      return {
        fields: {
          escalationLevel: num(d.level),
          maxEscalationLevel: Math.max(summary.maxEscalationLevel ?? 0, num(d.level) ?? 0),
        },
      };
    case 'case.sla-breached.v1':
      return { fields: { breachedClocks: [...(summary.breachedClocks ?? []), str(d.clock) ?? 'unknown'] } };
    case 'case.follow-on-opened.v1':
      return { fields: { followOnCaseIds: [...(summary.followOnCaseIds ?? []), str(d.followOnCaseId) ?? 'unknown'] } };
    case 'case.resolved.v1':
      return { status: 'resolved', fields: { resolvedAt: str(d.resolvedAt) } };
    case 'case.waiting-on-customer.v1':
      return { fields: { waitingOnCustomer: true, waitedOnCustomer: true } };
    case 'case.resumed.v1':
      return { fields: { waitingOnCustomer: false } };
    case 'case.satisfaction-recorded.v1':
      return { fields: { satisfactionScore: num(d.score) } };
    case 'case.reassigned.v1':
      return {
        fields: {
          department: str(d.department),
          agentId: str(d.agentId),
          // Set when a reroute changed what the case is about (out of triage, always).
          category: str(d.category),
          priority: str(d.priority),
          handOffs: (summary.handOffs ?? 0) + (d.department === d.fromDepartment ? 0 : 1),
        },
      };
    case 'case.closed.v1':
      return {
        status: 'closed',
        fields: { closedAt: str(d.closedAt), rootCause: str(d.rootCause), improvementAction: str(d.improvementAction) },
      };
    case 'case.reopened.v1':
      return {
        status: 'in-progress',
        fields: { reopenCount: (summary.reopenCount ?? 0) + 1, resolvedAt: undefined, closedAt: undefined },
      };
    default:
      return { fields: {} };
  }
}

const PLACEMENT: ReadonlySet<string> = new Set(['department', 'queue', 'category', 'priority', 'agentId']);

const RESOLUTION_STATUSES: ReadonlySet<SummaryStatus> = new Set([
  'open',
  'in-progress',
  'awaiting-approval',
  'awaiting-customer',
  'accepted',
  'resolved',
  'closed',
]);

export function evolveSummary(summary: CaseSummary | undefined, event: SummaryInput): CaseSummary {
  const base: CaseSummary = summary ?? {
    complaintId: event.subject,
    tenant: event.tenant,
    status: 'received',
    caseVersion: 0,
    lastEventAt: event.time,
    eventCount: 0,
  };
  // Spread once into the result (not into an intermediate copy): a rebuild folds a million events.
  const counted = {
    lastEventAt: event.time > base.lastEventAt ? event.time : base.lastEventAt,
    eventCount: base.eventCount + 1,
  };
  const early = intakeOrRoutingPatch(event.type, event.data, base);
  if (early) {
    // Where resolution already placed the case, its placement (opened, reassigned) is newer than
    // routing's: routing only fills what is still missing, in whichever order the topics arrive.
    const placedByResolution = (key: string) =>
      base.caseVersion > 0 && PLACEMENT.has(key) && base[key as keyof CaseSummary] !== undefined;
    const defined = Object.fromEntries(
      Object.entries(early.fields).filter(([k, v]) => v !== undefined && !placedByResolution(k)),
    );
    // Once resolution has the case, its status wins; before that, routed comes after received.
    const status =
      !early.status || RESOLUTION_STATUSES.has(base.status) || (base.status === 'routed' && early.status === 'received')
        ? base.status
        : early.status;
    return { ...base, ...counted, ...defined, ...withPolicies(base.policies, event), status };
  }
  if (!event.type.startsWith('case.')) return { ...base, ...counted };
  if (event.streamVersion <= base.caseVersion) return { ...base, ...counted }; // older than what we have: keep the newer facts
  const patch = casePatch(event.type, event.data, base);
  const fields = Object.fromEntries(
    Object.entries(patch.fields).filter(
      ([k, v]) => v !== undefined || k === 'resolvedAt' || k === 'closedAt' || k === 'acceptedOptionId',
    ),
  );
  return {
    ...base,
    ...counted,
    ...fields,
    ...withPolicies(base.policies, event),
    status: patch.status ?? base.status,
    caseVersion: event.streamVersion,
  };
}
