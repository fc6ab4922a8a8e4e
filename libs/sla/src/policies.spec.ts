import { DateTime } from 'luxon';
import type { WorkingCalendar } from './calendar';
import { DEFAULT_POLICY, SLA_POLICY_PRESETS, readPolicyClock, selectPolicy, targetInForce } from './policies';
import type { ClockDefinition, ClockKind, Regime, SlaPolicy } from './policies';

const anyCase = { tenant: 'bank-a', category: 'card-fees', priority: 'normal', channel: 'hotline' };

function preset(regime: Regime): SlaPolicy {
  const found = SLA_POLICY_PRESETS.find((policy) => policy.regime === regime);
  if (!found) throw new Error(`no preset for ${regime}`);
  return found;
}

function clock(policy: SlaPolicy, kind: ClockKind): ClockDefinition {
  const found = policy.clocks.find((definition) => definition.kind === kind);
  if (!found) throw new Error(`${policy.id} has no ${kind} clock`);
  return found;
}

function policy(id: string, applies: SlaPolicy['applies']): SlaPolicy {
  return { ...DEFAULT_POLICY, id, applies };
}

describe('choosing the SLA policy of a case', () => {
  it('falls back to the default policy when nothing more specific matches', () => {
    expect(selectPolicy(SLA_POLICY_PRESETS, anyCase).id).toBe('default');
  });

  it('returns the built-in default even from a list without one', () => {
    expect(selectPolicy([], anyCase)).toBe(DEFAULT_POLICY);
    expect(selectPolicy([policy('other-tenant', { tenant: 'bank-b' })], anyCase)).toBe(DEFAULT_POLICY);
  });

  it('picks the preset of the regulatory regime', () => {
    expect(selectPolicy(SLA_POLICY_PRESETS, { ...anyCase, regime: 'UK-FCA-DISP' }).id).toBe('uk-fca-disp');
  });

  it('prefers the policy that matches more fields', () => {
    const policies = [
      ...SLA_POLICY_PRESETS,
      policy('bank-a-nfra', { tenant: 'bank-a', regime: 'CN-NFRA' }),
      policy('bank-a-urgent-nfra-hotline', { tenant: 'bank-a', priority: 'urgent', regime: 'CN-NFRA' }),
    ];
    expect(selectPolicy(policies, { ...anyCase, regime: 'CN-NFRA' }).id).toBe('bank-a-nfra');
    expect(selectPolicy(policies, { ...anyCase, priority: 'urgent', regime: 'CN-NFRA' }).id).toBe(
      'bank-a-urgent-nfra-hotline',
    );
  });

  it('never picks a policy one of whose constraints the case fails', () => {
    const policies = [policy('bank-a-email', { tenant: 'bank-a', channel: 'email' })];
    expect(selectPolicy(policies, anyCase)).toBe(DEFAULT_POLICY);
  });

  it('breaks a tie by the order of the list', () => {
    const first = policy('by-channel', { channel: 'hotline' });
    const second = policy('by-category', { category: 'card-fees' });
    expect(selectPolicy([first, second], anyCase)).toBe(first);
    expect(selectPolicy([second, first], anyCase)).toBe(second);
  });
});

describe('the SLA policy presets', () => {
  it('give the default policy its acknowledgement, resolution and follow-up targets', () => {
    expect(DEFAULT_POLICY.applies).toEqual({});
    expect(clock(DEFAULT_POLICY, 'acknowledgement').target).toEqual({ amount: 1, unit: 'business-days' });
    expect(clock(DEFAULT_POLICY, 'resolution').target).toEqual({ amount: 15, unit: 'calendar-days' });
    const followUp = clock(DEFAULT_POLICY, 'follow-up');
    expect(followUp.target).toEqual({ amount: 7, unit: 'calendar-days' });
    expect(followUp.startsWhen).toBe('case-resolved');
  });

  it.each<[Regime, number, string, number | undefined]>([
    ['CN-NFRA', 15, 'calendar-days', 30],
    ['CN-CREDIT-REPORT', 20, 'calendar-days', undefined],
    ['CN-SGCC-95598', 7, 'business-days', undefined],
    ['UK-FCA-DISP', 56, 'calendar-days', undefined],
    ['UK-FCA-PSD', 15, 'business-days', 35],
    ['EU-PSD2', 15, 'business-days', 35],
    ['US-CFPB', 15, 'calendar-days', 60],
  ])('give %s a regulatory clock of %d %s (extended: %s)', (regime, amount, unit, extendedAmount) => {
    const regulatory = clock(preset(regime), 'regulatory');
    expect(regulatory.target).toEqual({ amount, unit });
    expect(regulatory.extendedTarget?.amount).toBe(extendedAmount);
    if (extendedAmount !== undefined) expect(regulatory.extendedTarget?.unit).toBe(unit);
    expect(regulatory.startsWhen).toBe('complaint-received');
  });

  it('let NFRA extend a complex case to 30 days without approval, and a further 30 only with approval', () => {
    const regulatory = clock(preset('CN-NFRA'), 'regulatory');
    expect(regulatory.extensionRequiresApproval).toBe(false);
    expect(regulatory.furtherExtension?.target).toEqual({ amount: 60, unit: 'calendar-days' });
    expect(regulatory.furtherExtension?.requiresApproval).toBe(true);
  });

  it('give State Grid 95598 a first contact within 1 working day', () => {
    expect(clock(preset('CN-SGCC-95598'), 'first-contact').target).toEqual({ amount: 1, unit: 'business-days' });
  });

  it('never pause a regulatory clock while waiting on the customer, but pause the resolution clock', () => {
    for (const policy of SLA_POLICY_PRESETS) {
      for (const definition of policy.clocks) {
        expect({ policy: policy.id, kind: definition.kind, pauses: definition.pausesWhileWaitingOnCustomer }).toEqual({
          policy: policy.id,
          kind: definition.kind,
          pauses: definition.kind === 'resolution',
        });
      }
    }
  });

  it('cite a source for every clock and carry unique ids', () => {
    for (const policy of SLA_POLICY_PRESETS) {
      expect(policy.clocks.length).toBeGreaterThan(0);
      for (const definition of policy.clocks) expect(definition.source.length).toBeGreaterThan(10);
    }
    expect(new Set(SLA_POLICY_PRESETS.map((policy) => policy.id)).size).toBe(SLA_POLICY_PRESETS.length);
  });

  it('match each primary preset by its regime and only by it (add-ons run only next to a primary)', () => {
    for (const policy of SLA_POLICY_PRESETS.filter((candidate) => candidate.regime !== 'default' && !candidate.addOn)) {
      expect(policy.applies).toEqual({ regime: policy.regime });
    }
  });
});

describe('reading a policy clock', () => {
  const shanghai: WorkingCalendar = {
    id: 'test-cn',
    timeZone: 'Asia/Shanghai',
    workingHours: { start: '09:00', end: '17:00' },
    weekendDays: [6, 7],
    holidays: new Set(),
    extraWorkingDays: new Set(),
  };
  const at = (local: string) => DateTime.fromISO(local, { zone: 'Asia/Shanghai' }).toJSDate();
  const nfra = preset('CN-NFRA');
  const run = {
    startedAt: at('2025-03-03T10:00'),
    waitingOnCustomer: [{ from: at('2025-03-04T10:00'), to: at('2025-03-06T10:00') }],
    now: at('2025-03-10T10:00'),
  };

  it('applies waiting-on-customer pauses to the resolution clock', () => {
    const reading = readPolicyClock(shanghai, clock(nfra, 'resolution'), run);
    expect(reading.dueAt).toEqual(at('2025-03-20T23:59:59.999'));
  });

  it('ignores them for the regulatory clock', () => {
    const reading = readPolicyClock(shanghai, clock(nfra, 'regulatory'), run);
    expect(reading.dueAt).toEqual(at('2025-03-18T23:59:59.999'));
  });

  it('uses the extended target once the case is extended', () => {
    const reading = readPolicyClock(shanghai, clock(nfra, 'regulatory'), { ...run, extension: 'extended' });
    expect(reading.dueAt).toEqual(at('2025-04-02T23:59:59.999'));
    expect(targetInForce(clock(nfra, 'regulatory'), 'further')).toEqual({ amount: 60, unit: 'calendar-days' });
  });

  it('refuses an extension the clock does not have', () => {
    expect(() => targetInForce(clock(preset('UK-FCA-DISP'), 'regulatory'), 'extended')).toThrow(RangeError);
  });
});
