/**
 * Query parameters of the filtering endpoints (search, export, KPIs, returns), checked before any
 * query runs: each one known and given once as plain text (`status[]=` or a repeated `limit=` is
 * a 400 naming it, not a filter quietly dropped), and dates in the one form PostgreSQL and
 * JavaScript read alike, so that no filter reaches the database to be refused there.
 */
import { BadRequestException } from '@nestjs/common';

export type QueryParams = Record<string, string | undefined>;

/** The query as plain text values; unknown, repeated or bracketed parameters refused by name. */
export function strictQuery(query: unknown, allowed: readonly string[]): QueryParams {
  const entries = Object.entries((query ?? {}) as Record<string, unknown>);
  const unknown = entries.map(([name]) => name).filter((name) => !allowed.includes(name));
  if (unknown.length > 0)
    throw new BadRequestException(
      `Unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; this endpoint takes ${allowed.join(', ')}`,
    );
  for (const [name, value] of entries) {
    if (typeof value !== 'string')
      throw new BadRequestException(`${name} must be given once, as a plain value (not ${name}[]= or repeated)`);
    if (value.length > 500) throw new BadRequestException(`${name} is longer than 500 characters`);
  }
  return Object.fromEntries(entries) as QueryParams;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-](\d{2}):?(\d{2}))?)?$/;

/**
 * An ISO 8601 calendar date or date-time (offset optional: UTC without one), as a UTC instant;
 * undefined when absent. Refused, naming the parameter: other forms JavaScript reads loosely
 * ("1", "Nov 1 2026"), days a month lacks, hour 24, years outside 0001-9999.
 */
export function isoInstant(query: QueryParams, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  const refuse = () =>
    new BadRequestException(
      `${name} must be an ISO 8601 date or date-time such as 2026-11-01 or 2026-11-01T08:00:00+08:00, got ${JSON.stringify(value.slice(0, 40))}`,
    );
  const match = ISO.exec(value);
  if (!match) throw refuse();
  const [, year, month, day, hour = '0', minute = '0', second = '0', offset, offsetHours = '0', offsetMinutes = '0'] =
    match.map((part) => part ?? undefined);
  const y = Number(year);
  const m = Number(month);
  const daysInMonth = new Date(Date.UTC(2000, m, 0)).getUTCDate() - (m === 2 && !leapYear(y) ? 1 : 0);
  const fits =
    y >= 1 &&
    m >= 1 &&
    m <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    Number(offsetHours) <= 14 &&
    Number(offsetMinutes) <= 59;
  if (!fits) throw refuse();
  const instant = new Date(match[4] !== undefined && offset === undefined ? `${value}Z` : value);
  if (Number.isNaN(instant.getTime()) || instant.getUTCFullYear() < 1 || instant.getUTCFullYear() > 9999)
    throw refuse();
  return instant.toISOString();
}

const leapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
