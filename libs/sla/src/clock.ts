/**
 * Reading an SLA clock at an instant: its due time after pauses, whether it runs, is paused, was
 * met or is breached, how much time it has used and has left, and which warning thresholds it
 * has crossed. Pure arithmetic over a calendar, a target and the pause history; the caller
 * supplies `now`, so replaying a case gives the same readings.
 *
 * Pauses (waiting on the customer) stop the clock in its own kind of time: a business-time clock
 * loses only the working time inside a pause, so a pause over a weekend or a night costs it
 * nothing, while a calendar-time clock is extended by the whole length of the pause. A pause
 * that begins after the clock has fallen due extends nothing: a breach is not undone by waiting.
 */
import { addMillis, dueAt as unpausedDueAt, millisBetween, timeKindOf } from './calendar';
import type { SlaTarget, TimeKind, WorkingCalendar } from './calendar';

/** `to` undefined = still paused. */
export interface ClockPause {
  from: Date;
  to?: Date;
}

export interface ClockReading {
  /** The unpaused due time extended by the paused time, measured in the clock's own kind of time. */
  dueAt: Date;
  state: 'running' | 'paused' | 'met' | 'breached';
  /** Time the clock has run, pauses excluded. */
  elapsed: { calendarMs: number; businessMs: number };
  /** Time left until `dueAt`; zero or negative once overdue. */
  remaining: { calendarMs: number; businessMs: number };
  /** Elapsed over the target, on the clock's own kind of time: 1 = due, above 1 = overdue. */
  fractionElapsed: number;
}

interface ClosedPause {
  from: Date;
  to: Date;
}

/**
 * @param stoppedAt when the clock's goal was reached (acknowledged, resolved, …): met when
 *   `stoppedAt <= dueAt`. The reading is then taken at `stoppedAt`, not at `now`.
 */
export function readClock(
  calendar: WorkingCalendar,
  target: SlaTarget,
  startedAt: Date,
  pauses: ClockPause[],
  now: Date,
  stoppedAt?: Date,
): ClockReading {
  const kind = timeKindOf(target.unit);
  const readAt = new Date(Math.max(startedAt.getTime(), (stoppedAt ?? now).getTime()));
  const pausesSoFar = clipAndMerge(pauses, startedAt, readAt);
  const budget = millisBetween(calendar, kind, startedAt, unpausedDueAt(calendar, startedAt, target));
  const due = dueAfterPauses(calendar, kind, startedAt, budget, pausesSoFar);

  const pausedCalendarMs = sum(pausesSoFar.map((pause) => pause.to.getTime() - pause.from.getTime()));
  const pausedBusinessMs = sum(pausesSoFar.map((pause) => millisBetween(calendar, 'business', pause.from, pause.to)));
  const elapsed = {
    calendarMs: readAt.getTime() - startedAt.getTime() - pausedCalendarMs,
    businessMs: millisBetween(calendar, 'business', startedAt, readAt) - pausedBusinessMs,
  };
  const remaining = {
    calendarMs: due.getTime() - readAt.getTime(),
    businessMs: millisBetween(calendar, 'business', readAt, due),
  };
  const elapsedOwnKind = kind === 'business' ? elapsed.businessMs : elapsed.calendarMs;

  return {
    dueAt: due,
    state: stateOf(pauses, now, due, readAt, stoppedAt),
    elapsed,
    remaining,
    fractionElapsed: budget > 0 ? elapsedOwnKind / budget : 1,
  };
}

/**
 * The first instant from `now` at which a clock RUNNING at `now` has used `fraction` of its
 * target (a warning threshold), assuming no further pause: from `now` on it gains its own kind of
 * time one for one, so the instant is `now` plus what is left to use, on that kind of time.
 */
export function whenFractionReached(
  calendar: WorkingCalendar,
  target: SlaTarget,
  startedAt: Date,
  pauses: ClockPause[],
  now: Date,
  fraction: number,
): Date {
  const read = (at: Date) => readClock(calendar, target, startedAt, pauses, at);
  const reading = read(now);
  if (reading.fractionElapsed >= fraction) return now;
  const kind = timeKindOf(target.unit);
  const budget = millisBetween(calendar, kind, startedAt, unpausedDueAt(calendar, startedAt, target));
  const used = kind === 'business' ? reading.elapsed.businessMs : reading.elapsed.calendarMs;
  let at = addMillis(calendar, kind, now, Math.ceil(fraction * budget - used));
  // Floating point can leave the instant a millisecond short of what a reading there computes.
  for (let step = 0; step < 3 && read(at).fractionElapsed < fraction; step += 1) at = addMillis(calendar, kind, at, 1);
  return at;
}

function stateOf(
  pauses: ClockPause[],
  now: Date,
  due: Date,
  readAt: Date,
  stoppedAt: Date | undefined,
): ClockReading['state'] {
  if (stoppedAt) return stoppedAt.getTime() <= due.getTime() ? 'met' : 'breached';
  if (readAt.getTime() > due.getTime()) return 'breached';
  const pausedNow = pauses.some(
    (pause) => pause.from.getTime() <= now.getTime() && (pause.to === undefined || pause.to.getTime() > now.getTime()),
  );
  return pausedNow ? 'paused' : 'running';
}

/** Pauses inside [startedAt, readAt], open ones closed at readAt, sorted, overlaps merged. */
function clipAndMerge(pauses: ClockPause[], startedAt: Date, readAt: Date): ClosedPause[] {
  const clipped: ClosedPause[] = [];
  for (const pause of pauses) {
    if (pause.to && pause.to.getTime() < pause.from.getTime()) {
      throw new RangeError(
        `a pause cannot end (${pause.to.toISOString()}) before it starts (${pause.from.toISOString()})`,
      );
    }
    const from = Math.max(pause.from.getTime(), startedAt.getTime());
    const to = Math.min((pause.to ?? readAt).getTime(), readAt.getTime());
    if (to > from) clipped.push({ from: new Date(from), to: new Date(to) });
  }
  clipped.sort((a, b) => a.from.getTime() - b.from.getTime());
  const merged: ClosedPause[] = [];
  for (const pause of clipped) {
    const last = merged[merged.length - 1];
    if (last && pause.from.getTime() <= last.to.getTime()) {
      if (pause.to.getTime() > last.to.getTime()) last.to = pause.to;
    } else {
      merged.push({ ...pause });
    }
  }
  return merged;
}

/** Spends the time budget on the running stretches between pauses; the due time is where it runs out. */
function dueAfterPauses(
  calendar: WorkingCalendar,
  kind: TimeKind,
  startedAt: Date,
  budget: number,
  pauses: ClosedPause[],
): Date {
  let runningFrom = startedAt;
  let budgetLeft = budget;
  for (const pause of pauses) {
    const dueWithoutThisPause = addMillis(calendar, kind, runningFrom, budgetLeft);
    if (dueWithoutThisPause.getTime() <= pause.from.getTime()) return dueWithoutThisPause;
    budgetLeft -= millisBetween(calendar, kind, runningFrom, pause.from);
    runningFrom = pause.to;
  }
  return addMillis(calendar, kind, runningFrom, budgetLeft);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/**
 * Warning thresholds (fractions of the target) the clock has reached and that have not fired
 * yet, lowest first. A met clock warns no more; a breached one fires only thresholds at or above
 * 1 (escalation points after the breach), because the breach itself supersedes earlier warnings.
 */
export function warningsDue(fractions: number[], reading: ClockReading, alreadyFired: number[]): number[] {
  if (reading.state === 'met') return [];
  const lowest = reading.state === 'breached' ? 1 : 0;
  return [...new Set(fractions)]
    .filter((fraction) => fraction >= lowest && reading.fractionElapsed >= fraction && !alreadyFired.includes(fraction))
    .sort((a, b) => a - b);
}
