/**
 * The current summary of a case, folded from the integration events of every service. Events of
 * different topics may arrive in any order, so each event fills its own fields and the status
 * never moves backwards.
 */
export type SummaryStatus = 'received' | 'routed' | 'open' | 'acknowledged' | 'resolved' | 'closed';
const RANK: Record<SummaryStatus, number> = {
  received: 0,
  routed: 1,
  open: 2,
  acknowledged: 3,
  resolved: 4,
  closed: 5,
};

export interface CaseSummary {
  complaintId: string;
  tenant: string;
  status: SummaryStatus;
  reference?: string;
  channel?: string;
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
  lastEventAt: string;
  eventCount: number;
}

export interface SummaryInput {
  type: string;
  subject: string;
  tenant: string;
  time: string;
  data: Record<string, unknown>;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function patchOf(event: SummaryInput): { status?: SummaryStatus; fields: Partial<CaseSummary> } {
  const d = event.data;
  switch (event.type) {
    case 'complaint.received.v1':
      return {
        status: 'received',
        fields: { reference: str(d.reference), channel: str(d.channel), receivedAt: str(d.receivedAt) },
      };
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
        },
      };
    case 'case.opened.v1':
      return {
        status: 'open',
        fields: {
          department: str(d.department),
          queue: str(d.queue),
          priority: str(d.priority),
          openedAt: str(d.openedAt),
          acknowledgeBy: str(d.acknowledgeBy),
          resolveBy: str(d.resolveBy),
        },
      };
    case 'case.acknowledged.v1':
      return { status: 'acknowledged', fields: { acknowledgedAt: str(d.acknowledgedAt) } };
    case 'case.resolved.v1':
      return { status: 'resolved', fields: { resolvedAt: str(d.resolvedAt) } };
    case 'case.closed.v1':
      return { status: 'closed', fields: { closedAt: str(d.closedAt) } };
    default:
      return { fields: {} };
  }
}

export function evolveSummary(summary: CaseSummary | undefined, event: SummaryInput): CaseSummary {
  const { status, fields } = patchOf(event);
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  const base: CaseSummary = summary ?? {
    complaintId: event.subject,
    tenant: event.tenant,
    status: status ?? 'received',
    lastEventAt: event.time,
    eventCount: 0,
  };
  return {
    ...base,
    ...defined,
    status: status && RANK[status] > RANK[base.status] ? status : base.status,
    lastEventAt: event.time > base.lastEventAt ? event.time : base.lastEventAt,
    eventCount: base.eventCount + 1,
  };
}
