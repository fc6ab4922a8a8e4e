/** Fixtures for domain tests: a calendar with no holidays, so expected deadlines are easy to read. */
import type { WorkingCalendar } from '@complaints/sla';

export const PLAIN_UTC_CALENDAR: WorkingCalendar = {
  id: 'TEST-UTC',
  timeZone: 'UTC',
  workingHours: { start: '09:00', end: '17:00' },
  weekendDays: [6, 7],
  holidays: new Set(),
  extraWorkingDays: new Set(),
};
