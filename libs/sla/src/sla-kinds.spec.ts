import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PolicyKindName, RelatedPolicies } from '@complaints/policy';
import { dueAt } from './calendar';
import { buildCalendar, missingYear, type CalendarDocument } from './calendars/calendars';
import { SlaCatalogue, type SlaPolicySource, type SourceVersion } from './selection';
import { seedSlaDocument, type SlaDocument } from './sla-document';
import { calendarKind, SlaSeeds, slaKind } from './sla-kinds';

const example = (name: string): SlaDocument =>
  JSON.parse(readFileSync(join(__dirname, '..', 'examples', `${name}.json`), 'utf8')) as SlaDocument;

const related = (docs: { sla?: SlaDocument; calendar?: CalendarDocument }): RelatedPolicies => ({
  tenant: 'bank-cn',
  documentOf: <D>(kind: PolicyKindName) =>
    (kind === 'sla' ? (docs.sla ?? seedSlaDocument('bank-cn')) : (docs.calendar ?? { calendars: {} })) as D,
});

/** 2027's State Council schedule as a tenant would publish it (the blocks and make-up days of a plausible notice). */
const CN_2027: CalendarDocument = {
  calendars: {
    CN: {
      years: {
        '2027': {
          holidays: ['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10'],
          workingDays: ['2027-02-13'],
          notice: '国务院办公厅关于2027年部分节假日安排的通知',
        },
      },
    },
  },
};

/** A tenant calendar of its own: Shanghai hours, one extra holiday in 2026. */
const OWN: CalendarDocument = {
  calendars: {
    'CN-SH-BRANCH': {
      timeZone: 'Asia/Shanghai',
      workingHours: { start: '08:30', end: '20:00' },
      weekendDays: [7],
      years: { '2026': { holidays: ['2026-12-24'], workingDays: [] } },
    },
  },
};

const withOwnPolicy = (calendarId: string): SlaDocument => {
  const bank = example('bank-cn');
  return {
    ...bank,
    policies: [
      {
        id: 'branch-desk',
        regime: 'CN-NFRA',
        description: 'Branch desk',
        calendarId,
        applies: {},
        clocks: [
          {
            kind: 'resolution',
            startsWhen: 'complaint-received',
            target: { amount: 10, unit: 'business-days' },
            extensionRequiresApproval: true,
            pausesWhileWaitingOnCustomer: false,
            warnAt: [0.5],
            source: 'house rule',
          },
        ],
      },
    ],
  };
};

describe('the calendar kind', () => {
  it('accepts a year of a built-in calendar and a calendar of the tenant’s own', () => {
    expect(calendarKind.validate(CN_2027)).toEqual([]);
    expect(calendarKind.validate(OWN)).toEqual([]);
    expect(calendarKind.seed('bank-cn').document).toEqual({ calendars: {} });
  });

  it('refuses dates that are not ISO dates of the year, listed twice, or both a holiday and a working day, naming each', () => {
    const problems = calendarKind.validate({
      calendars: {
        CN: {
          years: {
            '2027': {
              holidays: ['2027-02-30', '2026-12-31', '2027-02-06', '2027-02-06', '2027-02-13'],
              workingDays: ['2027-02-13', '2027-02-10'],
            },
          },
        },
      },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'calendars.CN.years.2027.holidays.0', reason: "'2027-02-30' is not a date 'YYYY-MM-DD'" },
        { path: 'calendars.CN.years.2027.holidays.1', reason: '2026-12-31 lies outside 2027' },
        { path: 'calendars.CN.years.2027.holidays.3', reason: '2027-02-06 is listed twice' },
        {
          path: 'calendars.CN.years.2027.workingDays.0',
          reason: '2027-02-13 is a holiday too: a day is one or the other',
        },
        expect.objectContaining({
          path: 'calendars.CN.years.2027.workingDays.1',
          reason: expect.stringMatching(/2027-02-10 is not a weekend day/),
        }),
      ]),
    );
  });

  it('wants a new id’s time zone, working hours and weekend, and refuses bad ones and unknown fields', () => {
    expect(calendarKind.validate({ calendars: { 'CN-SH': { years: {} } } }).map((p) => p.path)).toEqual([
      'calendars.CN-SH.timeZone',
      'calendars.CN-SH.workingHours',
      'calendars.CN-SH.weekendDays',
    ]);
    const bad = calendarKind.validate({
      calendars: {
        X: {
          timeZone: 'Mars/Olympus',
          workingHours: { start: '18:00', end: '09:00' },
          weekendDays: [6, 6],
          years: { '27': { holidays: [], workingDays: [] } },
          colour: 'red',
        },
      },
    });
    expect(bad.map((p) => p.path)).toEqual(
      expect.arrayContaining([
        'calendars.X.timeZone',
        'calendars.X.workingHours.end',
        'calendars.X.weekendDays',
        'calendars.X',
      ]),
    );
    expect(
      calendarKind.validate({
        calendars: { X: { ...OWN.calendars['CN-SH-BRANCH'], years: { '27': { holidays: [], workingDays: [] } } } },
      }),
    ).toEqual([{ path: 'calendars.X.years.27', reason: 'a year is four digits between 1970 and 2100' }]);
    expect(calendarKind.validate([])).toEqual([{ path: '', reason: 'Expected object, received array' }]);
  });

  it('refuses, when published, dropping a calendar the tenant’s SLA policy in force counts on', () => {
    expect(calendarKind.validate({ calendars: {} }, related({ sla: withOwnPolicy('CN-SH-BRANCH') }))).toEqual([
      expect.objectContaining({
        path: 'calendars',
        reason: expect.stringMatching(/counts on calendar 'CN-SH-BRANCH'/),
      }),
    ]);
    expect(calendarKind.validate(OWN, related({ sla: withOwnPolicy('CN-SH-BRANCH') }))).toEqual([]);
  });
});

describe('the sla kind', () => {
  const kind = slaKind(SlaSeeds.of([example('bank-cn')]));

  it('seeds a tenant with its document, others with the default seed document', () => {
    expect(kind.seed('bank-cn').document).toEqual(example('bank-cn'));
    expect(kind.seed('bank-z').document).toEqual(seedSlaDocument('bank-z'));
  });

  it('refuses, when published, a policy counting on a calendar the tenant does not have, naming the field', () => {
    expect(kind.validate(withOwnPolicy('CN-SH-BRANCH'), related({}))).toEqual([
      {
        path: 'policies.0.calendarId',
        reason: "unknown calendar 'CN-SH-BRANCH'; the tenant's calendars: CN, GB-ENG, US, DE",
      },
    ]);
    expect(kind.validate(withOwnPolicy('CN-SH-BRANCH'), related({ calendar: OWN }))).toEqual([]);
    expect(kind.validate({ ...withOwnPolicy('CN'), tenant: 'bank-z' }, related({}))).toEqual([
      { path: 'tenant', reason: 'must be the tenant publishing it, bank-cn' },
    ]);
    // A replica checks the document alone: the keeping service checked its calendars.
    expect(kind.validate(withOwnPolicy('CN-SH-BRANCH'))).toEqual([]);
  });
});

describe('a tenant’s calendar version', () => {
  const source = (calendar: CalendarDocument, version: number): SlaPolicySource => {
    const inForce = <D>(tenant: string, k: 'sla' | 'calendar') =>
      (k === 'sla'
        ? { version: 0, digest: 'sla', document: seedSlaDocument(tenant, 'CN-NFRA') }
        : { version, digest: `calendar-${version}`, document: calendar }) as SourceVersion<D>;
    return { inForce, version: (tenant, k) => inForce(tenant, k) };
  };
  // Thursday 28 January 2027, 10:00 in Shanghai: 10 business days run into the Spring Festival.
  const received = new Date('2027-01-28T02:00:00.000Z');
  const target = { amount: 10, unit: 'business-days' as const };

  it('replaces the built-in data for its year: the deadline moves and the year is no longer missing', () => {
    const seeded = new SlaCatalogue(source({ calendars: {} }, 0));
    const published = new SlaCatalogue(source(CN_2027, 1));
    const before = dueAt(seeded.calendar('bank-a', 'CN', received), received, target);
    const after = dueAt(published.calendar('bank-a', 'CN', received), received, target);
    expect(after.getTime()).toBeGreaterThan(before.getTime());
    expect(seeded.checkDeadline('bank-a', 'CN', before)).toMatchObject({ calendarId: 'CN', year: 2027 });
    expect(published.checkDeadline('bank-a', 'CN', after)).toBeUndefined();
    expect(missingYear('CN', 2027, CN_2027)).toBeUndefined();
    expect(missingYear('CN', 2028, CN_2027)).toMatch(/CN 2028/);
  });

  it('names itself on every clock it selects', () => {
    const { clocks } = new SlaCatalogue(source(CN_2027, 3)).select(
      { tenant: 'bank-a', category: 'x', channel: 'web' },
      received,
    );
    expect(clocks.every((c) => c.decidedBy.calendar?.version === 3)).toBe(true);
  });

  it('builds a calendar of the tenant’s own with its zone, hours and weekend', () => {
    const calendar = buildCalendar('CN-SH-BRANCH', [2026], {}, OWN);
    expect(calendar).toMatchObject({ timeZone: 'Asia/Shanghai', weekendDays: [7] });
    expect(calendar.holidays.has('2026-12-24')).toBe(true);
    expect(missingYear('CN-SH-BRANCH', 2027, OWN)).toMatch(/holds no days for 2027/);
  });
});
