/**
 * Routing decisions: classify a received complaint and assign its department, queue and priority.
 * Pure: the rule table comes in as data, time on the command's metadata.
 */
import { NotFoundError, type CommandMetadata, type Decider, type DomainEvent } from '@complaints/decider';
import { ESCALATION_KEYWORDS, TRIAGE, type Priority, type RoutingRule } from './rules';

export type { Priority };
const PRIORITY_RANK: Record<Priority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

export interface ComplaintToRoute {
  complaintId: string;
  reference: string;
  customerId?: string;
  receivedAt?: string;
  channel: string;
  description: string;
  demands: string[];
  target: { kind: string; name: string };
}

export interface Classification {
  department: string;
  queue: string;
  category: string;
  priority: Priority;
  ruleId: string | null;
  matchedKeywords: string[];
}

export interface ComplaintRouted extends Classification {
  complaintId: string;
  reference: string;
  customerId?: string;
  /** Carried for the SLA policy (channel) and regulatory clocks (counted from receipt). */
  channel: string;
  receivedAt?: string;
  routedAt: string;
}

export type RoutingEvent = DomainEvent<'ComplaintRouted', ComplaintRouted>;
export type RoutingState = { status: 'unrouted' } | { status: 'routed'; routing: ComplaintRouted };

export interface RouteComplaint {
  type: 'RouteComplaint';
  data: { complaint: ComplaintToRoute; rules: RoutingRule[] };
}

const matches = (text: string, keywords: string[]) => keywords.filter((k) => text.includes(k.toLowerCase()));

/** The rule whose keywords cover the most text wins (longer, more specific words weigh more). */
export function classify(complaint: ComplaintToRoute, rules: RoutingRule[]): Classification {
  const text = [complaint.description, complaint.target.name, ...complaint.demands].join(' \n ').toLowerCase();
  let best: { rule: RoutingRule; matched: string[]; score: number } | undefined;
  for (const rule of rules) {
    const matched = matches(text, rule.keywords);
    const score = matched.reduce((sum, k) => sum + k.length, 0);
    if (score > 0 && (!best || score > best.score)) best = { rule, matched, score };
  }
  const base = best
    ? {
        department: best.rule.department,
        queue: best.rule.queue,
        category: best.rule.category,
        priority: best.rule.priority,
        ruleId: best.rule.id,
        matchedKeywords: best.matched,
      }
    : { ...TRIAGE, ruleId: null, matchedKeywords: [] };
  const threatens = matches(text, ESCALATION_KEYWORDS);
  const floor: Priority = complaint.channel === 'regulator' ? 'urgent' : threatens.length > 0 ? 'high' : 'low';
  return {
    ...base,
    priority: PRIORITY_RANK[floor] > PRIORITY_RANK[base.priority] ? floor : base.priority,
    matchedKeywords: [...base.matchedKeywords, ...threatens],
  };
}

function decide(command: RouteComplaint, state: RoutingState, meta: CommandMetadata): RoutingEvent[] {
  // Routing a complaint a second time is a no-op: the first decision stands until a reroute.
  if (state.status === 'routed') return [];
  const { complaint, rules } = command.data;
  if (!complaint.complaintId) throw new NotFoundError('Complaint', '(missing id)');
  return [
    {
      type: 'ComplaintRouted',
      data: {
        complaintId: complaint.complaintId,
        reference: complaint.reference,
        ...(complaint.customerId ? { customerId: complaint.customerId } : {}),
        channel: complaint.channel,
        ...(complaint.receivedAt ? { receivedAt: complaint.receivedAt } : {}),
        ...classify(complaint, rules),
        routedAt: meta.now.toISOString(),
      },
    },
  ];
}

export const routingDecider: Decider<RouteComplaint, RoutingState, RoutingEvent> = {
  initialState: () => ({ status: 'unrouted' }),
  decide,
  evolve: (state, event) => (event.type === 'ComplaintRouted' ? { status: 'routed', routing: event.data } : state),
};

export const routingStream = (complaintId: string) => `routing-${complaintId}`;
