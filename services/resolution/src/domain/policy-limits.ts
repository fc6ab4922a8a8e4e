/**
 * Limits a bank or utility puts on remedies, as data and enforced in the domain. The seeds' bank
 * case: an annual-fee waiver is granted once per customer ("仅此一次"), here once in a rolling window.
 */
export interface FeeWaiverLimit {
  maxGrants: number;
  windowMonths: number;
}

export const DEFAULT_FEE_WAIVER_LIMIT: FeeWaiverLimit = { maxGrants: 1, windowMonths: 12 };

export interface GrantedWaiver {
  caseId: string;
  reference: string;
  grantedAt: string;
}

function monthsBefore(date: Date, months: number): Date {
  const earlier = new Date(date);
  earlier.setUTCMonth(earlier.getUTCMonth() - months);
  return earlier;
}

/** Why a fee waiver may not be granted now, or undefined when it may. */
export function feeWaiverRefusal(
  customerId: string | undefined,
  granted: GrantedWaiver[],
  now: Date,
  limit: FeeWaiverLimit = DEFAULT_FEE_WAIVER_LIMIT,
): string | undefined {
  if (!customerId) {
    return 'A fee waiver needs the customer id, to check the once-per-period rule';
  }
  const since = monthsBefore(now, limit.windowMonths);
  const recent = granted.filter((g) => new Date(g.grantedAt) > since);
  if (recent.length >= limit.maxGrants) {
    const last = recent
      .map((g) => g.grantedAt)
      .sort()
      .at(-1);
    // A limit of none: no grant to name.
    if (last === undefined)
      return `No fee waiver is granted: at most ${limit.maxGrants} per ${limit.windowMonths} months`;
    const cases = recent.map((g) => g.reference).join(', ');
    // customerId is the data subject's pseudonym (the case never holds the customer's own id): named
    // by it, the customer would be named by a key only the platform knows. The earlier cases identify the grant.
    return `The customer was already granted a fee waiver on ${last.slice(0, 10)} (${cases}); at most ${limit.maxGrants} per ${limit.windowMonths} months`;
  }
  return undefined;
}
