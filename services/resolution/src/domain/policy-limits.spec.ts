import { feeWaiverRefusal } from './policy-limits';

describe('the once-per-period fee waiver refusal', () => {
  // The case knows its customer only by the data subject's pseudonym (contracts' pseudonymousCustomerId):
  // an internal key nobody outside the platform knows the customer by, so the refusal must not show it.
  const pseudonym = 'ds-0123456789abcdef0123456789abcdef';
  const granted = [{ caseId: 'case-1', reference: 'CMP-2026-000777', grantedAt: '2026-06-01T02:00:00.000Z' }];

  it('names the earlier case and the rule, never the internal pseudonym', () => {
    const refusal = feeWaiverRefusal(pseudonym, granted, new Date('2026-11-01T00:00:00.000Z'));
    expect(refusal).toBe(
      'The customer was already granted a fee waiver on 2026-06-01 (CMP-2026-000777); at most 1 per 12 months',
    );
    expect(refusal).not.toContain(pseudonym);
  });

  it('refuses every waiver under a limit of none, naming no earlier grant', () => {
    const none = { maxGrants: 0, windowMonths: 12 };
    expect(feeWaiverRefusal(pseudonym, [], new Date('2026-11-01T00:00:00.000Z'), none)).toBe(
      'No fee waiver is granted: at most 0 per 12 months',
    );
  });
});
