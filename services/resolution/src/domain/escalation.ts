/**
 * The escalation ladder, as data: who a case goes to at each level, and how long each level has
 * to acknowledge before the case climbs to the next. Agent → supervisor → department head →
 * complaints officer (DOMAIN.md, 升级投诉).
 */
import type { Role } from './authority';
import type { SlaTarget } from '@complaints/sla';
import type { PolicyRef } from '@complaints/policy';

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

/** Who is notified per department and role (their ids); `*` is the fallback. */
export type EscalationDirectory = Record<string, Partial<Record<Role, string[]>>>;

/** A tenant's directory in force for a decision, and the policy version it is. */
export interface DirectoryInForce {
  directory: EscalationDirectory;
  policy: PolicyRef;
}

/** The roles an escalation reaches (the ladder's). */
export const LADDER_ROLES = ['supervisor', 'department-head', 'complaints-officer'] as const;
export type LadderRole = (typeof LADDER_ROLES)[number];

/** How an escalatee is reached. */
export const CONTACT_CHANNELS = ['email', 'phone', 'sms', 'chat', 'pager', 'webhook'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

/** A named person or team an escalation goes to, with contact points (a team may be reached through its roster). */
export interface Escalatee {
  id: string;
  name: string;
  type: 'person' | 'team';
  contacts: { channel: ContactChannel; address: string }[];
}

/** The `escalation-directory` policy document: per department (`*`: every other), per ladder role, who. */
export interface EscalationDirectoryDocument {
  $comment?: string;
  departments: Record<string, Partial<Record<LadderRole, Escalatee[]>>>;
}

/** The ids a document names, as the directory escalations notify from. */
export function directoryOf(document: EscalationDirectoryDocument): EscalationDirectory {
  return Object.fromEntries(
    Object.entries(document.departments).map(([department, roles]) => [
      department,
      Object.fromEntries(Object.entries(roles).map(([role, people]) => [role, (people ?? []).map((p) => p.id)])),
    ]),
  );
}

/** DEFAULT_DIRECTORY as a document: its role placeholders become teams without contact points (the seed). */
export function seedDirectoryDocument(directory: EscalationDirectory = DEFAULT_DIRECTORY): EscalationDirectoryDocument {
  return {
    $comment: 'Seed: the role placeholders of DEFAULT_DIRECTORY, as teams reached through their duty rosters.',
    departments: Object.fromEntries(
      Object.entries(directory).map(([department, roles]) => [
        department,
        Object.fromEntries(
          Object.entries(roles).map(([role, ids]) => [
            role,
            (ids ?? []).map((id) => ({ id, name: id, type: 'team' as const, contacts: [] })),
          ]),
        ),
      ]),
    ),
  };
}

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
