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

  it('counts a case rerouted out of triage under the category and priority the reroute gave it, in every order', () => {
    const triaged = {
      ...routed,
      data: { ...routed.data, department: 'triage', queue: 'triage', category: 'unclassified' },
    };
    const openedInTriage = {
      ...opened,
      data: { ...opened.data, department: 'triage', category: 'unclassified', priority: 'normal' },
    };
    const rerouted = ev('complaint.rerouted.v1', '2026-03-01T10:00:00.000Z', {
      department: 'billing',
      queue: 'power-billing',
      category: 'billing-tariff',
      priority: 'high',
      from: { department: 'triage', queue: 'triage', category: 'unclassified', priority: 'normal' },
    });
    const reassigned = ev(
      'case.reassigned.v1',
      '2026-03-01T10:00:01.000Z',
      { fromDepartment: 'triage', department: 'billing', category: 'billing-tariff', priority: 'high' },
      2,
    );
    const orders = [
      [received, triaged, openedInTriage, rerouted, reassigned],
      [received, triaged, rerouted, openedInTriage, reassigned],
      [received, triaged, openedInTriage, reassigned, rerouted],
      [openedInTriage, reassigned, received, triaged, rerouted],
    ];
    for (const order of orders) {
      expect(fold(order)).toMatchObject({ department: 'billing', category: 'billing-tariff', priority: 'high' });
    }
    // Before resolution has the case, routing's reroute is the latest word on it.
    expect(fold([received, triaged, rerouted])).toMatchObject({
      department: 'billing',
      category: 'billing-tariff',
      priority: 'high',
      queue: 'power-billing',
    });
  });

  it('keeps what the KPIs need: product, policy, highest escalation, department hand-offs, waiting and the closure', () => {
    const withProduct = { ...received, data: { ...received.data, target: { kind: 'product', name: 'credit card' } } };
    const openedWithPolicy = {
      ...opened,
      data: {
        ...opened.data,
        category: 'fees',
        slaPolicy: 'uk-fca-disp',
        sla: {
          regime: 'UK-FCA-DISP',
          calendarId: 'GB-ENG',
          clocks: [{ kind: 'acknowledgement' }, { kind: 'regulatory' }],
        },
      },
    };
    const steps = [
      ev('case.escalated.v1', '2026-03-02T00:00:00.000Z', { level: 2 }, 2),
      ev('case.escalated.v1', '2026-03-02T01:00:00.000Z', { level: 1 }, 3),
      ev('case.reassigned.v1', '2026-03-02T02:00:00.000Z', { fromDepartment: 'metering', department: 'metering' }, 4),
      ev('case.reassigned.v1', '2026-03-02T03:00:00.000Z', { fromDepartment: 'metering', department: 'billing' }, 5),
      ev('case.waiting-on-customer.v1', '2026-03-02T04:00:00.000Z', {}, 6),
      ev('case.resumed.v1', '2026-03-02T05:00:00.000Z', {}, 7),
      ev(
        'case.closed.v1',
        '2026-03-03T00:00:00.000Z',
        { rootCause: 'meter fault', improvementAction: 'recalibrate' },
        8,
      ),
    ];
    expect(fold([withProduct, openedWithPolicy, ...steps])).toMatchObject({
      product: 'credit card',
      category: 'fees',
      slaPolicy: 'uk-fca-disp',
      regime: 'UK-FCA-DISP',
      calendarId: 'GB-ENG',
      slaClocks: ['acknowledgement', 'regulatory'],
      escalationLevel: 1,
      maxEscalationLevel: 2,
      handOffs: 1,
      department: 'billing',
      waitingOnCustomer: false,
      waitedOnCustomer: true,
      rootCause: 'meter fault',
      improvementAction: 'recalibrate',
    });
  });

  it('names every policy version a decision on the case was taken under, once, in the order they were used', () => {
    const digest = (c: string) => c.repeat(64);
    const sla0 = { kind: 'sla', version: 0, digest: digest('a'), policyId: 'CN-NFRA' };
    const rules = { kind: 'routing-rules', version: 3, digest: digest('b') };
    const limits = { kind: 'approval-limits', version: 2, digest: digest('c') };
    const directory = { kind: 'escalation-directory', version: 1, digest: digest('d') };
    const summary = fold([
      received,
      ev('complaint.routed.v1', '2026-03-01T08:00:01.000Z', { department: 'metering', rulesPolicy: rules }),
      ev(
        'case.opened.v1',
        '2026-03-01T08:00:02.000Z',
        {
          department: 'metering',
          sla: {
            regime: 'CN-NFRA',
            calendarId: 'CN',
            clocks: [
              { kind: 'acknowledgement', decidedBy: sla0 },
              { kind: 'resolution', decidedBy: sla0 },
            ],
          },
        },
        1,
      ),
      ev('case.resolution-proposed.v1', '2026-03-02T08:00:00.000Z', { options: [], limitsPolicyVersion: limits }, 2),
      ev('case.escalated.v1', '2026-03-03T08:00:00.000Z', { level: 1, directoryPolicy: directory }, 3),
      ev('case.escalated.v1', '2026-03-04T08:00:00.000Z', { level: 2, directoryPolicy: directory }, 4),
    ]);
    expect(summary.policies).toEqual([
      {
        kind: 'routing-rules',
        version: 3,
        digest: digest('b'),
        event: 'complaint.routed.v1',
        at: '2026-03-01T08:00:01.000Z',
      },
      { kind: 'sla', version: 0, digest: digest('a'), event: 'case.opened.v1', at: '2026-03-01T08:00:02.000Z' },
      {
        kind: 'approval-limits',
        version: 2,
        digest: digest('c'),
        event: 'case.resolution-proposed.v1',
        at: '2026-03-02T08:00:00.000Z',
      },
      {
        kind: 'escalation-directory',
        version: 1,
        digest: digest('d'),
        event: 'case.escalated.v1',
        at: '2026-03-03T08:00:00.000Z',
      },
    ]);
    // A case decided before policy versions names none.
    expect(fold([received, routed, opened]).policies).toBeUndefined();
  });

  it('puts a case back in progress when the option the customer accepted was refused at execution', () => {
    const summary = fold([
      received,
      routed,
      opened,
      acknowledged,
      ev('case.option-accepted.v1', '2026-03-02T08:00:00.000Z', { optionId: 'option-1' }, 3),
      ev('case.resolution-option-refused.v1', '2026-03-02T09:00:00.000Z', { kind: 'fee-waiver' }, 4),
    ]);
    expect(summary.status).toBe('in-progress');
    expect(summary.acceptedOptionId).toBeUndefined();
  });
});
