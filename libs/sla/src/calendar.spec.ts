import { DateTime } from 'luxon';
import { businessMillisBetween, dueAt, isWorkingDay, localDateOf } from './calendar';
import type { WorkingCalendar } from './calendar';

const HOUR = 3_600_000;

function workingCalendar(overrides: Partial<WorkingCalendar> & Pick<WorkingCalendar, 'timeZone'>): WorkingCalendar {
  return {
    id: 'test',
    workingHours: { start: '09:00', end: '17:00' },
    weekendDays: [6, 7],
    holidays: new Set<string>(),
    extraWorkingDays: new Set<string>(),
    ...overrides,
  };
}

/** Shanghai with the 2025 Spring Festival block and its make-up working days, as the State Council set them. */
const shanghai = workingCalendar({
  timeZone: 'Asia/Shanghai',
  holidays: new Set(['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-03', '2025-02-04']),
  extraWorkingDays: new Set(['2025-01-26', '2025-02-08']),
});
const london = workingCalendar({
  timeZone: 'Europe/London',
  workingHours: { start: '09:00', end: '17:30' },
  holidays: new Set(['2025-12-25', '2025-12-26']),
});
const newYork = workingCalendar({ timeZone: 'America/New_York', holidays: new Set(['2025-11-27']) });

/** An instant given as local wall-clock time in the calendar's zone. */
function at(calendar: WorkingCalendar, local: string): Date {
  return DateTime.fromISO(local, { zone: calendar.timeZone }).toJSDate();
}

function local(calendar: WorkingCalendar, instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: calendar.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
}

describe('working days', () => {
  it('treats Saturday and Sunday as non-working days', () => {
    expect(isWorkingDay(london, '2025-03-08')).toBe(false);
    expect(isWorkingDay(london, '2025-03-09')).toBe(false);
    expect(isWorkingDay(london, '2025-03-10')).toBe(true);
  });

  it('treats a public holiday on a weekday as a non-working day', () => {
    expect(isWorkingDay(newYork, '2025-11-27')).toBe(false);
    expect(isWorkingDay(newYork, '2025-11-28')).toBe(true);
  });

  it('treats an adjusted working Sunday in Shanghai as a working day', () => {
    expect(isWorkingDay(shanghai, '2025-01-26')).toBe(true);
    expect(isWorkingDay(shanghai, '2025-01-25')).toBe(false);
  });

  it('honours a weekend other than Saturday and Sunday', () => {
    const fridaySaturday = workingCalendar({ timeZone: 'Asia/Riyadh', weekendDays: [5, 6] });
    expect(isWorkingDay(fridaySaturday, '2025-03-07')).toBe(false);
    expect(isWorkingDay(fridaySaturday, '2025-03-09')).toBe(true);
  });

  it('reads the local date in the calendar time zone, not UTC', () => {
    expect(localDateOf(shanghai, new Date('2025-03-03T17:30:00Z'))).toBe('2025-03-04');
    expect(localDateOf(newYork, new Date('2025-03-04T03:00:00Z'))).toBe('2025-03-03');
  });
});

describe('calendar-days deadlines', () => {
  it('count from the day after receipt and end at 23:59:59.999 local on the last day', () => {
    const due = dueAt(shanghai, at(shanghai, '2025-03-03T10:00'), { amount: 15, unit: 'calendar-days' });
    expect(local(shanghai, due)).toBe('2025-03-18T23:59:59.999');
  });

  it('give the same deadline whatever the hour of receipt on the same local day', () => {
    const target = { amount: 15, unit: 'calendar-days' } as const;
    expect(dueAt(shanghai, at(shanghai, '2025-03-03T00:05'), target)).toEqual(
      dueAt(shanghai, at(shanghai, '2025-03-03T23:55'), target),
    );
  });

  it('run through weekends and holidays', () => {
    const due = dueAt(shanghai, at(shanghai, '2025-01-27T10:00'), { amount: 15, unit: 'calendar-days' });
    expect(local(shanghai, due)).toBe('2025-02-11T23:59:59.999');
  });

  it('make 8 weeks 56 days', () => {
    const due = dueAt(london, at(london, '2025-01-06T12:00'), { amount: 56, unit: 'calendar-days' });
    expect(local(london, due)).toBe('2025-03-03T23:59:59.999');
  });

  it('end at local midnight across a DST change', () => {
    const due = dueAt(london, at(london, '2025-10-20T12:00'), { amount: 15, unit: 'calendar-days' });
    expect(local(london, due)).toBe('2025-11-04T23:59:59.999');
    expect(due.toISOString()).toBe('2025-11-04T23:59:59.999Z');
  });

  it('stay on a non-working last day unless the target rolls it to the next working day', () => {
    const received = at(shanghai, '2025-01-13T10:00');
    expect(local(shanghai, dueAt(shanghai, received, { amount: 15, unit: 'calendar-days' }))).toBe(
      '2025-01-28T23:59:59.999',
    );
    expect(
      local(shanghai, dueAt(shanghai, received, { amount: 15, unit: 'calendar-days', lastDayRollsToWorkingDay: true })),
    ).toBe('2025-02-05T23:59:59.999');
  });

  it('refuse a fractional or zero number of days', () => {
    expect(() => dueAt(london, new Date(), { amount: 1.5, unit: 'calendar-days' })).toThrow(RangeError);
    expect(() => dueAt(london, new Date(), { amount: 0, unit: 'business-days' })).toThrow(RangeError);
  });
});

describe('business-days deadlines', () => {
  it('skip the weekend: received Friday, 1 business day is Monday at close of business', () => {
    const due = dueAt(london, at(london, '2025-03-07T10:00'), { amount: 1, unit: 'business-days' });
    expect(local(london, due)).toBe('2025-03-10T17:30:00.000');
  });

  it('start counting on the next working day when received on a weekend', () => {
    const due = dueAt(london, at(london, '2025-03-08T10:00'), { amount: 1, unit: 'business-days' });
    expect(local(london, due)).toBe('2025-03-10T17:30:00.000');
  });

  it('do not count the day of receipt even when received before opening', () => {
    const due = dueAt(newYork, at(newYork, '2025-03-04T07:00'), { amount: 3, unit: 'business-days' });
    expect(local(newYork, due)).toBe('2025-03-07T17:00:00.000');
  });

  it('cross Christmas and Boxing Day in London', () => {
    const due = dueAt(london, at(london, '2025-12-23T11:00'), { amount: 3, unit: 'business-days' });
    expect(local(london, due)).toBe('2025-12-30T17:30:00.000');
  });

  it('cross Thanksgiving in New York', () => {
    const due = dueAt(newYork, at(newYork, '2025-11-26T15:00'), { amount: 2, unit: 'business-days' });
    expect(local(newYork, due)).toBe('2025-12-01T17:00:00.000');
  });

  it('cross the Spring Festival block in Shanghai and count the make-up Saturday', () => {
    const due = dueAt(shanghai, at(shanghai, '2025-01-27T10:00'), { amount: 5, unit: 'business-days' });
    expect(local(shanghai, due)).toBe('2025-02-10T17:00:00.000');
  });

  it('count an adjusted working Sunday in Shanghai as a working day', () => {
    const due = dueAt(shanghai, at(shanghai, '2025-01-25T10:00'), { amount: 1, unit: 'business-days' });
    expect(local(shanghai, due)).toBe('2025-01-26T17:00:00.000');
  });
});

describe('hour deadlines', () => {
  it('count calendar hours as exact elapsed time across the London spring-forward night', () => {
    const due = dueAt(london, at(london, '2025-03-29T12:00'), { amount: 24, unit: 'calendar-hours' });
    expect(local(london, due)).toBe('2025-03-30T13:00:00.000');
  });

  it('count calendar hours as exact elapsed time across the New York fall-back night', () => {
    const due = dueAt(newYork, at(newYork, '2025-11-01T12:00'), { amount: 24, unit: 'calendar-hours' });
    expect(local(newYork, due)).toBe('2025-11-02T11:00:00.000');
  });

  it('count business hours only inside working hours of working days', () => {
    const due = dueAt(newYork, at(newYork, '2025-03-07T16:00'), { amount: 2, unit: 'business-hours' });
    expect(local(newYork, due)).toBe('2025-03-10T10:00:00.000');
  });

  it('keep business hours on local wall-clock time across a DST change', () => {
    const due = dueAt(london, at(london, '2025-03-28T16:30'), { amount: 2, unit: 'business-hours' });
    expect(local(london, due)).toBe('2025-03-31T10:00:00.000');
    expect(due.toISOString()).toBe('2025-03-31T09:00:00.000Z');
  });

  it('start business hours at the next opening when received outside working hours', () => {
    const due = dueAt(shanghai, at(shanghai, '2025-01-27T20:00'), { amount: 4, unit: 'business-hours' });
    expect(local(shanghai, due)).toBe('2025-02-05T13:00:00.000');
  });

  it('end exactly at closing time when the hours run out there', () => {
    const due = dueAt(newYork, at(newYork, '2025-03-03T09:00'), { amount: 8, unit: 'business-hours' });
    expect(local(newYork, due)).toBe('2025-03-03T17:00:00.000');
  });
});

describe('working time between two instants', () => {
  it('adds up the working hours of each working day in between', () => {
    const millis = businessMillisBetween(london, at(london, '2025-03-07T15:30'), at(london, '2025-03-10T10:00'));
    expect(millis).toBe(3 * HOUR);
  });

  it('is zero over a weekend and a holiday', () => {
    expect(businessMillisBetween(london, at(london, '2025-12-24T17:30'), at(london, '2025-12-29T09:00'))).toBe(0);
  });

  it('is a full working day on each side of a DST change', () => {
    const millis = businessMillisBetween(london, at(london, '2025-03-28T09:00'), at(london, '2025-03-31T17:30'));
    expect(millis).toBe(17 * HOUR);
  });

  it('is negative when the end comes before the start', () => {
    expect(businessMillisBetween(newYork, at(newYork, '2025-03-03T11:00'), at(newYork, '2025-03-03T10:00'))).toBe(
      -HOUR,
    );
  });
});

describe('calendar data that cannot work', () => {
  it('is refused with the reason', () => {
    expect(() =>
      dueAt(workingCalendar({ timeZone: 'Mars/Olympus' }), new Date(), { amount: 1, unit: 'business-days' }),
    ).toThrow(/time zone/);
    expect(() =>
      dueAt(workingCalendar({ timeZone: 'UTC', workingHours: { start: '17:00', end: '09:00' } }), new Date(), {
        amount: 1,
        unit: 'business-hours',
      }),
    ).toThrow(/open before they close/);
    expect(() =>
      dueAt(workingCalendar({ timeZone: 'UTC', weekendDays: [1, 2, 3, 4, 5, 6, 7] }), new Date(), {
        amount: 1,
        unit: 'business-days',
      }),
    ).toThrow(/no working day/);
  });

  it('accepts working hours that run until midnight', () => {
    const lateDesk = workingCalendar({ timeZone: 'Asia/Shanghai', workingHours: { start: '08:00', end: '24:00' } });
    const due = dueAt(lateDesk, at(lateDesk, '2025-03-03T23:00'), { amount: 2, unit: 'business-hours' });
    expect(local(lateDesk, due)).toBe('2025-03-04T09:00:00.000');
  });
});
