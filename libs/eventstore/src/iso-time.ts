/**
 * Timestamps rendered by PostgreSQL as the text JavaScript's `Date.toISOString()` gives
 * (`2026-11-22T10:00:00.000Z`: UTC, milliseconds, Z), so a read that only passes instants on need
 * not parse each into a Date and format it again. Milliseconds are truncated from the stored
 * microseconds, as pg's Date parsing does, whatever the session's TimeZone. Years 1 to 9999 only:
 * toISOString writes the others with a sign and six digits.
 */
export const isoTimeSql = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
