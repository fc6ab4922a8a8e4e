/**
 * Working calendars and deadline arithmetic for SLA clocks: which local days are working days,
 * when "N days" or "N hours" after an instant falls due, and how much working time lies between
 * two instants. Pure: calendars are data built elsewhere (sla-calendars/), time zones are
 * handled by luxon, and nothing here reads the clock.
 *
 * Counting conventions — the way regulators write their limits ("within 15 business days after
 * the day on which it received the complaint", FCA DISP 1.6.2AR; 民法典 arts. 201 and 203 for
 * Chinese periods):
 *
 * - `calendar-days` / `business-days`: the day of receipt is not counted. Day 1 is the local day
 *   after receipt (for business days: the first working day after the local date of receipt,
 *   whatever the hour of receipt, even when receipt fell on a weekend or holiday). The deadline
 *   is the END of day N, local time:
 *     - calendar days end at 23:59:59.999 local (民法典 art. 203: "截止时间为二十四时");
 *     - business days end when working hours end that day (art. 203: "有业务时间的，停止业务
 *       活动的时间为截止时间"; the FCA's "by the end of ... business days").
 *   So a complaint received on Friday at 10:00 under "1 business day" is due Monday at close of
 *   business, and one received on Saturday is due the same Monday: receipt outside working time
 *   does not buy an extra day. That is the stricter of the readings regulators accept.
 *   8 weeks are 56 calendar days.
 * - `calendar-hours` are exact elapsed time (DST days are 23 or 25 hours long: 24 hours after
 *   noon on the eve of a DST change is 11:00 or 13:00 local).
 * - `business-hours` are working-hours time: the clock runs only inside working hours of working
 *   days; one received outside working hours starts at the next opening.
 * - A calendar-days deadline that ends on a non-working day stays there unless the target says
 *   `lastDayRollsToWorkingDay` (民法典 art. 203: a period whose last day is a statutory rest day
 *   ends on the day after that rest day). Presets leave it off: the earlier deadline is the one
 *   a firm can never be faulted for meeting.
 */
import { DateTime, Info } from 'luxon';

export interface WorkingCalendar {
  /** e.g. 'CN', 'GB-ENG', 'US' */
  id: string;
  /** IANA time zone, e.g. 'Asia/Shanghai' */
  timeZone: string;
  /** Local 'HH:mm'; `end` may be '24:00' for a desk that works until midnight. */
  workingHours: { start: string; end: string };
  /** ISO weekdays that are not working days: 6 = Saturday, 7 = Sunday. */
  weekendDays: number[];
  /** Local dates 'YYYY-MM-DD' that are not working days. */
  holidays: ReadonlySet<string>;
  /** Local weekend dates that ARE working days (China's 调休 make-up days). */
  extraWorkingDays: ReadonlySet<string>;
}

export type SlaUnit = 'calendar-hours' | 'calendar-days' | 'business-hours' | 'business-days';

export interface SlaTarget {
  amount: number;
  unit: SlaUnit;
  /** Calendar days only: a last day that is not a working day moves to the next working day. */
  lastDayRollsToWorkingDay?: boolean;
}

/** Whether a unit counts elapsed time ('calendar') or working time ('business'). */
export type TimeKind = 'calendar' | 'business';

export function timeKindOf(unit: SlaUnit): TimeKind {
  return unit === 'business-days' || unit === 'business-hours' ? 'business' : 'calendar';
}

const HOUR_MS = 3_600_000;
/** Bounds every day-by-day walk, so a calendar without working days fails instead of spinning. */
const MAX_DAYS_SEARCHED = 3_660;

interface CalendarRules {
  zone: string;
  openMinutes: number;
  closeMinutes: number;
}

const rulesCache = new WeakMap<WorkingCalendar, CalendarRules>();

function rulesOf(calendar: WorkingCalendar): CalendarRules {
  const cached = rulesCache.get(calendar);
  if (cached) return cached;
  if (!Info.isValidIANAZone(calendar.timeZone)) {
    throw new RangeError(`calendar ${calendar.id}: unknown time zone '${calendar.timeZone}'`);
  }
  const openMinutes = minutesOfDay(calendar, calendar.workingHours.start);
  const closeMinutes = minutesOfDay(calendar, calendar.workingHours.end);
  if (closeMinutes <= openMinutes) {
    throw new RangeError(
      `calendar ${calendar.id}: working hours must open before they close ` +
        `(${calendar.workingHours.start}–${calendar.workingHours.end})`,
    );
  }
  const rules = { zone: calendar.timeZone, openMinutes, closeMinutes };
  rulesCache.set(calendar, rules);
  return rules;
}

function minutesOfDay(calendar: WorkingCalendar, hhmm: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  if (!match || minutes > 59 || hours > 24 || (hours === 24 && minutes > 0)) {
    throw new RangeError(`calendar ${calendar.id}: '${hhmm}' is not a local time 'HH:mm'`);
  }
  return hours * 60 + minutes;
}

function isoDateOf(day: DateTime): string {
  const iso = day.toISODate();
  if (iso === null) throw new RangeError(`invalid date: ${day.invalidExplanation ?? 'unknown reason'}`);
  return iso;
}

/** The UTC instant of a date's midnight, or NaN unless it is a real date 'YYYY-MM-DD'. */
function utcMidnight(localDate: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(localDate);
  if (!match) return NaN;
  const time = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Date(time).toISOString().startsWith(localDate) ? time : NaN;
}

/** The date `days` after a date, by the calendar alone (no time zone involved). */
function plusDays(localDate: string, days: number): string {
  return new Date(utcMidnight(localDate) + days * 86_400_000).toISOString().slice(0, 10);
}

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
function weekdayOf(localDate: string): number {
  const time = utcMidnight(localDate);
  if (Number.isNaN(time)) throw new RangeError(`'${localDate}' is not a date 'YYYY-MM-DD'`);
  return new Date(time).getUTCDay() || 7;
}

/**
 * Make-up working days win over holidays and weekends: they are the more specific, curated
 * data, and a wrong "working" answer gives an earlier deadline, never a missed one.
 */
export function isWorkingDay(calendar: WorkingCalendar, localDate: string): boolean {
  if (calendar.extraWorkingDays.has(localDate)) return true;
  if (calendar.holidays.has(localDate)) return false;
  return !calendar.weekendDays.includes(weekdayOf(localDate));
}

/** The local date ('YYYY-MM-DD') of an instant in the calendar's time zone. */
export function localDateOf(calendar: WorkingCalendar, instant: Date): string {
  const rules = rulesOf(calendar);
  const time = instant.getTime();
  if (Number.isNaN(time)) throw new RangeError('invalid date: an Invalid Date instant');
  // Offsets lie within a day of UTC: the local date is the UTC date or a neighbour, and the
  // neighbours' midnights are cached.
  const utcDate = instant.toISOString().slice(0, 10);
  for (const date of [utcDate, plusDays(utcDate, -1), plusDays(utcDate, 1)]) {
    const day = localDay(calendar, rules, date);
    if (day.midnight <= time && time < localDay(calendar, rules, day.next).midnight) return date;
  }
  return isoDateOf(DateTime.fromJSDate(instant, { zone: rules.zone }));
}

/** Minutes after local midnight, DST-safe: luxon resolves the wall-clock time in the zone. */
function atLocalMinutes(day: DateTime, minutes: number): DateTime {
  if (minutes === 24 * 60) return day.plus({ days: 1 }).startOf('day');
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 });
}

/** One local day of a calendar as epoch millis: its start, and its working hours when it has any. */
interface LocalDay {
  midnight: number;
  window: { open: number; close: number } | undefined;
  /** The following date. */
  next: string;
}

/**
 * Local days are worked out once per calendar and date: the arithmetic below walks the same days
 * for every case, and each time-zone conversion asks Intl for the zone's offset, which is slow.
 */
const dayCache = new WeakMap<WorkingCalendar, Map<string, LocalDay>>();
const MAX_CACHED_DAYS = 20_000;

function localDay(calendar: WorkingCalendar, rules: CalendarRules, localDate: string): LocalDay {
  let days = dayCache.get(calendar);
  if (!days) dayCache.set(calendar, (days = new Map<string, LocalDay>()));
  const cached = days.get(localDate);
  if (cached) return cached;
  const midnight = DateTime.fromISO(localDate, { zone: rules.zone }).startOf('day');
  const day: LocalDay = {
    midnight: midnight.toMillis(),
    window: isWorkingDay(calendar, localDate)
      ? {
          open: atLocalMinutes(midnight, rules.openMinutes).toMillis(),
          close: atLocalMinutes(midnight, rules.closeMinutes).toMillis(),
        }
      : undefined,
    next: plusDays(localDate, 1),
  };
  if (days.size >= MAX_CACHED_DAYS) days.clear();
  days.set(localDate, day);
  return day;
}

function assertDayCount(target: SlaTarget): void {
  if (!Number.isInteger(target.amount) || target.amount < 1) {
    throw new RangeError(`${target.unit} must be a whole number of at least 1, got ${target.amount}`);
  }
}

/** When a clock started at `startedAt` with this target falls due, per the conventions above. */
export function dueAt(calendar: WorkingCalendar, startedAt: Date, target: SlaTarget): Date {
  const rules = rulesOf(calendar);
  switch (target.unit) {
    case 'calendar-hours':
      assertHours(target.amount);
      return new Date(startedAt.getTime() + target.amount * HOUR_MS);
    case 'business-hours':
      assertHours(target.amount);
      return addBusinessMillis(calendar, startedAt, target.amount * HOUR_MS);
    case 'calendar-days': {
      assertDayCount(target);
      let lastDay = plusDays(localDateOf(calendar, startedAt), target.amount);
      if (target.lastDayRollsToWorkingDay) lastDay = firstWorkingDayFrom(calendar, lastDay);
      // The last millisecond before the next local day begins: 23:59:59.999 local.
      return new Date(localDay(calendar, rules, plusDays(lastDay, 1)).midnight - 1);
    }
    case 'business-days': {
      assertDayCount(target);
      let day = localDateOf(calendar, startedAt);
      for (let counted = 0; counted < target.amount; counted += 1) {
        day = firstWorkingDayFrom(calendar, plusDays(day, 1));
      }
      const { window } = localDay(calendar, rules, day);
      // A working day always has its hours; one without them is a calendar built wrong.
      if (!window) throw new Error(`Calendar ${calendar.id}: working day ${day} has no working hours`);
      return new Date(window.close);
    }
  }
}

function assertHours(amount: number): void {
  if (!Number.isFinite(amount) || amount < 0) throw new RangeError(`hours must be zero or more, got ${amount}`);
}

function firstWorkingDayFrom(calendar: WorkingCalendar, localDate: string): string {
  let candidate = localDate;
  for (let searched = 0; searched < MAX_DAYS_SEARCHED; searched += 1) {
    if (isWorkingDay(calendar, candidate)) return candidate;
    candidate = plusDays(candidate, 1);
  }
  throw new RangeError(`calendar ${calendar.id} has no working day within ${MAX_DAYS_SEARCHED} days`);
}

/** The instant at which `millis` of working time have passed after `from`. */
export function addBusinessMillis(calendar: WorkingCalendar, from: Date, millis: number): Date {
  if (!Number.isFinite(millis) || millis < 0) throw new RangeError(`working time must be zero or more, got ${millis}`);
  if (millis === 0) return from;
  const rules = rulesOf(calendar);
  let remaining = millis;
  let date = localDateOf(calendar, from);
  for (let searched = 0; searched < MAX_DAYS_SEARCHED; searched += 1) {
    const { window, next } = localDay(calendar, rules, date);
    date = next;
    if (!window) continue;
    const segmentStart = Math.max(window.open, from.getTime());
    if (segmentStart >= window.close) continue;
    const available = window.close - segmentStart;
    if (remaining <= available) return new Date(segmentStart + remaining);
    remaining -= available;
  }
  throw new RangeError(`calendar ${calendar.id} has no working time within ${MAX_DAYS_SEARCHED} days`);
}

/** Working-hours time between two instants; negative when `to` is before `from`. */
export function businessMillisBetween(calendar: WorkingCalendar, from: Date, to: Date): number {
  if (to.getTime() < from.getTime()) return -businessMillisBetween(calendar, to, from);
  const rules = rulesOf(calendar);
  let total = 0;
  for (let date = localDateOf(calendar, from); ;) {
    const { midnight, window, next } = localDay(calendar, rules, date);
    if (midnight >= to.getTime()) return total;
    date = next;
    if (!window) continue;
    const overlap = Math.min(window.close, to.getTime()) - Math.max(window.open, from.getTime());
    if (overlap > 0) total += overlap;
  }
}

/** Time between two instants on the given kind: elapsed for calendar clocks, working for business ones. */
export function millisBetween(calendar: WorkingCalendar, kind: TimeKind, from: Date, to: Date): number {
  return kind === 'business' ? businessMillisBetween(calendar, from, to) : to.getTime() - from.getTime();
}

/** The instant `millis` after `from` on the given kind of time. */
export function addMillis(calendar: WorkingCalendar, kind: TimeKind, from: Date, millis: number): Date {
  return kind === 'business' ? addBusinessMillis(calendar, from, millis) : new Date(from.getTime() + millis);
}
