/** Fixtures for domain tests: a calendar with no holidays (expected deadlines are easy to read), limits, a directory. */
import { DEFAULT_POLICY, type WorkingCalendar } from '@complaints/sla';
import type { AmountLimits } from './authority';
import type { CaseSla } from './case';
import type { DepartmentDirectory } from './departments';
import { DEFAULT_DIRECTORY, type DirectoryInForce } from './escalation';

export const PLAIN_UTC_CALENDAR: WorkingCalendar = {
  id: 'TEST-UTC',
  timeZone: 'UTC',
  workingHours: { start: '09:00', end: '17:00' },
  weekendDays: [6, 7],
  holidays: new Set(),
  extraWorkingDays: new Set(),
};

/** The SLA a case opened under the default policy carries. */
export const DEFAULT_CASE_SLA: CaseSla = {
  policyId: DEFAULT_POLICY.id,
  regime: DEFAULT_POLICY.regime,
  calendarId: DEFAULT_POLICY.calendarId,
  clocks: DEFAULT_POLICY.clocks,
};

/** A tenant's limits as a limits file would give them: CNY and USD only. */
export const TEST_LIMITS: AmountLimits = {
  source: 'limits/test.json',
  limits: {
    agent: { CNY: 500, USD: 70 },
    supervisor: { CNY: 5_000, USD: 700 },
    'department-head': { CNY: 50_000, USD: 7_000 },
  },
};

/** bank-a's departments a case may move to. */
export const TEST_DIRECTORY: DepartmentDirectory = {
  tenant: 'bank-a',
  departments: [
    { id: 'cards', agents: ['agent-7'] },
    { id: 'credit-reporting', agents: ['agent-9'] },
  ],
};

/** The seed escalation directory as the monitor gets it from the policies: version 0. */
export const SEED_ESCALATIONS: DirectoryInForce = {
  directory: DEFAULT_DIRECTORY,
  policy: { kind: 'escalation-directory', version: 0, digest: 'seed-digest' },
};
