/**
 * Builds the working calendars SLA clocks count on: time zone, working hours, weekends, public
 * holidays (from the maintained date-holidays library) and, for China, the State Council's
 * holiday blocks and make-up working days (china-adjusted-days.ts). The result is plain data for
 * the pure deadline arithmetic in domain/sla.
 *
 * Build a calendar for every year a clock may touch — the year of receipt and the next, at
 * least — because a date outside the built years is treated as an ordinary weekday.
 */
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import type { WorkingCalendar } from '../calendar';
import { CHINA_HOLIDAY_SCHEDULES } from './china-adjusted-days';

export interface BuiltCalendar extends WorkingCalendar {
  years: number[];
  /** Years whose data is known to be incomplete (e.g. no 调休 schedule yet): log them, fix the data. */
  dataGaps: string[];
}

export type CalendarOverrides = Partial<Pick<WorkingCalendar, 'timeZone' | 'workingHours' | 'weekendDays'>>;

interface YearOfDays {
  holidays: string[];
  extraWorkingDays: string[];
  gap?: string;
  /** The calendar's data does not hold the year at all (China before the State Council notice is out). */
  missing?: boolean;
}

interface CalendarSpec {
  description: string;
  timeZone: string;
  workingHours: { start: string; end: string };
  weekendDays: number[];
  daysOf(year: number): YearOfDays;
}

const SATURDAY = 6;
const SUNDAY = 7;

const CALENDAR_SPECS: Readonly<Record<string, CalendarSpec>> = {
  CN: {
    description: 'Mainland China: statutory holidays and 调休 per the State Council notice',
    timeZone: 'Asia/Shanghai',
    workingHours: { start: '09:00', end: '17:00' },
    weekendDays: [SATURDAY, SUNDAY],
    daysOf: chinaDaysOf,
  },
  'GB-ENG': {
    description: 'England and Wales bank holidays, substitute days included',
    timeZone: 'Europe/London',
    workingHours: { start: '09:00', end: '17:30' },
    weekendDays: [SATURDAY, SUNDAY],
    daysOf: (year) => ({ holidays: publicHolidayDates(new Holidays('GB', 'ENG'), year), extraWorkingDays: [] }),
  },
  US: {
    description: 'US federal holidays, observed on the Friday or Monday when they fall on a weekend',
    timeZone: 'America/New_York',
    workingHours: { start: '09:00', end: '17:00' },
    weekendDays: [SATURDAY, SUNDAY],
    daysOf: usFederalDaysOf,
  },
  DE: {
    description: 'Germany, nationwide public holidays only (Länder add their own)',
    timeZone: 'Europe/Berlin',
    workingHours: { start: '09:00', end: '17:00' },
    weekendDays: [SATURDAY, SUNDAY],
    daysOf: (year) => ({ holidays: publicHolidayDates(new Holidays('DE'), year), extraWorkingDays: [] }),
  },
};

export const CALENDAR_IDS: readonly string[] = Object.keys(CALENDAR_SPECS);

/**
 * A tenant's own calendar data (policy kind `calendar`, sla-kinds.ts): per calendar id and year, the
 * days off and the make-up working days that REPLACE the built-in data for that year (a tenant
 * publishes 2027's State Council schedule without a deploy), and calendars of its own (a new id with
 * its time zone, working hours and weekend). Version 0, the seed, holds none: the built-in data.
 */
export interface CalendarDocument {
  calendars: Record<string, TenantCalendar>;
}

export interface TenantCalendar {
  description?: string;
  /** Required for a new id; for a built-in one, replaces its zone, hours or weekend. */
  timeZone?: string;
  workingHours?: { start: string; end: string };
  weekendDays?: number[];
  /** 'YYYY' → that year's days, replacing the built-in ones. */
  years: Record<string, TenantCalendarYear>;
}

export interface TenantCalendarYear {
  /** Local days off, 'YYYY-MM-DD', inside the year (weekend days within a holiday block included). */
  holidays: string[];
  /** Weekend days that are working days (调休上班). */
  workingDays: string[];
  /** Where the days come from (the State Council notice and its date). */
  notice?: string;
}

export const EMPTY_CALENDAR_DOCUMENT: CalendarDocument = { calendars: {} };

/** The calendar ids a tenant may name: the built-in ones and its own. */
export function calendarIdsOf(document: CalendarDocument = EMPTY_CALENDAR_DOCUMENT): string[] {
  return [...new Set([...CALENDAR_IDS, ...Object.keys(document.calendars)])];
}

/** The spec of a calendar for a tenant: the built-in one with the tenant's years and settings over it, or the tenant's own. */
function specOf(id: string, document: CalendarDocument = EMPTY_CALENDAR_DOCUMENT): CalendarSpec {
  const builtIn = CALENDAR_SPECS[id];
  const own = document.calendars[id];
  if (!own) {
    if (!builtIn) throw new RangeError(`unknown calendar '${id}'; known: ${calendarIdsOf(document).join(', ')}`);
    return builtIn;
  }
  const daysOf = (year: number): YearOfDays => {
    const given = own.years[String(year)];
    if (given) return { holidays: [...given.holidays], extraWorkingDays: [...given.workingDays] };
    if (builtIn) return builtIn.daysOf(year);
    return {
      holidays: [],
      extraWorkingDays: [],
      missing: true,
      gap: `${id} ${year}: the tenant's calendar ${id} holds no days for ${year}; counting weekends only`,
    };
  };
  return {
    description: own.description ?? builtIn?.description ?? id,
    // A new id carries all three (the validator says so); a built-in one keeps what it does not replace.
    timeZone: own.timeZone ?? builtIn?.timeZone ?? 'UTC',
    workingHours: own.workingHours ?? builtIn?.workingHours ?? { start: '09:00', end: '17:00' },
    weekendDays: own.weekendDays ?? builtIn?.weekendDays ?? [SATURDAY, SUNDAY],
    daysOf,
  };
}

/**
 * Why the calendar's data lacks `year`, or undefined when it holds it. Of the built-in calendars
 * only CN can lack a year: its adjusted days come from the yearly State Council notice
 * (china-adjusted-days.ts says how to add one, or a tenant publishes the year as a `calendar`
 * version); the others compute any year from date-holidays' rules.
 */
export function missingYear(id: string, year: number, document?: CalendarDocument): string | undefined {
  const days = specOf(id, document).daysOf(year);
  return days.missing ? days.gap : undefined;
}

/** What each calendar holds, for an operator choosing one. */
export function describeCalendars(): { id: string; description: string; timeZone: string }[] {
  return Object.entries(CALENDAR_SPECS).map(([id, spec]) => ({
    id,
    description: spec.description,
    timeZone: spec.timeZone,
  }));
}

/**
 * @param id one of CALENDAR_IDS
 * @param years the years whose holidays the calendar must know
 * @param overrides a tenant's or region's own time zone, working hours or weekend
 * @param document the tenant's calendar policy in force (its years replace the built-in ones)
 */
export function buildCalendar(
  id: string,
  years: number[],
  overrides: CalendarOverrides = {},
  document?: CalendarDocument,
): BuiltCalendar {
  const spec = specOf(id, document);
  const holidays = new Set<string>();
  const extraWorkingDays = new Set<string>();
  const dataGaps: string[] = [];
  const uniqueYears = [...new Set(years)].sort((a, b) => a - b);
  for (const year of uniqueYears) {
    if (!Number.isInteger(year)) throw new RangeError(`'${year}' is not a year`);
    const days = spec.daysOf(year);
    days.holidays.forEach((day) => holidays.add(day));
    days.extraWorkingDays.forEach((day) => extraWorkingDays.add(day));
    if (days.gap) dataGaps.push(days.gap);
  }
  return {
    id,
    timeZone: overrides.timeZone ?? spec.timeZone,
    workingHours: overrides.workingHours ?? spec.workingHours,
    weekendDays: overrides.weekendDays ?? spec.weekendDays,
    holidays,
    extraWorkingDays,
    years: uniqueYears,
    dataGaps,
  };
}

type HolidayCalendar = InstanceType<typeof Holidays>;
type LibraryHoliday = ReturnType<HolidayCalendar['getHolidays']>[number];

function publicHolidayDates(library: HolidayCalendar, year: number, keep = (_h: LibraryHoliday) => true): string[] {
  return library
    .getHolidays(year)
    .filter((holiday) => holiday.type === 'public' && keep(holiday))
    .map((holiday) => holiday.date.slice(0, 10));
}

/**
 * date-holidays marks group holidays (妇女节 half a day for women, 青年节, 儿童节, 建军节) as
 * public with a note naming the group, and the half days start at noon: neither is a day off
 * for a complaint desk.
 */
function isDayOffForEveryone(holiday: LibraryHoliday): boolean {
  const note = (holiday as LibraryHoliday & { note?: string }).note;
  return note === undefined && holiday.date.slice(11, 16) === '00:00';
}

function chinaDaysOf(year: number): YearOfDays {
  const schedule = CHINA_HOLIDAY_SCHEDULES[year];
  if (!schedule) {
    return {
      holidays: publicHolidayDates(new Holidays('CN'), year, isDayOffForEveryone),
      extraWorkingDays: [],
      missing: true,
      gap:
        `CN ${year}: no State Council holiday schedule in china-adjusted-days.ts; using date-holidays' ` +
        `statutory days only, without holiday blocks or make-up working days`,
    };
  }
  return {
    holidays: schedule.blocks.flatMap((block) => datesFromTo(block.from, block.to)),
    extraWorkingDays: [...schedule.makeUpWorkingDays],
    ...(schedule.todo ? { gap: `CN ${year}: ${schedule.todo}` } : {}),
  };
}

/** 5 U.S.C. 6103(b): a holiday on a Saturday is observed the Friday before, on a Sunday the Monday after. */
function usFederalDaysOf(year: number): YearOfDays {
  const library = new Holidays('US');
  const days = new Set<string>();
  for (const holiday of library.getHolidays(year)) {
    if (holiday.type !== 'public') continue;
    const date = holiday.date.slice(0, 10);
    days.add(date);
    const day = DateTime.fromISO(date, { zone: 'UTC' });
    if (day.weekday === SATURDAY) days.add(isoDate(day.minus({ days: 1 })));
    if (day.weekday === SUNDAY) days.add(isoDate(day.plus({ days: 1 })));
  }
  return { holidays: [...days], extraWorkingDays: [] };
}

function datesFromTo(from: string, to: string): string[] {
  const dates: string[] = [];
  const last = DateTime.fromISO(to, { zone: 'UTC' });
  for (let day = DateTime.fromISO(from, { zone: 'UTC' }); day <= last; day = day.plus({ days: 1 })) {
    dates.push(isoDate(day));
  }
  if (dates.length === 0) throw new RangeError(`empty or invalid holiday block ${from}..${to}`);
  return dates;
}

function isoDate(day: DateTime): string {
  const iso = day.toISODate();
  if (iso === null) throw new RangeError(`invalid date: ${day.invalidExplanation ?? 'unknown reason'}`);
  return iso;
}
