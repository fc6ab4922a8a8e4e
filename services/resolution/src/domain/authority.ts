/**
 * Who may grant what, as data: amount limits per role and the least role each kind of remedy
 * needs. A proposal beyond the proposer's authority waits for an approver whose authority covers it.
 */
import { RESOLUTION_KINDS } from '@complaints/contracts';

export const ROLES = ['agent', 'supervisor', 'department-head', 'complaints-officer'] as const;
export type Role = (typeof ROLES)[number];

/** The remedies a desk can offer; the list is part of the published language. */
export { RESOLUTION_KINDS };
export type ResolutionKind = (typeof RESOLUTION_KINDS)[number];

/** Kinds that move money: they carry an amount. */
export const MONETARY_KINDS: ReadonlySet<ResolutionKind> = new Set(['refund', 'fee-waiver', 'compensation']);

export interface AuthorityPolicy {
  /** Largest amount (in the case's currency) each role may grant on its own. */
  amountLimit: Record<Role, number>;
  /** The least role that may grant a kind at all, whatever the amount. */
  minimumRole: Partial<Record<ResolutionKind, Role>>;
}

export const DEFAULT_AUTHORITY: AuthorityPolicy = {
  amountLimit: {
    agent: 500,
    supervisor: 5_000,
    'department-head': 50_000,
    'complaints-officer': Number.POSITIVE_INFINITY,
  },
  minimumRole: { 'credit-report-correction': 'supervisor', 'process-change': 'department-head' },
};

export const rankOf = (role: string): number => ROLES.indexOf(role as Role);
export const isRole = (role: string): role is Role => rankOf(role) >= 0;

/** The least role allowed to grant every option; `agent` when anyone may. */
export function requiredRole(
  options: { kind: ResolutionKind; amount?: number }[],
  policy: AuthorityPolicy = DEFAULT_AUTHORITY,
): Role {
  let needed = 0;
  for (const option of options) {
    const byKind = rankOf(policy.minimumRole[option.kind] ?? 'agent');
    const amount = option.amount ?? 0;
    const byAmount = ROLES.findIndex((role) => policy.amountLimit[role] >= amount);
    needed = Math.max(needed, byKind, byAmount);
  }
  return ROLES[needed]!;
}
