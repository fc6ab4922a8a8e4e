import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { dueAt, isWorkingDay } from '../calendar';
import type { WorkingCalendar } from '../calendar';
import { readClock } from '../clock';
import { SLA_POLICY_PRESETS } from '../policies';
import { CALENDAR_IDS, buildCalendar, describeCalendars } from './calendars';
import { CHINA_HOLIDAY_SCHEDULES } from './china-adjusted-days';

const china = buildCalendar('CN', [2025, 2026]);
const england = buildCalendar('GB-ENG', [2025, 2026]);
const unitedStates = buildCalendar('US', [2025, 2026, 2028]);

function at(calendar: WorkingCalendar, local: string): Date {
  return DateTime.fromISO(local, { zone: calendar.timeZone }).toJSDate();
}

function local(calendar: WorkingCalendar, instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: calendar.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm");
}

function workingDaysAmong(calendar: WorkingCalendar, dates: string[]): string[] {
  return dates.filter((date) => isWorkingDay(calendar, date));
}

describe('the CN calendar (Asia/Shanghai)', () => {
  it('works 09:00–17:00 Shanghai time, Monday to Friday', () => {
    expect(china).toMatchObject({ timeZone: 'Asia/Shanghai', workingHours: { start: '09:00', end: '17:00' } });
    expect(workingDaysAmong(china, ['2025-03-07', '2025-03-08', '2025-03-09', '2025-03-10'])).toEqual([
      '2025-03-07',
      '2025-03-10',
    ]);
  });

  it('closes for the whole Spring Festival block, including the days date-holidays lacks', () => {
    const block = ['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-03', '2025-02-04'];
    expect(workingDaysAmong(china, block)).toEqual([]);
    expect(workingDaysAmong(china, ['2026-02-16', '2026-02-20', '2026-02-23'])).toEqual([]);
  });

  it('closes for the National Day and Labour Day blocks', () => {
    expect(workingDaysAmong(china, ['2025-10-06', '2025-10-07', '2025-10-08', '2025-05-02', '2025-05-05'])).toEqual([]);
    expect(workingDaysAmong(china, ['2026-10-05', '2026-10-06', '2026-10-07', '2026-05-04'])).toEqual([]);
  });

  it('works on the adjusted weekend days (调休)', () => {
    expect(
      workingDaysAmong(china, ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']),
    ).toHaveLength(5);
    expect(workingDaysAmong(china, ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09'])).toHaveLength(4);
  });

  it('works on group holidays that are not days off for everyone', () => {
    expect(workingDaysAmong(china, ['2025-08-01', '2026-06-01'])).toEqual(['2025-08-01', '2026-06-01']);
  });

  it('counts an adjusted working Sunday toward a 1-working-day first contact', () => {
    const due = dueAt(china, at(china, '2025-01-25T11:00'), { amount: 1, unit: 'business-days' });
    expect(local(china, due)).toBe('2025-01-26T17:00');
  });

  it('carries a 7-working-day reply across the Spring Festival', () => {
    const due = dueAt(china, at(china, '2025-01-24T16:00'), { amount: 7, unit: 'business-days' });
    // 26 (Sun, 调休), 27, then closed 28 Jan – 4 Feb, then 5, 6, 7, 8 (Sat, 调休), 10.
    expect(local(china, due)).toBe('2025-02-10T17:00');
  });
});

describe('the GB-ENG calendar (Europe/London)', () => {
  it('closes at weekends and on England and Wales bank holidays only', () => {
    expect(workingDaysAmong(england, ['2025-04-18', '2025-04-21', '2025-05-05', '2025-08-25'])).toEqual([]);
    // The Scottish summer bank holiday and St Andrew's Day substitute are working days in England.
    expect(workingDaysAmong(england, ['2025-08-04', '2025-12-01'])).toEqual(['2025-08-04', '2025-12-01']);
    expect(isWorkingDay(england, '2025-03-15')).toBe(false);
  });

  it('has no adjusted working days', () => {
    expect(england.extraWorkingDays.size).toBe(0);
  });

  it('closes on the substitute day when Boxing Day falls on a Saturday', () => {
    expect(isWorkingDay(england, '2026-12-28')).toBe(false);
  });

  it('carries a 15-business-day payment services deadline over Christmas', () => {
    const due = dueAt(england, at(england, '2025-12-15T10:00'), { amount: 15, unit: 'business-days' });
    // 16–19, 22–24, 29–31 Dec, 2, 5–8 Jan: Christmas, Boxing Day and New Year's Day are skipped.
    expect(local(england, due)).toBe('2026-01-08T17:30');
  });

  it('keeps a business clock paused over a weekend on the same deadline', () => {
    const received = at(england, '2025-12-18T10:00');
    const target = { amount: 3, unit: 'business-days' } as const;
    const pausedOverWeekend = [{ from: at(england, '2025-12-19T17:30'), to: at(england, '2025-12-22T09:00') }];
    const reading = readClock(england, target, received, pausedOverWeekend, at(england, '2025-12-22T12:00'));
    expect(reading.dueAt).toEqual(dueAt(england, received, target));
    expect(local(england, reading.dueAt)).toBe('2025-12-23T17:30');
  });
});

describe('the US calendar (America/New_York)', () => {
  it('closes at weekends and on federal holidays', () => {
    expect(workingDaysAmong(unitedStates, ['2025-11-27', '2025-12-25', '2025-07-04', '2025-01-20'])).toEqual([]);
    expect(isWorkingDay(unitedStates, '2025-11-29')).toBe(false);
  });

  it('works on observances that are not federal holidays', () => {
    expect(workingDaysAmong(unitedStates, ['2025-11-28', '2025-12-24', '2025-04-15'])).toHaveLength(3);
  });

  it('closes on the observed Friday of a Saturday holiday, Veterans Day included', () => {
    expect(isWorkingDay(unitedStates, '2026-07-03')).toBe(false);
    expect(isWorkingDay(unitedStates, '2028-11-10')).toBe(false);
  });

  it('carries a business-days deadline over Thanksgiving', () => {
    const due = dueAt(unitedStates, at(unitedStates, '2025-11-25T14:00'), { amount: 3, unit: 'business-days' });
    expect(local(unitedStates, due)).toBe('2025-12-01T17:00');
  });

  it('keeps working hours on New York wall-clock time across the spring DST change', () => {
    const due = dueAt(unitedStates, at(unitedStates, '2025-03-07T16:00'), { amount: 3, unit: 'business-hours' });
    expect(local(unitedStates, due)).toBe('2025-03-10T11:00');
    expect(due.toISOString()).toBe('2025-03-10T15:00:00.000Z');
  });
});

describe('building calendars', () => {
  it('knows every calendar a preset policy names', () => {
    for (const policy of SLA_POLICY_PRESETS) expect(CALENDAR_IDS).toContain(policy.calendarId);
    expect(describeCalendars().map((calendar) => calendar.id)).toEqual([...CALENDAR_IDS]);
  });

  it('takes a tenant’s own working hours and time zone', () => {
    const urumqi = buildCalendar('CN', [2025], {
      timeZone: 'Asia/Urumqi',
      workingHours: { start: '10:00', end: '18:00' },
    });
    expect(urumqi).toMatchObject({ timeZone: 'Asia/Urumqi', workingHours: { start: '10:00', end: '18:00' } });
    expect(isWorkingDay(urumqi, '2025-01-26')).toBe(true);
  });

  it('refuses an unknown calendar', () => {
    expect(() => buildCalendar('XX', [2025])).toThrow(/unknown calendar 'XX'/);
  });

  it('reports a China year without a State Council schedule and falls back to the statutory days', () => {
    const withoutSchedule = buildCalendar('CN', [2025, 2099]);
    expect(withoutSchedule.dataGaps).toEqual([expect.stringContaining('CN 2099')]);
    expect(isWorkingDay(withoutSchedule, '2099-10-01')).toBe(false);
    expect(isWorkingDay(withoutSchedule, '2099-03-09')).toBe(true);
    expect([...withoutSchedule.holidays].filter((day) => day.startsWith('2099-03-08'))).toEqual([]);
  });

  it('reports the 2026 China schedule as still to be checked against the official notice', () => {
    expect(buildCalendar('CN', [2025]).dataGaps).toEqual([]);
    expect(china.dataGaps).toEqual([expect.stringContaining('CN 2026')]);
  });
});

describe('the China holiday schedule data', () => {
  const years = Object.keys(CHINA_HOLIDAY_SCHEDULES).map(Number);

  it.each(years)('%i: puts make-up working days on weekends outside every holiday block', (year) => {
    const schedule = CHINA_HOLIDAY_SCHEDULES[year]!;
    const daysOff = buildCalendar('CN', [year]).holidays;
    for (const day of schedule.makeUpWorkingDays) {
      expect(day.startsWith(`${year}-`)).toBe(true);
      expect([6, 7]).toContain(DateTime.fromISO(day).weekday);
      expect(daysOff.has(day)).toBe(false);
    }
  });

  it.each(years)('%i: covers every statutory day date-holidays knows, which is only part of each block', (year) => {
    const statutory = new Holidays('CN')
      .getHolidays(year)
      .filter((holiday) => holiday.type === 'public' && !('note' in holiday) && holiday.date.endsWith('00:00:00'))
      .map((holiday) => holiday.date.slice(0, 10));
    const daysOff = buildCalendar('CN', [year]).holidays;
    for (const day of statutory) expect(daysOff.has(day)).toBe(true);
    // Why the table exists: the blocks are far longer than the library's statutory days.
    expect(daysOff.size).toBeGreaterThan(statutory.length + 10);
  });
});
