import { openDatabase, type Database } from '@complaints/eventstore';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { eventually } from '../../../../../test/support/database';
import { caseEvents, t, type CaseSpec } from '../../../../../test/fixtures/case-events';
import { startInProcess, type InProcessService } from '../../../../../test/support/in-process';
import { analyticsService } from '../../analytics.module';
import { api } from '../../../../../test/support/auth';

// The first figures build working calendars (holidays of three years): slow on a loaded machine.
jest.setTimeout(30_000);

/**
 * Ten cases, November 2026 the reporting period. London works 09:00–17:30 (8.5 h), Shanghai
 * 09:00–17:00 (8 h); no public holiday falls in November in either. Calendar / business hours
 * from receipt are worked out beside each step.
 */
const CASES: Record<string, CaseSpec> = {
  // Mon 2 Nov 10:00 London. Ack 1 h / 1 h. Resolved Wed 4 12:00: 50 h; 7.5 + 8.5 + 3 = 19 business h;
  // by the 3rd business day (Thu 5 17:30). A reassignment to another agent of the same department is no hand-off.
  U1: {
    tenant: 'bank-uk',
    policy: 'uk',
    customerId: 'C-1',
    channel: 'hotline',
    product: 'current account',
    category: 'fees',
    department: 'cards',
    received: t('11-02 10:00'),
    steps: [
      ['acknowledged', t('11-02 11:00')],
      ['validity-judged', t('11-02 12:00')],
      ['reassigned', t('11-03 09:00'), { fromDepartment: 'cards', department: 'cards', agentId: 'agent-2' }],
      ['resolved', t('11-04 12:00')],
      ['satisfaction-recorded', t('11-09 10:00'), { score: 5 }],
      ['closed', t('11-11 10:00'), { rootCause: 'fee charged in error', improvementAction: 'fix fee rule' }],
    ],
  },
  // Fri 6 Nov 16:00. Ack Mon 9 10:00: 66 h; 1.5 + 1 = 2.5 business h. Resolved Thu 12 16:00: 144 h;
  // 1.5 + 8.5·3 + 7 = 34 business h (GB calendar found from the policy id); after the 3rd business day
  // (Wed 11 17:30), within 8 weeks. Not upheld. Waited on the customer, so no first-contact resolution.
  U2: {
    tenant: 'bank-uk',
    policy: 'ukWithoutDetails',
    customerId: 'C-1',
    channel: 'web',
    product: 'current account',
    category: 'fees',
    department: 'cards',
    received: t('11-06 16:00'),
    steps: [
      ['acknowledged', t('11-09 10:00')],
      ['validity-judged', t('11-09 11:00'), { valid: false, reason: 'charged as the terms say' }],
      ['waiting-on-customer', t('11-10 10:00')],
      ['resumed', t('11-11 10:00')],
      ['resolved', t('11-12 16:00')],
      ['satisfaction-recorded', t('11-16 10:00'), { score: 3 }],
      [
        'closed',
        t('11-19 10:00'),
        { rootCause: 'customer misunderstood terms', improvementAction: 'clearer tariff leaflet' },
      ],
    ],
  },
  // Tue 3 Nov 09:00. Ack 13:00: 4 h / 4 h. Cards until Wed 4 09:00 (24 h; 8.5 business h), then fraud until
  // resolved Fri 20 12:00 (387 h; 8.5·3 + 8.5·5 + 8.5·4 + 3 = 105 business h). From receipt: 411 h; 113.5 business h.
  // Escalated to level 2; resolution clock breached. Upheld, closed after 3 business days, within 8 weeks.
  U3: {
    tenant: 'bank-uk',
    policy: 'uk',
    customerId: 'C-2',
    channel: 'email',
    product: 'credit card',
    category: 'fraud',
    department: 'cards',
    received: t('11-03 09:00'),
    steps: [
      ['acknowledged', t('11-03 13:00')],
      ['validity-judged', t('11-03 14:00')],
      ['reassigned', t('11-04 09:00'), { fromDepartment: 'cards', department: 'fraud' }],
      ['escalated', t('11-05 09:00')],
      ['escalated', t('11-06 09:00'), { fromLevel: 1, level: 2, escalatedTo: 'department-head' }],
      ['sla-breached', t('11-19 00:00')],
      ['resolved', t('11-20 12:00')],
      ['satisfaction-recorded', t('11-27 10:00'), { score: 2 }],
    ],
  },
  // Thu 1 Oct (before the period). Resolved Mon 30 Nov 10:00: after 8 weeks (due end of Thu 26 Nov). Upheld.
  U4: {
    tenant: 'bank-uk',
    policy: 'uk',
    customerId: 'C-3',
    channel: 'letter',
    product: 'mortgage',
    category: 'arrears',
    department: 'mortgages',
    received: t('10-01 10:00'),
    steps: [
      ['validity-judged', t('10-05 10:00')],
      ['resolved', t('11-30 10:00')],
    ],
  },
  // Mon 30 Nov 15:00; still open on 1 December. Ack Tue 1 Dec 10:00: 19 h; 2.5 + 1 = 3.5 business h.
  U5: {
    tenant: 'bank-uk',
    policy: 'uk',
    customerId: 'C-2',
    channel: 'app',
    product: 'credit card',
    category: 'fraud',
    department: 'fraud',
    received: t('11-30 15:00'),
    flaggedRepeat: true,
    steps: [['acknowledged', t('12-01 10:00')]],
  },
  // Mon 2 Nov 10:00 Shanghai. Ack 1 h / 1 h. Resolved Tue 10 Nov 10:00: 192 h; 7 + 8·4 + 8 + 1 = 48 business h.
  N1: {
    tenant: 'bank-cn',
    policy: 'cn',
    customerId: 'D-1',
    channel: 'hotline',
    category: 'card-fees',
    department: 'cards',
    received: t('11-02 02:00'),
    steps: [
      ['acknowledged', t('11-02 03:00')],
      ['validity-judged', t('11-02 04:00')],
      ['resolved', t('11-10 02:00')],
      ['satisfaction-recorded', t('11-11 02:00'), { score: 4 }],
      ['closed', t('11-12 02:00'), { rootCause: 'fee charged in error', improvementAction: 'refund fee and fix rule' }],
    ],
  },
  // Tue 3 Nov 10:00 Shanghai. Ack 4 h / 4 h. Resolved Fri 27 Nov 10:00: 576 h; 7 + 24 + 40 + 40 + 32 + 1 = 144
  // business h; after 15 days (end of 18 Nov), within 30. Regulatory and resolution clocks breached, escalated to 1.
  N2: {
    tenant: 'bank-cn',
    policy: 'cn',
    customerId: 'D-2',
    channel: 'branch',
    category: 'card-fees',
    department: 'cards',
    received: t('11-03 02:00'),
    steps: [
      ['acknowledged', t('11-03 06:00')],
      ['sla-breached', t('11-18 16:00'), { clock: 'regulatory' }],
      ['sla-breached', t('11-18 16:00')],
      ['escalated', t('11-19 02:00')],
      ['resolved', t('11-27 02:00')],
      ['satisfaction-recorded', t('11-27 03:00'), { score: 4 }],
      ['closed', t('11-28 02:00'), { rootCause: 'slow dispute process', improvementAction: 'add dispute staff' }],
    ],
  },
  // Wed 4 Nov 16:00 Shanghai. Ack Thu 10:00: 18 h; 1 + 1 = 2 business h. Resolved Thu 5 16:00 (24 h; 1 + 7 = 8),
  // closed, reopened Mon 9 10:00, resolved again Wed 11 10:00 (48 h; 7 + 8 + 1 = 16). From receipt to the last
  // resolution: 162 h; 1 + 16 + 16 + 1 = 34 business h, within 15 days. Reopened: its closure no longer counts.
  N3: {
    tenant: 'bank-cn',
    policy: 'cn',
    customerId: 'D-1',
    channel: 'web',
    category: 'loans',
    department: 'loans',
    received: t('11-04 08:00'),
    steps: [
      ['acknowledged', t('11-05 02:00')],
      ['resolved', t('11-05 08:00')],
      ['closed', t('11-06 02:00'), { rootCause: 'fee charged in error', improvementAction: 'fix fee rule' }],
      ['reopened', t('11-09 02:00')],
      ['resolved', t('11-11 02:00')],
    ],
  },
  // Mon 7 Sep (before the period). Resolved Mon 9 Nov: after 60 days (end of 6 Nov).
  N4: {
    tenant: 'bank-cn',
    policy: 'cn',
    customerId: 'D-3',
    channel: 'email',
    category: 'wealth',
    department: 'wealth',
    received: t('09-07 02:00'),
    steps: [['resolved', t('11-09 02:00')]],
  },
  // Mon 23 Nov; not acknowledged, open at the end of the period.
  N5: {
    tenant: 'bank-cn',
    policy: 'cn',
    customerId: 'D-4',
    channel: 'hotline',
    category: 'loans',
    department: 'loans',
    received: t('11-23 02:00'),
    steps: [],
  },
};

const NOVEMBER = `from=${t('11-01 00:00')}&to=${t('12-01 00:00')}`;

type Tenant = 'bank-uk' | 'bank-cn';

describe('KPIs and regulator returns over a data set with known answers', () => {
  let analytics: InProcessService;
  let bus: Database;
  /** Reads as a user of `tenant`: the token's tenant decides whose cases the figures cover. */
  const fetchPath = (tenant: Tenant, path: string) =>
    api(`${analytics.base}/${path}`, { headers: { 'x-tenant-id': tenant } });
  const get = async (tenant: Tenant, path: string) =>
    (await (await fetchPath(tenant, path)).json()) as Record<string, unknown>;

  beforeAll(async () => {
    analytics = await startInProcess(analyticsService);
    bus = await openDatabase({ url: analytics.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
    const events = Object.values(CASES).flatMap(caseEvents);
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

  // Figures never span tenants: every KPI below is read once as each tenant, over that tenant's cases only.
  // Medians and p90s interpolate between the closest ranks: p90 of n sorted values sits at rank 0.9·(n − 1).

  it('times acknowledgement and resolution in calendar and business hours', async () => {
    // bank-uk, received in November: U1 U2 U3 U5 (4; U4 came in October).
    // Acknowledged (4), hours: 1 66 4 19 → sorted 1 4 19 66: median (4 + 19) / 2 = 11.5, p90 at rank 2.7:
    //   19 + 0.7·47 = 51.9; business: 1 2.5 4 3.5 → 1 2.5 3.5 4: median 3, p90 3.5 + 0.7·0.5 = 3.85.
    // Resolved (3), hours: 50 144 411: median 144, p90 at rank 1.8: 144 + 0.8·267 = 357.6;
    //   business: 19 34 113.5: median 34, p90 34 + 0.8·79.5 = 97.6.
    // Breached: U3; escalated: U3; reopened: none.
    expect(await get('bank-uk', `kpis/handling?${NOVEMBER}`)).toEqual({
      cases: 4,
      acknowledged: 4,
      resolved: 3,
      hoursToAcknowledge: { median: 11.5, p90: 51.9 },
      hoursToResolve: { median: 144, p90: 357.6 },
      businessHoursToAcknowledge: { median: 3, p90: 3.85 },
      businessHoursToResolve: { median: 34, p90: 97.6 },
      slaBreachRate: 0.25,
      escalationRate: 0.25,
      reopenRate: 0,
    });
    // bank-cn, received in November: N1 N2 N3 N5 (4; N4 came in September).
    // Acknowledged (3; N5 never), hours: 1 4 18: median 4, p90 4 + 0.8·14 = 15.2;
    //   business: 1 4 2 → 1 2 4: median 2, p90 2 + 0.8·2 = 3.6.
    // Resolved (3), hours: 192 576 162 → 162 192 576: median 192, p90 192 + 0.8·384 = 499.2;
    //   business: 48 144 34 → 34 48 144: median 48, p90 48 + 0.8·96 = 124.8.
    // Breached: N2; escalated: N2; reopened: N3.
    expect(await get('bank-cn', `kpis/handling?${NOVEMBER}`)).toEqual({
      cases: 4,
      acknowledged: 3,
      resolved: 3,
      hoursToAcknowledge: { median: 4, p90: 15.2 },
      hoursToResolve: { median: 192, p90: 499.2 },
      businessHoursToAcknowledge: { median: 2, p90: 3.6 },
      businessHoursToResolve: { median: 48, p90: 124.8 },
      slaBreachRate: 0.25,
      escalationRate: 0.25,
      reopenRate: 0.25,
    });
  });

  it('gives SLA compliance per clock type', async () => {
    // bank-uk: U2 runs only acknowledgement and resolution (no clock list on its opening); U1 U3 U5 run all four.
    // Compliance is over the clocks that ended: U5 is not resolved, so its resolution and regulatory clocks
    // run (reported apart) and it never had a follow-up clock. Resolution breached by U3.
    expect(await get('bank-uk', `kpis/sla?${NOVEMBER}`)).toEqual({
      rows: [
        { clock: 'acknowledgement', cases: 4, met: 4, breached: 0, running: 0, compliance: 1 },
        { clock: 'resolution', cases: 4, met: 2, breached: 1, running: 1, compliance: 0.6667 },
        { clock: 'follow-up', cases: 2, met: 2, breached: 0, running: 0, compliance: 1 },
        { clock: 'regulatory', cases: 3, met: 2, breached: 0, running: 1, compliance: 1 },
      ],
    });
    // bank-cn: N1 N2 N3 N5 run all four. N5 is neither acknowledged nor resolved: its clocks run, and it never
    // had a follow-up clock; N3's follow-up call is not recorded yet. Resolution and regulatory both breached by N2.
    expect(await get('bank-cn', `kpis/sla?${NOVEMBER}`)).toEqual({
      rows: [
        { clock: 'acknowledgement', cases: 4, met: 3, breached: 0, running: 1, compliance: 1 },
        { clock: 'resolution', cases: 4, met: 2, breached: 1, running: 1, compliance: 0.6667 },
        { clock: 'follow-up', cases: 3, met: 2, breached: 0, running: 1, compliance: 1 },
        { clock: 'regulatory', cases: 4, met: 2, breached: 1, running: 1, compliance: 0.6667 },
      ],
    });
  });

  it('gives escalation, reopening, first-contact resolution, validity and satisfaction', async () => {
    // bank-uk: U3 escalated, to level 2; none reopened. First contact: of the 3 resolved (U1 U2 U3), U1 only
    // (U2 waited, U3 escalated and handed off). Validity judged on U1 U2 U3 (U4 is October's), U2 not valid:
    // 2 of 3. Scores 5 3 2: mean 10 / 3 = 3.33, 4 or 5 on 1 of 3.
    expect(await get('bank-uk', `kpis/outcomes?${NOVEMBER}`)).toEqual({
      cases: 4,
      escalation: { escalated: 1, rate: 0.25, highestLevelReached: { 2: 1 } },
      reopen: { reopened: 0, rate: 0 },
      firstContactResolution: { resolved: 3, firstContact: 1, rate: 0.3333 },
      validity: { judged: 3, valid: 2, rate: 0.6667 },
      satisfaction: { responses: 3, average: 3.33, satisfiedRate: 0.3333, scores: { 1: 0, 2: 1, 3: 1, 4: 0, 5: 1 } },
    });
    // bank-cn: N2 escalated, to level 1; N3 reopened. First contact: of the 3 resolved (N1 N2 N3), N1 only
    // (N2 escalated, N3 reopened). Validity judged on N1 only, valid. Scores 4 4: mean 4, both satisfied.
    expect(await get('bank-cn', `kpis/outcomes?${NOVEMBER}`)).toEqual({
      cases: 4,
      escalation: { escalated: 1, rate: 0.25, highestLevelReached: { 1: 1 } },
      reopen: { reopened: 1, rate: 0.25 },
      firstContactResolution: { resolved: 3, firstContact: 1, rate: 0.3333 },
      validity: { judged: 1, valid: 1, rate: 1 },
      satisfaction: { responses: 2, average: 4, satisfiedRate: 1, scores: { 1: 0, 2: 0, 3: 0, 4: 2, 5: 0 } },
    });
  });

  it('ranks root causes and improvement actions of closed cases', async () => {
    // bank-uk closed: U1 U2, one root cause and one action each, so equal counts come out alphabetically.
    expect(await get('bank-uk', `kpis/root-causes?${NOVEMBER}&limit=2`)).toEqual({
      closed: 2,
      withRootCause: 2,
      rows: [
        {
          rootCause: 'customer misunderstood terms',
          cases: 1,
          share: 0.5,
          improvementActions: ['clearer tariff leaflet'],
        },
        { rootCause: 'fee charged in error', cases: 1, share: 0.5, improvementActions: ['fix fee rule'] },
      ],
      improvementActions: [
        { improvementAction: 'clearer tariff leaflet', cases: 1 },
        { improvementAction: 'fix fee rule', cases: 1 },
      ],
    });
    // bank-cn closed: N1 N2 (N3 was reopened, so its "fee charged in error" / "fix fee rule" closure no longer counts).
    expect(await get('bank-cn', `kpis/root-causes?${NOVEMBER}&limit=2`)).toEqual({
      closed: 2,
      withRootCause: 2,
      rows: [
        { rootCause: 'fee charged in error', cases: 1, share: 0.5, improvementActions: ['refund fee and fix rule'] },
        { rootCause: 'slow dispute process', cases: 1, share: 0.5, improvementActions: ['add dispute staff'] },
      ],
      improvementActions: [
        { improvementAction: 'add dispute staff', cases: 1 },
        { improvementAction: 'refund fee and fix rule', cases: 1 },
      ],
    });
  });

  it('lists repeat complainants', async () => {
    // bank-uk: C-1 (U1 U2), C-2 (U3 U5, U5 flagged by intake); C-3's U4 came in October.
    expect(await get('bank-uk', `kpis/repeat-complainants?${NOVEMBER}`)).toEqual({
      complaints: 4,
      customers: 2,
      repeatCustomers: 2,
      complaintsFromRepeatCustomers: 4,
      flaggedByIntake: 1,
      rows: [
        {
          customerId: 'C-1',
          complaints: 2,
          flagged: false,
          firstReceivedAt: t('11-02 10:00'),
          lastReceivedAt: t('11-06 16:00'),
        },
        {
          customerId: 'C-2',
          complaints: 2,
          flagged: true,
          firstReceivedAt: t('11-03 09:00'),
          lastReceivedAt: t('11-30 15:00'),
        },
      ],
    });
    // bank-cn: D-1 (N1 N3); D-2 and D-4 once (D-3's N4 came in September).
    expect(await get('bank-cn', `kpis/repeat-complainants?${NOVEMBER}`)).toEqual({
      complaints: 4,
      customers: 3,
      repeatCustomers: 1,
      complaintsFromRepeatCustomers: 2,
      flaggedByIntake: 0,
      rows: [
        {
          customerId: 'D-1',
          complaints: 2,
          flagged: false,
          firstReceivedAt: t('11-02 02:00'),
          lastReceivedAt: t('11-04 08:00'),
        },
      ],
    });
    for (const tenant of ['bank-uk', 'bank-cn'] as const) {
      expect((await get(tenant, `kpis/repeat-complainants?${NOVEMBER}&minComplaints=3`)).rows).toEqual([]);
    }
  });

  it('gives the time each department held cases and the hand-offs between them', async () => {
    // bank-uk cards: U1 50/19, U2 144/34, U3 24/8.5 → 218 h, 61.5 business h, 218 / 3 = 72.67 per case; one
    // hand-off out (U3 to fraud). fraud: U3 387/105 (U5 still running, not counted). U4 came in October.
    expect(await get('bank-uk', `kpis/departments?${NOVEMBER}`)).toEqual({
      rows: [
        {
          department: 'cards',
          cases: 3,
          spells: 3,
          hours: 218,
          businessHours: 61.5,
          averageHoursPerCase: 72.67,
          handOffsIn: 0,
          handOffsOut: 1,
        },
        {
          department: 'fraud',
          cases: 1,
          spells: 1,
          hours: 387,
          businessHours: 105,
          averageHoursPerCase: 387,
          handOffsIn: 1,
          handOffsOut: 0,
        },
      ],
      handOffs: [{ from: 'cards', to: 'fraud', handOffs: 1 }],
    });
    // bank-cn cards: N1 192/48, N2 576/144 → 768 h, 192 business h, 384 per case. loans: N3 24/8 + 48/16
    // (N5 still running). No hand-offs. N4 came in September.
    expect(await get('bank-cn', `kpis/departments?${NOVEMBER}`)).toEqual({
      rows: [
        {
          department: 'cards',
          cases: 2,
          spells: 2,
          hours: 768,
          businessHours: 192,
          averageHoursPerCase: 384,
          handOffsIn: 0,
          handOffsOut: 0,
        },
        {
          department: 'loans',
          cases: 1,
          spells: 2,
          hours: 72,
          businessHours: 24,
          averageHoursPerCase: 72,
          handOffsIn: 0,
          handOffsOut: 0,
        },
      ],
      handOffs: [],
    });
  });

  it('builds the FCA-style return per product', async () => {
    // current account: U1 in 3 business days, U2 within 8 weeks; upheld U1. credit card: U3 opened and closed
    // within 8 weeks, upheld; U5 opened, still open. mortgage: U4 opened in October, closed after 8 weeks, upheld.
    const fca = await get('bank-uk', `reports/fca?${NOVEMBER}&tenant=bank-uk`);
    expect(fca).toEqual({
      return: 'FCA DISP 1.10 style',
      period: { from: t('11-01 00:00'), to: t('12-01 00:00') },
      total: {
        opened: 4,
        closed: 4,
        closedWithin3BusinessDays: 1,
        closedAfter3BusinessDaysWithin8Weeks: 2,
        closedAfter8Weeks: 1,
        upheld: 3,
        upheldPercent: 75,
        openAtPeriodEnd: 1,
      },
      rows: [
        {
          product: 'credit card',
          opened: 2,
          closed: 1,
          closedWithin3BusinessDays: 0,
          closedAfter3BusinessDaysWithin8Weeks: 1,
          closedAfter8Weeks: 0,
          upheld: 1,
          upheldPercent: 100,
          openAtPeriodEnd: 1,
        },
        {
          product: 'current account',
          opened: 2,
          closed: 2,
          closedWithin3BusinessDays: 1,
          closedAfter3BusinessDaysWithin8Weeks: 1,
          closedAfter8Weeks: 0,
          upheld: 1,
          upheldPercent: 50,
          openAtPeriodEnd: 0,
        },
        {
          product: 'mortgage',
          opened: 0,
          closed: 1,
          closedWithin3BusinessDays: 0,
          closedAfter3BusinessDaysWithin8Weeks: 0,
          closedAfter8Weeks: 1,
          upheld: 1,
          upheldPercent: 100,
          openAtPeriodEnd: 0,
        },
      ],
    });
  });

  it('builds the NFRA-style return per category and handling-time band', async () => {
    // card-fees: N1 within 15 days, N2 in 16–30. loans: N3 within 15, N5 open. wealth: N4 (September) after 60.
    expect(await get('bank-cn', `reports/nfra?${NOVEMBER}&tenant=bank-cn`)).toEqual({
      return: 'NFRA consumer complaints style',
      period: { from: t('11-01 00:00'), to: t('12-01 00:00') },
      total: {
        received: 4,
        handled: 4,
        handledWithin15Days: 2,
        handledIn16To30Days: 1,
        handledIn31To60Days: 0,
        handledAfter60Days: 1,
        openAtPeriodEnd: 1,
      },
      rows: [
        {
          category: 'card-fees',
          received: 2,
          handled: 2,
          handledWithin15Days: 1,
          handledIn16To30Days: 1,
          handledIn31To60Days: 0,
          handledAfter60Days: 0,
          openAtPeriodEnd: 0,
        },
        {
          category: 'loans',
          received: 2,
          handled: 1,
          handledWithin15Days: 1,
          handledIn16To30Days: 0,
          handledIn31To60Days: 0,
          handledAfter60Days: 0,
          openAtPeriodEnd: 1,
        },
        {
          category: 'wealth',
          received: 0,
          handled: 1,
          handledWithin15Days: 0,
          handledIn16To30Days: 0,
          handledIn31To60Days: 0,
          handledAfter60Days: 1,
          openAtPeriodEnd: 0,
        },
      ],
    });
  });

  it('counts volumes per tenant within the period', async () => {
    // Each tenant sees only its own four November complaints (U4 and N4 came earlier).
    expect((await get('bank-uk', `kpis/volumes?by=tenant&period=month&${NOVEMBER}`)).rows).toEqual([
      { period: '2026-11-01', tenant: 'bank-uk', complaints: 4 },
    ]);
    expect((await get('bank-cn', `kpis/volumes?by=tenant&period=month&${NOVEMBER}`)).rows).toEqual([
      { period: '2026-11-01', tenant: 'bank-cn', complaints: 4 },
    ]);
    // By channel: U1 hotline, U2 web, U3 email, U5 app; N1 and N5 hotline, N2 branch, N3 web.
    expect((await get('bank-uk', `kpis/volumes?by=channel&period=month&${NOVEMBER}`)).rows).toEqual([
      { period: '2026-11-01', channel: 'app', complaints: 1 },
      { period: '2026-11-01', channel: 'email', complaints: 1 },
      { period: '2026-11-01', channel: 'hotline', complaints: 1 },
      { period: '2026-11-01', channel: 'web', complaints: 1 },
    ]);
    expect((await get('bank-cn', `kpis/volumes?by=channel&period=month&${NOVEMBER}`)).rows).toEqual([
      { period: '2026-11-01', channel: 'branch', complaints: 1 },
      { period: '2026-11-01', channel: 'hotline', complaints: 2 },
      { period: '2026-11-01', channel: 'web', complaints: 1 },
    ]);
    // Asking for the other tenant's figures is refused.
    expect((await fetchPath('bank-uk', `kpis/volumes?by=tenant&${NOVEMBER}&tenant=bank-cn`)).status).toBe(403);
    expect((await fetchPath('bank-cn', `kpis/volumes?by=tenant&${NOVEMBER}&tenant=bank-uk`)).status).toBe(403);
  });

  it('exports a return and a KPI as CSV', async () => {
    const fca = await fetchPath('bank-uk', `reports/fca?${NOVEMBER}&tenant=bank-uk&format=csv`);
    expect(fca.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(fca.headers.get('content-disposition')).toBe('attachment; filename="fca-return.csv"');
    expect(await fca.text()).toBe(
      [
        'product,opened,closed,closedWithin3BusinessDays,closedAfter3BusinessDaysWithin8Weeks,closedAfter8Weeks,upheld,upheldPercent,openAtPeriodEnd',
        'credit card,2,1,0,1,0,1,100,1',
        'current account,2,2,1,1,0,1,50,0',
        'mortgage,0,1,0,0,1,1,100,0',
        'total,4,4,1,2,1,3,75,1',
        '',
      ].join('\n'),
    );
    // A KPI without a table comes out as one row, nested figures as dotted columns: bank-uk's outcomes (worked
    // out above; only level 2 was reached, so there is no level-1 column).
    const outcomes = await (await fetchPath('bank-uk', `kpis/outcomes?${NOVEMBER}&format=csv`)).text();
    const [header, row] = outcomes.split('\n');
    expect(header).toBe(
      'cases,escalation.escalated,escalation.rate,escalation.highestLevelReached.2,' +
        'reopen.reopened,reopen.rate,firstContactResolution.resolved,firstContactResolution.firstContact,' +
        'firstContactResolution.rate,validity.judged,validity.valid,validity.rate,satisfaction.responses,' +
        'satisfaction.average,satisfaction.satisfiedRate,satisfaction.scores.1,satisfaction.scores.2,' +
        'satisfaction.scores.3,satisfaction.scores.4,satisfaction.scores.5',
    );
    expect(row).toBe('4,1,0.25,1,0,0,3,1,0.3333,3,2,0.6667,3,3.33,0.3333,0,1,1,0,1');
  });

  it.each([
    ['kpis/handling?from=yesterday', 'from'],
    ['reports/fca?to=soon', 'to'],
    ['reports/nfra?format=xml', 'format'],
    ['kpis/root-causes?limit=0', 'limit'],
    ['kpis/repeat-complainants?minComplaints=1', 'minComplaints'],
    ['kpis/volumes?period=year', 'period'],
  ])('answers %s with a 400 naming %s', async (path, parameter) => {
    const response = await fetchPath('bank-uk', path);
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain(parameter);
  });
});
