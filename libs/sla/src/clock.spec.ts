import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { SlaTarget, WorkingCalendar } from './calendar';
import { readClock, warningsDue, whenFractionReached, type ClockPause } from './clock';
import type { ClockReading } from './clock';

const HOUR = 3_600_000;

const london: WorkingCalendar = {
  id: 'test-london',
  timeZone: 'Europe/London',
  workingHours: { start: '09:00', end: '17:00' },
  weekendDays: [6, 7],
  holidays: new Set(['2025-12-25', '2025-12-26']),
  extraWorkingDays: new Set(),
};

const fifteenCalendarDays: SlaTarget = { amount: 15, unit: 'calendar-days' };
const twoBusinessDays: SlaTarget = { amount: 2, unit: 'business-days' };

function at(local: string): Date {
  return DateTime.fromISO(local, { zone: london.timeZone }).toJSDate();
}

function local(instant: Date): string {
  return DateTime.fromJSDate(instant, { zone: london.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
}

describe('an SLA clock', () => {
  it('runs from its start with nothing elapsed', () => {
    const reading = readClock(london, fifteenCalendarDays, at('2025-03-03T10:00'), [], at('2025-03-03T10:00'));
    expect(reading.state).toBe('running');
    expect(reading.elapsed).toEqual({ calendarMs: 0, businessMs: 0 });
    expect(reading.fractionElapsed).toBe(0);
    expect(local(reading.dueAt)).toBe('2025-03-18T23:59:59.999');
  });

  it('is met when stopped by the due time, and is read at the stop, not at now', () => {
    const reading = readClock(
      london,
      fifteenCalendarDays,
      at('2025-03-03T10:00'),
      [],
      at('2025-04-30T10:00'),
      at('2025-03-18T23:59:59.999'),
    );
    expect(reading.state).toBe('met');
    expect(reading.remaining.calendarMs).toBe(0);
    expect(reading.fractionElapsed).toBe(1);
  });

  it('is breached when stopped after the due time', () => {
    const reading = readClock(
      london,
      fifteenCalendarDays,
      at('2025-03-03T10:00'),
      [],
      at('2025-03-19T10:00'),
      at('2025-03-19T00:00'),
    );
    expect(reading.state).toBe('breached');
  });

  it('is breached once now passes the due time, with negative time remaining', () => {
    const reading = readClock(london, twoBusinessDays, at('2025-03-06T10:00'), [], at('2025-03-11T10:00'));
    expect(reading.state).toBe('breached');
    expect(reading.remaining.calendarMs).toBe(-17 * HOUR);
    expect(reading.remaining.businessMs).toBe(-HOUR);
    expect(reading.fractionElapsed).toBeCloseTo(24 / 23);
  });

  it('measures the fraction elapsed on its own kind of time', () => {
    const reading = readClock(
      london,
      { amount: 8, unit: 'business-hours' },
      at('2025-03-03T09:00'),
      [],
      at('2025-03-03T15:00'),
    );
    expect(reading.fractionElapsed).toBe(0.75);
    expect(reading.remaining).toEqual({ calendarMs: 2 * HOUR, businessMs: 2 * HOUR });
  });
});

describe('pausing an SLA clock while waiting on the customer', () => {
  it('extends a calendar-days deadline by the length of the pause', () => {
    const reading = readClock(
      london,
      fifteenCalendarDays,
      at('2025-03-03T10:00'),
      [{ from: at('2025-03-05T10:00'), to: at('2025-03-07T10:00') }],
      at('2025-03-10T10:00'),
    );
    expect(local(reading.dueAt)).toBe('2025-03-20T23:59:59.999');
    expect(reading.elapsed.calendarMs).toBe(7 * 24 * HOUR - 48 * HOUR);
  });

  it('extends a calendar-days deadline by a whole weekend when paused over it', () => {
    const reading = readClock(
      london,
      fifteenCalendarDays,
      at('2025-03-03T10:00'),
      [{ from: at('2025-03-07T18:00'), to: at('2025-03-10T09:00') }],
      at('2025-03-10T12:00'),
    );
    expect(local(reading.dueAt)).toBe('2025-03-21T14:59:59.999');
  });

  it('leaves a business-days deadline alone when the pause covers only the weekend', () => {
    const weekendPause = [{ from: at('2025-03-07T17:00'), to: at('2025-03-10T09:00') }];
    const reading = readClock(london, twoBusinessDays, at('2025-03-06T10:00'), weekendPause, at('2025-03-10T12:00'));
    expect(local(reading.dueAt)).toBe('2025-03-10T17:00:00.000');
    expect(reading.elapsed.businessMs).toBe(18 * HOUR);
    expect(reading.fractionElapsed).toBeCloseTo(18 / 23);
  });

  it('extends a business-days deadline by the working hours inside the pause', () => {
    const pause = [{ from: at('2025-03-07T15:00'), to: at('2025-03-10T10:00') }];
    const reading = readClock(london, twoBusinessDays, at('2025-03-06T10:00'), pause, at('2025-03-10T12:00'));
    expect(local(reading.dueAt)).toBe('2025-03-11T12:00:00.000');
  });

  it('is paused while a pause is open, its deadline extended up to now', () => {
    const reading = readClock(
      london,
      fifteenCalendarDays,
      at('2025-03-03T10:00'),
      [{ from: at('2025-03-05T10:00') }],
      at('2025-03-06T10:00'),
    );
    expect(reading.state).toBe('paused');
    expect(local(reading.dueAt)).toBe('2025-03-19T23:59:59.999');
    expect(reading.elapsed.calendarMs).toBe(48 * HOUR);
  });

  it('runs again after the pause ends', () => {
    const reading = readClock(
      london,
      fifteenCalendarDays,
      at('2025-03-03T10:00'),
      [{ from: at('2025-03-05T10:00'), to: at('2025-03-06T10:00') }],
      at('2025-03-07T10:00'),
    );
    expect(reading.state).toBe('running');
  });

  it('does not undo a breach when the pause starts after the due time', () => {
    const reading = readClock(
      london,
      { amount: 1, unit: 'calendar-days' },
      at('2025-03-03T10:00'),
      [{ from: at('2025-03-05T09:00') }],
      at('2025-03-06T09:00'),
    );
    expect(reading.state).toBe('breached');
    expect(local(reading.dueAt)).toBe('2025-03-04T23:59:59.999');
  });

  it('counts overlapping pauses once and ignores paused time before the start', () => {
    const reading = readClock(
      london,
      fifteenCalendarDays,
      at('2025-03-03T10:00'),
      [
        { from: at('2025-03-01T10:00'), to: at('2025-03-03T12:00') },
        { from: at('2025-03-05T10:00'), to: at('2025-03-06T10:00') },
        { from: at('2025-03-05T22:00'), to: at('2025-03-06T22:00') },
      ],
      at('2025-03-10T10:00'),
    );
    expect(reading.dueAt.getTime() - at('2025-03-18T23:59:59.999').getTime()).toBe(2 * HOUR + 36 * HOUR);
  });

  it('refuses a pause that ends before it starts', () => {
    expect(() =>
      readClock(
        london,
        fifteenCalendarDays,
        at('2025-03-03T10:00'),
        [{ from: at('2025-03-05T10:00'), to: at('2025-03-04T10:00') }],
        at('2025-03-06T10:00'),
      ),
    ).toThrow(RangeError);
  });
});

describe('warnings of an SLA clock', () => {
  function reading(state: ClockReading['state'], fractionElapsed: number): ClockReading {
    return {
      dueAt: new Date(0),
      state,
      elapsed: { calendarMs: 0, businessMs: 0 },
      remaining: { calendarMs: 0, businessMs: 0 },
      fractionElapsed,
    };
  }

  it('fires the 0.75 warning once', () => {
    const at80Percent = reading('running', 0.8);
    expect(warningsDue([0.5, 0.75], at80Percent, [0.5])).toEqual([0.75]);
    expect(warningsDue([0.5, 0.75], at80Percent, [0.5, 0.75])).toEqual([]);
  });

  it('fires every threshold crossed since the last look, lowest first', () => {
    expect(warningsDue([0.75, 0.5, 0.9], reading('running', 0.95), [])).toEqual([0.5, 0.75, 0.9]);
  });

  it('fires nothing before the first threshold', () => {
    expect(warningsDue([0.75], reading('running', 0.74), [])).toEqual([]);
  });

  it('keeps counting while paused, so a threshold reached just before the pause still fires', () => {
    expect(warningsDue([0.75], reading('paused', 0.76), [])).toEqual([0.75]);
  });

  it('fires nothing once the clock is met', () => {
    expect(warningsDue([0.5, 0.75], reading('met', 0.9), [])).toEqual([]);
  });

  it('fires only escalation points at or past the breach once breached', () => {
    expect(warningsDue([0.5, 0.75, 1.5], reading('breached', 1.6), [])).toEqual([1.5]);
  });

  it('works from a real reading', () => {
    const real = readClock(london, twoBusinessDays, at('2025-03-06T10:00'), [], at('2025-03-10T11:00'));
    expect(real.fractionElapsed).toBeCloseTo(17 / 23);
    expect(warningsDue([0.5, 0.75], real, [])).toEqual([0.5]);
  });
});

describe('when a running clock reaches a warning threshold', () => {
  /** The reference: the first millisecond at which a reading says so (readings only grow). */
  function bySearch(target: SlaTarget, startedAt: Date, pauses: ClockPause[], now: Date, fraction: number): Date {
    const fractionAt = (t: number) => readClock(london, target, startedAt, pauses, new Date(t)).fractionElapsed;
    let low = now.getTime();
    let high = readClock(london, target, startedAt, pauses, now).dueAt.getTime();
    if (fractionAt(low) >= fraction) return now;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (fractionAt(mid) >= fraction) high = mid;
      else low = mid;
    }
    return new Date(high);
  }

  const targets: SlaTarget[] = [
    { amount: 8, unit: 'business-hours' },
    { amount: 5, unit: 'business-days' },
    { amount: 15, unit: 'calendar-days' },
    { amount: 48, unit: 'calendar-hours' },
  ];
  const start = at('2025-03-20T08:00').getTime(); // spans the clocks going forward on 30 March

  it('is the first millisecond at which a reading reaches it, for any target, start, earlier pauses and threshold', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...targets),
        fc.integer({ min: 0, max: 10 * 24 * HOUR }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 * 24 * HOUR }), fc.integer({ min: 1, max: 20 * HOUR })), {
          maxLength: 2,
        }),
        fc.integer({ min: 0, max: 4 * 24 * HOUR }),
        fc.constantFrom(0.25, 0.5, 0.75, 0.8, 0.9),
        (target, startOffset, pauseSpecs, nowAfterPauses, fraction) => {
          const startedAt = new Date(start + startOffset);
          let cursor = startedAt.getTime();
          const pauses = pauseSpecs.map(([gap, length]) => {
            const pause = { from: new Date(cursor + gap), to: new Date(cursor + gap + length) };
            cursor = pause.to.getTime();
            return pause;
          });
          const now = new Date(cursor + nowAfterPauses);
          fc.pre(readClock(london, target, startedAt, pauses, now).state === 'running');
          expect(whenFractionReached(london, target, startedAt, pauses, now, fraction)).toEqual(
            bySearch(target, startedAt, pauses, now, fraction),
          );
        },
      ),
      { numRuns: 200, seed: 20261122 },
    );
  });
});
