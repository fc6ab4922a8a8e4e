import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dueAt } from './calendar';
import { buildCalendar } from './calendars/calendars';
import {
  digestOf,
  seedSlaDocument,
  slaCriteriaOf,
  validateSlaDocument,
  type SelectionCriteria,
  type SlaDocument,
} from './sla-document';
import { SlaCatalogue, seedsOnly, type CalendarYearWarning } from './selection';
import { SlaSeeds } from './sla-kinds';

const example = (name: string): SlaDocument =>
  JSON.parse(readFileSync(join(__dirname, '..', 'examples', `${name}.json`), 'utf8')) as SlaDocument;

const documentsOf = (...docs: SlaDocument[]) => new SlaCatalogue(seedsOnly(SlaSeeds.of(docs)));

// Monday 2 November 2026, 10:00 in Shanghai.
const RECEIVED = new Date('2026-11-02T02:00:00.000Z');
const CN = buildCalendar('CN', [2026, 2027]);

const clocksOf = (catalogue: SlaCatalogue, criteria: Partial<SelectionCriteria> & { tenant: string }) =>
  catalogue
    .select({ category: 'other', channel: 'web', ...criteria }, RECEIVED)
    .clocks.map((c) => `${c.id} ${c.target.amount} ${c.target.unit}`);

describe('a bank running several regimes at once (examples/bank-cn.json)', () => {
  const bank = documentsOf(example('bank-cn'));

  it('runs NFRA (15 days) for most complaints', () => {
    expect(clocksOf(bank, { tenant: 'bank-cn', category: 'card-fees' })).toContain(
      'CN-NFRA/regulatory 15 calendar-days',
    );
  });

  it('runs the 征信 20-day rule for a credit-report dispute, not NFRA’s 15 days', () => {
    const clocks = clocksOf(bank, { tenant: 'bank-cn', category: 'credit-report' });
    expect(clocks).toContain('CN-CREDIT-REPORT/regulatory 20 calendar-days');
    expect(clocks.some((c) => c.startsWith('CN-NFRA/'))).toBe(false);
  });

  it('runs PSD2 for payments in the EU, FCA PSD for payments in the UK and DISP for the rest in the UK', () => {
    expect(clocksOf(bank, { tenant: 'bank-cn', category: 'payments', market: 'DE' })).toContain(
      'EU-PSD2/regulatory 15 business-days',
    );
    expect(clocksOf(bank, { tenant: 'bank-cn', category: 'payments', market: 'GB' })).toContain(
      'UK-FCA-PSD/regulatory 15 business-days',
    );
    expect(clocksOf(bank, { tenant: 'bank-cn', category: 'mortgages', market: 'GB' })).toContain(
      'UK-FCA-DISP/regulatory 56 calendar-days',
    );
    expect(
      bank.select({ tenant: 'bank-cn', category: 'payments', channel: 'web', market: 'DE' }, RECEIVED).calendarId,
    ).toBe('DE');
  });

  it('records on every clock the policy, the document version (0 = file, by digest) and the calendar version it started under', () => {
    const { clocks } = bank.select({ tenant: 'bank-cn', category: 'credit-report', channel: 'web' }, RECEIVED);
    expect(new Set(clocks.map((c) => JSON.stringify(c.decidedBy)))).toEqual(
      new Set([
        JSON.stringify({
          kind: 'sla',
          version: 0,
          digest: digestOf(example('bank-cn')),
          calendar: { kind: 'calendar', version: 0, digest: digestOf({ calendars: {} }) },
          policyId: 'cn-credit-report-dispute',
        }),
      ]),
    );
  });
});

describe('a regulator referral', () => {
  const bank = documentsOf(example('bank-cn'));
  const referral = { regulator: 'NFRA Shanghai', reference: 'SH-2026-77', deadline: '2026-11-09T09:59:59.000Z' };

  it('adds a regulatory clock due exactly on the regulator’s date, next to the tenant’s own', () => {
    const { clocks } = bank.select(
      { tenant: 'bank-cn', category: 'card-fees', channel: 'regulator', referral },
      RECEIVED,
    );
    const clock = clocks.find((c) => c.id === 'referral/regulatory')!;
    expect(dueAt(CN, RECEIVED, clock.target).toISOString()).toBe(referral.deadline);
    expect(clock.source).toContain('SH-2026-77');
    expect(clocks.map((c) => c.id)).toContain('CN-NFRA/regulatory');
  });

  it('adds no clock for a deadline already past at receipt', () => {
    const past = { ...referral, deadline: '2026-11-01T00:00:00.000Z' };
    const { clocks } = bank.select(
      { tenant: 'bank-cn', category: 'x', channel: 'regulator', referral: past },
      RECEIVED,
    );
    expect(clocks.map((c) => c.id)).not.toContain('referral/regulatory');
  });
});

describe('a utility’s sector clocks (examples/grid-cn.json and the CN-SGCC-95598 seed)', () => {
  const grid = documentsOf(example('grid-cn'));

  it('runs the meter test (校验电表) within 5 working days next to the 95598 complaint clocks', () => {
    const { clocks } = grid.select({ tenant: 'grid-cn', category: 'metering', channel: 'phone' }, RECEIVED);
    expect(clocks.map((c) => c.id)).toEqual([
      'CN-SGCC-95598/first-contact',
      'CN-SGCC-95598/resolution',
      'CN-SGCC-95598/follow-up',
      'CN-SGCC-95598/regulatory',
      'CN-SGCC-95598/meter-test',
    ]);
    const meterTest = clocks.at(-1)!;
    expect(meterTest.tenantToConfirm).toBe(true);
    expect(meterTest.source).toContain('5个工作日内出具检测结果');
    // Monday 2 Nov + 5 working days = Monday 9 Nov, end of the working day.
    expect(dueAt(CN, RECEIVED, meterTest.target).toISOString()).toBe('2026-11-09T09:00:00.000Z');
  });

  it('runs reconnection within 24 hours for arrears-disconnection and repair arrival by supply area', () => {
    const ids = (category: string, area?: string) =>
      clocksOf(grid, { tenant: 'grid-cn', category, ...(area ? { area } : {}) }).filter((c) =>
        /\/(meter-test|reconnection|repair-arrival) /.test(c),
      );
    expect(ids('arrears-disconnection')).toEqual(['CN-SGCC-95598/reconnection 24 calendar-hours']);
    expect(ids('outage')).toEqual(['CN-SGCC-95598/repair-arrival 0.75 calendar-hours']);
    expect(ids('outage', 'rural')).toEqual(['CN-SGCC-95598/repair-arrival 1.5 calendar-hours']);
    expect(ids('outage', 'remote')).toEqual(['CN-SGCC-95598/repair-arrival 2 calendar-hours']);
  });

  it('is what SLA_TENANT_REGIMES=…=CN-SGCC-95598 runs too (the shorthand is the seed document)', () => {
    const seed = seedSlaDocument('grid-cn', 'CN-SGCC-95598');
    expect({ rules: seed.rules, otherwise: seed.otherwise }).toEqual({
      rules: example('grid-cn').rules,
      otherwise: example('grid-cn').otherwise,
    });
    expect(validateSlaDocument(seed)).toEqual([]);
  });
});

describe('the sla validator', () => {
  it('accepts the examples and every seed', () => {
    expect(validateSlaDocument(example('bank-cn'))).toEqual([]);
    expect(validateSlaDocument(example('grid-cn'))).toEqual([]);
    expect(validateSlaDocument(seedSlaDocument('t', 'UK-FCA-DISP'))).toEqual([]);
  });

  it('names the field and the reason', () => {
    const doc = example('bank-cn') as unknown as {
      rules: { policies: string[]; when: Record<string, unknown> }[];
      policies: unknown[];
    };
    doc.rules[0]!.policies = ['no-such-policy'];
    doc.rules[1]!.policies = ['eu-psd2', 'cn-credit-report-dispute'];
    doc.rules[2]!.policies = ['cn-sgcc-meter-test'];
    expect(validateSlaDocument(doc)).toEqual([
      { path: 'rules.0.policies.0', reason: "unknown policy 'no-such-policy'" },
      {
        path: 'rules.1.policies.1',
        reason:
          "'cn-credit-report-dispute' counts on calendar CN, the primary 'eu-psd2' on DE: one case runs one calendar",
      },
      { path: 'rules.2.policies.0', reason: "'cn-sgcc-meter-test' is an add-on: name a primary policy first" },
    ]);
    doc.rules[3]!.when = { segment: ['vip'] };
    doc.policies = [
      { id: 'own', regime: 'CN-NFRA', description: '', calendarId: 'CN', clocks: [{ kind: 'regulatory' }] },
    ];
    const paths = validateSlaDocument(doc).map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['rules.3.when', 'policies.0.clocks.0.startsWhen', 'policies.0.clocks.0.source']),
    );
  });

  it('gives one digest for one document whatever the key order', () => {
    const doc = example('bank-cn');
    const reordered = { otherwise: doc.otherwise, rules: doc.rules, policies: doc.policies, tenant: doc.tenant };
    expect(digestOf(reordered)).toBe(digestOf(doc));
    expect(digestOf({ ...doc, otherwise: ['uk-fca-disp'] })).not.toBe(digestOf(doc));
  });
});

describe('the seeds of the sla kind (SLA_POLICY_DIR, SLA_TENANT_REGIMES)', () => {
  it('reads one document per tenant from SLA_POLICY_DIR and keeps SLA_TENANT_REGIMES as a shorthand', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sla-'));
    writeFileSync(join(dir, 'bank-cn.json'), JSON.stringify(example('bank-cn')));
    const loaded = SlaSeeds.load({ policyDir: dir, tenantRegimes: 'grid-east=CN-SGCC-95598' });
    expect(loaded.of('bank-cn').source).toBe(join(dir, 'bank-cn.json'));
    expect(loaded.of('grid-east').document.otherwise).toEqual(['cn-sgcc-95598-complaints']);
  });

  it('refuses a bad file at start-up, naming the file and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sla-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...example('bank-cn'), otherwise: [] }));
    expect(() => SlaSeeds.load({ policyDir: dir })).toThrow(
      `SLA policy of ${join(dir, 'bad.json')} is invalid: otherwise: Array must contain at least 1 element(s)`,
    );
  });

  it('refuses a tenant given both by a file and by SLA_TENANT_REGIMES', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sla-'));
    writeFileSync(join(dir, 'bank-cn.json'), JSON.stringify(example('bank-cn')));
    expect(() => SlaSeeds.load({ policyDir: dir, tenantRegimes: 'bank-cn=CN-NFRA' })).toThrow(
      /tenant bank-cn is also given by SLA_TENANT_REGIMES/,
    );
  });
});

describe('a calendar lacking the year a deadline falls in', () => {
  it('is a warning, told once per tenant, calendar and year (CN 2027: the State Council notice is not out)', () => {
    const told: CalendarYearWarning[] = [];
    const catalogue = new SlaCatalogue(seedsOnly(), (w) => told.push(w));
    // 20 December 2026 + 15 days = 4 January 2027.
    const deadline = dueAt(CN, new Date('2026-12-20T02:00:00.000Z'), { amount: 15, unit: 'calendar-days' });
    expect(catalogue.checkDeadline('bank-a', 'CN', deadline)).toMatchObject({ calendarId: 'CN', year: 2027 });
    catalogue.checkDeadline('bank-a', 'CN', deadline);
    expect(told).toHaveLength(1);
    expect(told[0]!.gap).toMatch(/CN 2027: no State Council holiday schedule/);
    expect(catalogue.calendarWarnings()).toEqual(told);
  });

  it('is silent for a year the data holds, and for calendars computed from rules', () => {
    const catalogue = new SlaCatalogue();
    expect(catalogue.checkDeadline('bank-a', 'CN', new Date('2026-11-20T15:59:59.999Z'))).toBeUndefined();
    expect(catalogue.checkDeadline('bank-a', 'GB-ENG', new Date('2027-01-20T23:59:59.999Z'))).toBeUndefined();
    expect(catalogue.calendarWarnings()).toEqual([]);
  });
});

describe('the criteria a received complaint carries for the selection rules', () => {
  it('are the product it is about, the market and area its channel gave, and a regulator’s referral', () => {
    expect(
      slaCriteriaOf({
        target: { kind: 'product', name: 'Gold card' },
        channelDetails: { market: 'GB', regulator: 'FOS', regulatorReference: 'FOS-1' },
        regulatorDeadline: '2026-12-01T00:00:00.000Z',
      }),
    ).toEqual({
      product: 'Gold card',
      market: 'GB',
      referral: { regulator: 'FOS', reference: 'FOS-1', deadline: '2026-12-01T00:00:00.000Z' },
    });
    expect(slaCriteriaOf({ target: { kind: 'meter', name: 'M-1' }, channelDetails: { callId: 'x' } })).toBeUndefined();
    // The complaint's own market and area (intake's API) win over a channel's details.
    expect(
      slaCriteriaOf({
        target: { kind: 'card', name: 'x' },
        market: 'DE',
        area: 'rural',
        channelDetails: { market: 'GB' },
      }),
    ).toEqual({ market: 'DE', area: 'rural' });
  });
});
