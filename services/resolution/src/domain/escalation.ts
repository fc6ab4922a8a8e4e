/**
 * The escalation ladder, as data: who a case goes to at each level, and how long each level has
 * to acknowledge before the case climbs to the next. Agent → supervisor → department head →
 * complaints officer (DOMAIN.md, 升级投诉).
 */
import type { Role } from './authority';
import type { SlaTarget } from '@complaints/sla';

export interface LadderStep {
  level: number;
  role: Role;
  /** Unacknowledged for this long, the case climbs one level. */
  acknowledgeWithin?: SlaTarget;
}

export const ESCALATION_LADDER: LadderStep[] = [
  { level: 1, role: 'supervisor', acknowledgeWithin: { amount: 4, unit: 'business-hours' } },
  { level: 2, role: 'department-head', acknowledgeWithin: { amount: 1, unit: 'business-days' } },
  { level: 3, role: 'complaints-officer' },
];

export const stepAt = (level: number): LadderStep | undefined => ESCALATION_LADDER.find((s) => s.level === level);

/** Who is notified per department and role; `*` is the fallback. Replace with the tenant's directory. */
export type EscalationDirectory = Record<string, Partial<Record<Role, string[]>>>;

export const DEFAULT_DIRECTORY: EscalationDirectory = {
  '*': {
    supervisor: ['duty-supervisor'],
    'department-head': ['duty-department-head'],
    'complaints-officer': ['complaints-officer'],
  },
};

export function whoToNotify(directory: EscalationDirectory, department: string, role: Role): string[] {
  return directory[department]?.[role] ?? directory['*']?.[role] ?? [`${role}@${department}`];
}
