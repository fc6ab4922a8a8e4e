/**
 * Who may grant what, as data: amount limits per role and currency (each tenant's limits file),
 * and the least role each kind of remedy needs. A proposal beyond the proposer's authority waits
 * for an approver whose authority covers it; an amount in a currency no role has a limit in waits
 * for the top approver, the complaints officer, who has no limit.
 */
import { RESOLUTION_KINDS, type Role as PlatformRole } from '@complaints/contracts';
import type { PolicyRef } from '@complaints/policy';

/** The platform roles that decide on remedies, from the least authority to the most. */
export const ROLES = [
  'agent',
  'supervisor',
  'department-head',
  'complaints-officer',
] as const satisfies readonly PlatformRole[];
export type Role = (typeof ROLES)[number];

/** The roles a limits file sets amounts for; the one above them grants any amount. */
export const LIMITED_ROLES = ['agent', 'supervisor', 'department-head'] as const satisfies readonly Role[];
export type LimitedRole = (typeof LIMITED_ROLES)[number];
export const TOP_APPROVER: Role = 'complaints-officer';

/** The remedies a desk can offer; the list is part of the published language. */
export { RESOLUTION_KINDS };
export type ResolutionKind = (typeof RESOLUTION_KINDS)[number];

/** Kinds that move money: they carry an amount. */
export const MONETARY_KINDS: ReadonlySet<ResolutionKind> = new Set(['refund', 'fee-waiver', 'compensation']);

/** The least role that may grant a kind at all, whatever the amount. */
export const MINIMUM_ROLE: Partial<Record<ResolutionKind, Role>> = {
  'credit-report-correction': 'supervisor',
  'process-change': 'department-head',
};

/** A tenant's amount limits: role → ISO 4217 currency → largest amount the role grants on its own. */
export interface AmountLimits {
  /** The file they come from (or the published version), named on every decision made with them. */
  source: string;
  limits: Partial<Record<LimitedRole, Record<string, number>>>;
  /** The approval-limits version they are (version 0: the seed file), recorded on every decision. */
  policy?: PolicyRef;
}

/** The limit a decision used: the least role whose limit in the currency covers the amount (null: no limit). */
export interface AppliedLimit {
  optionId: string;
  amount: number;
  currency: string;
  role: Role;
  limit: number | null;
}

export const rankOf = (role: string): number => ROLES.indexOf(role as Role);
export const isRole = (role: string): role is Role => rankOf(role) >= 0;

function coveringLimit(table: AmountLimits, amount: number, currency: string): { role: Role; limit: number | null } {
  for (const role of LIMITED_ROLES) {
    const limit = table.limits[role]?.[currency];
    if (limit !== undefined && limit >= amount) return { role, limit };
  }
  return { role: TOP_APPROVER, limit: null };
}

/** The least role allowed to grant every option (`agent` when anyone may), and the limits that decided it. */
export function requiredAuthority(
  options: { optionId: string; kind: ResolutionKind; amount?: number; currency?: string }[],
  table: AmountLimits,
): { role: Role; limits: AppliedLimit[] } {
  let needed = 0;
  const limits: AppliedLimit[] = [];
  for (const { optionId, kind, amount, currency } of options) {
    needed = Math.max(needed, rankOf(MINIMUM_ROLE[kind] ?? 'agent'));
    if (amount === undefined || currency === undefined) continue;
    const covering = coveringLimit(table, amount, currency);
    limits.push({ optionId, amount, currency, ...covering });
    needed = Math.max(needed, rankOf(covering.role));
  }
  return { role: ROLES[needed] ?? TOP_APPROVER, limits };
}
