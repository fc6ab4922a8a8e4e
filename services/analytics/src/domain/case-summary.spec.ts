import { evolveSummary, type CaseSummary, type SummaryInput } from './case-summary';

const id = '0190a1b2-0000-7000-8000-000000000001';
const ev = (type: string, time: string, data: Record<string, unknown>, streamVersion = 1): SummaryInput => ({
  type,
  subject: id,
  tenant: 't',
  time,
  streamVersion,
  data,
});
const received = ev('complaint.received.v1', '2026-03-01T08:00:00.000Z', {
  reference: 'CMP-2026-000001',
  channel: 'hotline',
  receivedAt: '2026-03-01T08:00:00.000Z',
  complainant: { customerId: 'C-1' },
});
const routed = ev('complaint.routed.v1', '2026-03-01T08:00:01.000Z', {
  department: 'metering',
  priority: 'normal',
  routedAt: '2026-03-01T08:00:01.000Z',
});
const opened = ev(
  'case.opened.v1',
  '2026-03-01T08:00:02.000Z',
  { department: 'metering', resolveBy: '2026-03-16T08:00:02.000Z', openedAt: '2026-03-01T08:00:02.000Z' },
  1,
);
const acknowledged = ev(
  'case.acknowledged.v1',
  '2026-03-01T09:00:00.000Z',
  { acknowledgedAt: '2026-03-01T09:00:00.000Z' },
  2,
);
const fold = (events: SummaryInput[]) => events.reduce<CaseSummary | undefined>(evolveSummary, undefined)!;

describe('the case summary projection', () => {
  it('follows a case from received to in progress', () => {
    expect(fold([received, routed, opened, acknowledged])).toMatchObject({
      status: 'in-progress',
      reference: 'CMP-2026-000001',
      channel: 'hotline',
      customerId: 'C-1',
      department: 'metering',
      eventCount: 4,
      caseVersion: 2,
      lastEventAt: '2026-03-01T09:00:00.000Z',
    });
  });

  it('does not move the status backwards when topics deliver out of order', () => {
    expect(fold([opened, acknowledged, received, routed])).toMatchObject({
      status: 'in-progress',
      reference: 'CMP-2026-000001',
      department: 'metering',
      eventCount: 4,
    });
  });

  it('ignores a resolution event older than one already applied', () => {
    expect(fold([received, opened, acknowledged, { ...opened }])).toMatchObject({
      status: 'in-progress',
      caseVersion: 2,
    });
  });

  it('reopens a closed case and counts the reopening', () => {
    const closed = ev('case.closed.v1', '2026-03-02T00:00:00.000Z', { closedAt: '2026-03-02T00:00:00.000Z' }, 3);
    const reopened = ev('case.reopened.v1', '2026-03-03T00:00:00.000Z', { reopenedAt: '2026-03-03T00:00:00.000Z' }, 4);
    const summary = fold([received, opened, acknowledged, closed, reopened]);
    expect(summary).toMatchObject({ status: 'in-progress', reopenCount: 1 });
    expect(summary.closedAt).toBeUndefined();
  });

  it('lists the SLA clocks the case breached', () => {
    const breached = ev('case.sla-breached.v1', '2026-03-03T17:00:00.000Z', { clock: 'acknowledgement' }, 3);
    expect(fold([received, opened, breached])).toMatchObject({ status: 'open', breachedClocks: ['acknowledgement'] });
  });

  it('comes out the same in every interleaving of the three topics (as a rebuild reads them)', () => {
    const routedToAgent = { ...routed, data: { ...routed.data, queue: 'meters', assignment: { agentId: 'a-1' } } };
    const reassigned = ev(
      'case.reassigned.v1',
      '2026-03-01T10:00:00.000Z',
      { department: 'complaints-office', agentId: 'officer-1' },
      3,
    );
    const interleavings = (lists: SummaryInput[][]): SummaryInput[][] =>
      lists.every((l) => l.length === 0)
        ? [[]]
        : lists.flatMap((list, i) =>
            list.length === 0
              ? []
              : interleavings(lists.map((l, j) => (j === i ? l.slice(1) : l))).map((rest) => [list[0]!, ...rest]),
          );
    const all = interleavings([[received], [routedToAgent], [opened, acknowledged, reassigned]]);
    expect(all).toHaveLength(20);
    const summaries = all.map(fold);
    for (const summary of summaries) expect(summary).toEqual(summaries[0]);
    expect(summaries[0]).toMatchObject({ department: 'complaints-office', agentId: 'officer-1', queue: 'meters' });
  });
});
