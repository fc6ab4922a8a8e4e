import { openDatabase, type Database } from '@complaints/eventstore';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { eventually } from '../../../../../test/support/database';
import { caseEvents, t, type CaseSpec } from '../../../../../test/fixtures/case-events';
import { startInProcess, type InProcessService } from '../../../../../test/support/in-process';
import { analyticsService } from '../../analytics.module';
import { loadDepartmentEvents } from './kpi-queries';
import { as, type Who } from '../../../../../test/support/auth';

// The first figures build working calendars (holidays of three years): slow on a loaded machine.
jest.setTimeout(30_000);

const TENANT = 'bank-a';

/** A case of bank-a under the UK policy (London: GMT in November, 09:00–17:30, no bank holiday in Oct–Nov 2026). */
const ukCase = (spec: Omit<CaseSpec, 'tenant' | 'policy' | 'channel'>): CaseSpec => ({
  tenant: TENANT,
  policy: 'uk',
  channel: 'hotline',
  ...spec,
});

/**
 * Three departments' cases. A case counts for the department it is with now: AB was opened in
 * cards and handed to fraud, so its figures are fraud's, while its first day is cards' time.
 * Calendar / business hours from receipt beside each step.
 */
const CASES: CaseSpec[] = [
  // A0, cards: received in October, resolved Mon 2 Nov (within 8 weeks, after 3 business days). Only in the returns.
  ukCase({
    customerId: 'C-0',
    category: 'card-fees',
    department: 'cards',
    received: t('10-01 10:00'),
    steps: [['resolved', t('11-02 10:00')]],
  }),
  // A1, cards: Mon 2 Nov 10:00. Ack 1 h / 1 h. Resolved Wed 4 12:00: 50 h; 7.5 + 8.5 + 3 = 19 business h. Upheld.
  ukCase({
    customerId: 'C-1',
    category: 'card-fees',
    department: 'cards',
    received: t('11-02 10:00'),
    steps: [
      ['acknowledged', t('11-02 11:00')],
      ['validity-judged', t('11-02 12:00')],
      ['resolved', t('11-04 12:00')],
      ['closed', t('11-11 10:00'), { rootCause: 'fee charged in error' }],
    ],
  }),
  // A2, cards: Tue 3 Nov 09:00. Ack 13:00: 4 h / 4 h. Resolution clock breached, escalated; open.
  ukCase({
    customerId: 'C-2',
    category: 'card-fees',
    department: 'cards',
    received: t('11-03 09:00'),
    steps: [
      ['acknowledged', t('11-03 13:00')],
      ['sla-breached', t('11-16 00:00')],
      ['escalated', t('11-17 09:00')],
    ],
  }),
  // AB, cards then fraud: Wed 4 Nov 09:00. Ack 1 h / 1 h. In cards until Thu 5 09:00 (24 h; 8.5 business h), in
  // fraud until resolved Fri 6 12:00 (27 h; 8.5 + 3 = 11.5). From receipt: 51 h; 8.5 + 8.5 + 3 = 20 business h.
  ukCase({
    customerId: 'C-3',
    category: 'card-fraud',
    department: 'cards',
    received: t('11-04 09:00'),
    steps: [
      ['acknowledged', t('11-04 10:00')],
      ['reassigned', t('11-05 09:00'), { fromDepartment: 'cards', department: 'fraud' }],
      ['resolved', t('11-06 12:00')],
    ],
  }),
  // B1, fraud: Mon 2 Nov 14:00. Ack Tue 3 09:30: 19.5 h; 3.5 + 0.5 = 4 business h. Escalated; open.
  ukCase({
    customerId: 'C-4',
    category: 'card-fraud',
    department: 'fraud',
    received: t('11-02 14:00'),
    steps: [
      ['acknowledged', t('11-03 09:30')],
      ['escalated', t('11-04 09:00')],
    ],
  }),
  // L1, loans: Mon 9 Nov 10:00. Ack 10:30: 0.5 h / 0.5 h. Resolved 16:00: 6 h / 6 h.
  ukCase({
    customerId: 'C-5',
    category: 'loans',
    department: 'loans',
    received: t('11-09 10:00'),
    steps: [
      ['acknowledged', t('11-09 10:30')],
      ['resolved', t('11-09 16:00')],
    ],
  }),
  // L2, loans: Tue 10 Nov 10:00; not acknowledged, open.
  ukCase({ customerId: 'C-6', category: 'loans', department: 'loans', received: t('11-10 10:00'), steps: [] }),
];

const NOVEMBER = `from=${t('11-01 00:00')}&to=${t('12-01 00:00')}`;

const headOf = (...departments: string[]): Who => ({ role: 'department-head', tenant: TENANT, departments });
const SUPERVISOR: Who = { role: 'supervisor', tenant: TENANT };
const AUDITOR: Who = { role: 'auditor', tenant: TENANT };

/** The rows every department's time is reported with: cards, fraud and loans as worked out beside the cases. */
const TIME = {
  // A1 50 h / 19 and AB 24 h / 8.5: 74 h, 27.5 business h, 37 per case; AB handed out. A2 still running.
  cards: {
    department: 'cards',
    cases: 2,
    spells: 2,
    hours: 74,
    businessHours: 27.5,
    averageHoursPerCase: 37,
    handOffsIn: 0,
    handOffsOut: 1,
  },
  // AB 27 h / 11.5, handed in. B1 still running.
  fraud: {
    department: 'fraud',
    cases: 1,
    spells: 1,
    hours: 27,
    businessHours: 11.5,
    averageHoursPerCase: 27,
    handOffsIn: 1,
    handOffsOut: 0,
  },
  // L1 6 h / 6. L2 still running.
  loans: {
    department: 'loans',
    cases: 1,
    spells: 1,
    hours: 6,
    businessHours: 6,
    averageHoursPerCase: 6,
    handOffsIn: 0,
    handOffsOut: 0,
  },
};

describe("a department head's KPIs cover its own departments' cases", () => {
  let analytics: InProcessService;
  let bus: Database;
  const fetchAs = async (who: Who, path: string) => fetch(`${analytics.base}/${path}`, { headers: await as(who) });
  const get = async (who: Who, path: string) => {
    const response = await fetchAs(who, path);
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    analytics = await startInProcess(analyticsService);
    bus = await openDatabase({ url: analytics.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
    const events = CASES.flatMap(caseEvents);
    await new PostgresTransport(bus).publish(events);
    await eventually('every event projected', async () => {
      const { rows } = await analytics.db.query<{ n: string }>('SELECT count(*) AS n FROM case_history');
      return Number(rows[0]!.n) === events.length ? true : undefined;
    });
  }, 60_000);
  afterAll(async () => {
    await bus?.close();
    await analytics?.close();
  });

  it('counts volumes by department of its departments only', async () => {
    const byDepartment = `kpis/volumes?by=department&period=month&${NOVEMBER}`;
    // cards now holds A1 A2 (AB went to fraud); fraud AB B1; loans L1 L2. A0 came in October.
    expect((await get(headOf('cards'), byDepartment)).rows).toEqual([
      { period: '2026-11-01', department: 'cards', complaints: 2 },
    ]);
    expect((await get(headOf('cards', 'fraud'), byDepartment)).rows).toEqual([
      { period: '2026-11-01', department: 'cards', complaints: 2 },
      { period: '2026-11-01', department: 'fraud', complaints: 2 },
    ]);
    expect((await get(SUPERVISOR, byDepartment)).rows).toEqual([
      { period: '2026-11-01', department: 'cards', complaints: 2 },
      { period: '2026-11-01', department: 'fraud', complaints: 2 },
      { period: '2026-11-01', department: 'loans', complaints: 2 },
    ]);
    // By tenant: its own tenant, counting its own departments' cases.
    expect(
      (await get(headOf('cards'), `kpis/volumes?by=tenant&period=month&${NOVEMBER}&tenant=${TENANT}`)).rows,
    ).toEqual([{ period: '2026-11-01', tenant: TENANT, complaints: 2 }]);
    expect((await get(SUPERVISOR, `kpis/volumes?by=tenant&period=month&${NOVEMBER}`)).rows).toEqual([
      { period: '2026-11-01', tenant: TENANT, complaints: 6 },
    ]);
  });

  it('gives handling times and rates over its departments only', async () => {
    // cards: A1 A2. Acknowledged in 1 and 4 h (business the same): median 2.5, p90 at rank 0.9: 1 + 0.9·3 = 3.7.
    // Resolved: A1 only, 50 h / 19. Breached: A2, 1 of 2; escalated: A2, 1 of 2.
    expect(await get(headOf('cards'), `kpis/handling?${NOVEMBER}`)).toEqual({
      cases: 2,
      acknowledged: 2,
      resolved: 1,
      hoursToAcknowledge: { median: 2.5, p90: 3.7 },
      hoursToResolve: { median: 50, p90: 50 },
      businessHoursToAcknowledge: { median: 2.5, p90: 3.7 },
      businessHoursToResolve: { median: 19, p90: 19 },
      slaBreachRate: 0.5,
      escalationRate: 0.5,
      reopenRate: 0,
    });
    // cards and fraud: A1 A2 AB B1. Acknowledged: 1 4 1 19.5 → 1 1 4 19.5: median 2.5, p90 at rank 2.7:
    // 4 + 0.7·15.5 = 14.85; business 1 4 1 4 → 1 1 4 4: median 2.5, p90 4. Resolved: A1 50 / 19, AB 51 / 20:
    // median 50.5 / 19.5, p90 50.9 / 19.9. Breached: A2, 1 of 4; escalated: A2 B1, 2 of 4.
    expect(await get(headOf('cards', 'fraud'), `kpis/handling?${NOVEMBER}`)).toEqual({
      cases: 4,
      acknowledged: 4,
      resolved: 2,
      hoursToAcknowledge: { median: 2.5, p90: 14.85 },
      hoursToResolve: { median: 50.5, p90: 50.9 },
      businessHoursToAcknowledge: { median: 2.5, p90: 4 },
      businessHoursToResolve: { median: 19.5, p90: 19.9 },
      slaBreachRate: 0.25,
      escalationRate: 0.5,
      reopenRate: 0,
    });
    // Everyone's (an oversight role): the six November cases. Acknowledged (5; L2 never): 0.5 1 1 4 19.5: median 1,
    // p90 at rank 3.6: 4 + 0.6·15.5 = 13.3; business 0.5 1 1 4 4: median 1, p90 4. Resolved: 6 50 51: median 50,
    // p90 at rank 1.8: 50.8; business 6 19 20: median 19, p90 19.8. Breached 1 of 6, escalated 2 of 6.
    expect(await get(SUPERVISOR, `kpis/handling?${NOVEMBER}`)).toEqual({
      cases: 6,
      acknowledged: 5,
      resolved: 3,
      hoursToAcknowledge: { median: 1, p90: 13.3 },
      hoursToResolve: { median: 50, p90: 50.8 },
      businessHoursToAcknowledge: { median: 1, p90: 4 },
      businessHoursToResolve: { median: 19, p90: 19.8 },
      slaBreachRate: 0.1667,
      escalationRate: 0.3333,
      reopenRate: 0,
    });
  });

  it("gives the time cases spent in its own departments' hands and the hand-offs into and out of them", async () => {
    const departments = `kpis/departments?${NOVEMBER}`;
    const handedToFraud = [{ from: 'cards', to: 'fraud', handOffs: 1 }];
    // The head of cards sees AB's day in cards (AB is fraud's case now), not its time in fraud.
    expect(await get(headOf('cards'), departments)).toEqual({ rows: [TIME.cards], handOffs: handedToFraud });
    expect(await get(headOf('fraud'), departments)).toEqual({ rows: [TIME.fraud], handOffs: handedToFraud });
    expect(await get(headOf('loans'), departments)).toEqual({ rows: [TIME.loans], handOffs: [] });
    expect(await get(headOf('cards', 'fraud'), departments)).toEqual({
      rows: [TIME.cards, TIME.fraud],
      handOffs: handedToFraud,
    });
    expect(await get(SUPERVISOR, departments)).toEqual({
      rows: [TIME.cards, TIME.fraud, TIME.loans],
      handOffs: handedToFraud,
    });
  });

  it('loads for department time only the cases its departments held, each with all its moves', async () => {
    const scope = { from: t('11-01 00:00'), to: t('12-01 00:00'), tenant: TENANT, departments: ['fraud'] };
    const events = await loadDepartmentEvents(analytics.db, scope);
    // AB (opened in cards, handed to fraud, resolved) and B1 (opened in fraud): nothing of cards' or loans' own cases.
    const byCase = [...new Set(events.map((e) => e.complaintId))].map((id) =>
      events.filter((e) => e.complaintId === id).map((e) => [e.type, e.data.department]),
    );
    expect(byCase).toEqual(
      expect.arrayContaining([
        [
          ['case.opened.v1', 'cards'],
          ['case.reassigned.v1', 'fraud'],
          ['case.resolved.v1', undefined],
        ],
        [['case.opened.v1', 'fraud']],
      ]),
    );
    expect(byCase).toHaveLength(2);
  });

  it('builds the regulator return over its departments only, in JSON and CSV', async () => {
    // cards' cases touching November: A0 (October, resolved 2 Nov: after 3 business days, within 8 weeks), A1
    // (within 3 business days, upheld), A2 (open). No product named: the category is the product.
    const cardFees = {
      product: 'card-fees',
      opened: 2,
      closed: 2,
      closedWithin3BusinessDays: 1,
      closedAfter3BusinessDaysWithin8Weeks: 1,
      closedAfter8Weeks: 0,
      upheld: 1,
      upheldPercent: 50,
      openAtPeriodEnd: 1,
    };
    const { product: _, ...cardsTotal } = cardFees;
    expect(await get(headOf('cards'), `reports/fca?${NOVEMBER}`)).toEqual({
      return: 'FCA DISP 1.10 style',
      period: { from: t('11-01 00:00'), to: t('12-01 00:00') },
      total: cardsTotal,
      rows: [cardFees],
    });
    const csv = await fetchAs(headOf('cards'), `reports/fca?${NOVEMBER}&format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toBe(
      [
        'product,opened,closed,closedWithin3BusinessDays,closedAfter3BusinessDaysWithin8Weeks,closedAfter8Weeks,upheld,upheldPercent,openAtPeriodEnd',
        'card-fees,2,2,1,1,0,1,50,1',
        'total,2,2,1,1,0,1,50,1',
        '',
      ].join('\n'),
    );
    // The auditor's return adds card-fraud (AB closed within 3 business days, B1 open) and loans (L1 the same
    // day, L2 open); none of them judged: 1 upheld of 4 closed.
    const auditors = (await get(AUDITOR, `reports/fca?${NOVEMBER}`)) as { total: unknown; rows: { product: string }[] };
    expect(auditors.rows.map((row) => row.product)).toEqual(['card-fees', 'card-fraud', 'loans']);
    expect(auditors.total).toEqual({
      opened: 6,
      closed: 4,
      closedWithin3BusinessDays: 3,
      closedAfter3BusinessDaysWithin8Weeks: 1,
      closedAfter8Weeks: 0,
      upheld: 1,
      upheldPercent: 25,
      openAtPeriodEnd: 3,
    });
  });

  it('exports a KPI as CSV with its departments only', async () => {
    const response = await fetchAs(
      headOf('cards', 'fraud'),
      `kpis/volumes?by=department&period=month&${NOVEMBER}&format=csv`,
    );
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="volumes.csv"');
    expect(await response.text()).toBe(
      ['period,department,complaints', '2026-11-01,cards,2', '2026-11-01,fraud,2', ''].join('\n'),
    );
  });

  it('gives a department head without departments empty figures, not everyone’s', async () => {
    const nobody = headOf();
    expect((await get(nobody, `kpis/volumes?by=department&${NOVEMBER}`)).rows).toEqual([]);
    expect(await get(nobody, `kpis/handling?${NOVEMBER}`)).toEqual({
      cases: 0,
      acknowledged: 0,
      resolved: 0,
      hoursToAcknowledge: { median: null, p90: null },
      hoursToResolve: { median: null, p90: null },
      businessHoursToAcknowledge: { median: null, p90: null },
      businessHoursToResolve: { median: null, p90: null },
      slaBreachRate: null,
      escalationRate: null,
      reopenRate: null,
    });
    expect(await get(nobody, `kpis/departments?${NOVEMBER}`)).toEqual({ rows: [], handOffs: [] });
    expect((await get(nobody, `reports/nfra?${NOVEMBER}`)).rows).toEqual([]);
    // A department no case is in is the same.
    expect((await get(headOf('wealth'), `kpis/outcomes?${NOVEMBER}`)).cases).toBe(0);
  });

  it("refuses another tenant's figures to a department head as to everyone", async () => {
    const response = await fetchAs(headOf('cards'), `kpis/handling?${NOVEMBER}&tenant=bank-b`);
    expect(response.status).toBe(403);
  });
});
