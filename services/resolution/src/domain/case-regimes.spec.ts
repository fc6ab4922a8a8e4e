/**
 * Several regimes' clocks on one case: keyed `<regime>/<kind>`, each warning, breaching and
 * escalating on its own date; a regulator referral's deadline as a clock of its own; a utility's
 * meter-test clock. The policies come from the tenant's SLA document (libs/sla examples).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandMetadata } from '@complaints/decider';
import {
  buildCalendar,
  SlaCatalogue,
  SlaSeeds,
  seedsOnly,
  type SelectionCriteria,
  type SlaDocument,
} from '@complaints/sla';
import type { CaseEvent, CaseFacts, CaseState } from './case';
import { readClocks } from './case-sla';
import { caseDecider, type CaseCommand } from './case.decide';
import { SEED_ESCALATIONS } from './testing';

const example = (name: string): SlaDocument =>
  JSON.parse(readFileSync(join(__dirname, '../../../../libs/sla/examples', `${name}.json`), 'utf8')) as SlaDocument;
const catalogue = new SlaCatalogue(seedsOnly(SlaSeeds.of([example('bank-cn'), example('grid-cn')])));
const CN = buildCalendar('CN', [2026, 2027]);
const caseId = '0190a1b2-0000-7000-8000-0000000007c1';
const meta = (now: string): CommandMetadata => ({
  now: new Date(now),
  actor: { id: 'sla-monitor', role: 'system' },
  tenant: 'bank-cn',
  correlationId: 'c',
});
// Monday 2 November 2026, 10:00 in Shanghai.
const RECEIVED = '2026-11-02T02:00:00.000Z';

function openCase(criteria: Omit<SelectionCriteria, 'channel' | 'priority'>): CaseEvent {
  const { primary, clocks } = catalogue.select({ channel: 'web', ...criteria }, new Date(RECEIVED));
  return caseDecider.decide(
    {
      type: 'OpenCase',
      data: {
        caseId,
        complaintId: caseId,
        reference: 'CMP-2026-000077',
        department: 'cards',
        queue: 'cards',
        category: criteria.category,
        priority: 'normal',
        receivedAt: RECEIVED,
        policy: { ...primary, clocks },
        calendar: CN,
      },
    },
    caseDecider.initialState(),
    meta(RECEIVED),
  )[0]!;
}
const state = (events: CaseEvent[]) => events.reduce(caseDecider.evolve, caseDecider.initialState());
const facts = (events: CaseEvent[]): CaseFacts => (state(events) as Exclude<CaseState, { status: 'none' }>).facts;
const evaluate: CaseCommand = { type: 'EvaluateSla', data: { caseId, calendar: CN, directory: SEED_ESCALATIONS } };
const decide = (history: CaseEvent[], now: string, command: CaseCommand = evaluate) =>
  caseDecider.decide(command, state(history), meta(now));
const summary = (events: CaseEvent[]) =>
  events.map((e) =>
    e.type === 'SlaWarningIssued'
      ? `warn ${e.data.clockId} ${e.data.threshold}`
      : e.type === 'SlaBreached'
        ? `breach ${e.data.clockId} ${e.data.dueAt}`
        : e.type === 'CaseEscalated'
          ? `escalate ${e.data.clockId ?? e.data.clock ?? '-'} → ${e.data.escalatedTo}`
          : e.type,
  );

describe('a bank tenant running NFRA, 征信 and PSD clocks on different categories at once', () => {
  it('opens each case with the clocks of its category’s regime, each naming what decided it', () => {
    const regulatory = (criteria: Omit<SelectionCriteria, 'channel' | 'priority'>) =>
      readClocks(CN, facts([openCase(criteria)]), new Date(RECEIVED))
        .filter((c) => c.clock === 'regulatory')
        .map((c) => [c.id, c.policy, c.decidedBy?.version]);
    expect(regulatory({ tenant: 'bank-cn', category: 'card-fees' })).toEqual([
      ['CN-NFRA/regulatory', 'cn-nfra-consumer-complaints', 0],
    ]);
    expect(regulatory({ tenant: 'bank-cn', category: 'credit-report' })).toEqual([
      ['CN-CREDIT-REPORT/regulatory', 'cn-credit-report-dispute', 0],
    ]);
    expect(regulatory({ tenant: 'bank-cn', category: 'payments', market: 'DE' })).toEqual([
      ['EU-PSD2/regulatory', 'eu-psd2', 0],
    ]);
  });

  it('breaches the 征信 clock on day 20, not on NFRA’s day 15', () => {
    const opened = openCase({ tenant: 'bank-cn', category: 'credit-report' });
    const day16 = decide([opened], '2026-11-17T16:30:00.000Z');
    expect(summary(day16).filter((s) => s.includes('/regulatory'))).toEqual([
      'warn CN-CREDIT-REPORT/regulatory 0.5',
      'warn CN-CREDIT-REPORT/regulatory 0.75',
    ]);
    const day21 = decide([opened, ...day16], '2026-11-22T16:30:00.000Z');
    expect(summary(day21)).toEqual([
      'breach CN-CREDIT-REPORT/regulatory 2026-11-22T15:59:59.999Z',
      expect.stringMatching(/^escalate CN-CREDIT-REPORT\/regulatory → /),
    ]);
  });
});

describe('a regulator referral’s deadline', () => {
  // The regulator wants an answer by Friday 6 November 2026, 18:00 in Shanghai: earlier than NFRA's 15 days.
  const deadline = '2026-11-06T10:00:00.000Z';
  const referral = { regulator: 'NFRA Shanghai', reference: 'SH-2026-77', deadline };
  const opened = openCase({ tenant: 'bank-cn', category: 'card-fees', referral });

  it('is a regulatory clock of the case, next to the tenant’s NFRA clock', () => {
    const clocks = readClocks(CN, facts([opened]), new Date(RECEIVED));
    expect(clocks.filter((c) => c.clock === 'regulatory').map((c) => [c.id, c.dueAt])).toEqual([
      ['CN-NFRA/regulatory', '2026-11-17T15:59:59.999Z'],
      ['referral/regulatory', deadline],
    ]);
  });

  it('warns at half and three quarters of the time to it and breaches on its own date, escalating', () => {
    // 104 hours from receipt: half at Wednesday 4 Nov 06:00 UTC, three quarters at Thursday 5 Nov 08:00 UTC.
    const half = decide([opened], '2026-11-04T06:00:00.000Z');
    expect(summary(half)).toContain('warn referral/regulatory 0.5');
    const history = [opened, ...half, ...decide([opened, ...half], '2026-11-05T08:00:00.000Z')];
    expect(summary(history)).toContain('warn referral/regulatory 0.75');
    const before = decide(history, '2026-11-06T09:59:00.000Z');
    expect(summary(before).filter((s) => s.includes('referral'))).toEqual([]);
    const after = decide(history, '2026-11-06T10:00:01.000Z');
    expect(summary(after).filter((s) => s.includes('referral'))).toEqual([
      `breach referral/regulatory ${deadline}`,
      expect.stringMatching(/^escalate referral\/regulatory → /),
    ]);
    const read = readClocks(CN, facts([...history, ...after]), new Date('2026-11-06T10:00:01.000Z'));
    expect(read.find((c) => c.id === 'referral/regulatory')).toMatchObject({ state: 'breached', breachedAt: deadline });
    expect(read.find((c) => c.id === 'CN-NFRA/regulatory')).toMatchObject({ state: 'running' });
  });
});

describe('a utility’s meter-test and reconnection clocks', () => {
  it('breaches the meter test after 5 working days, independently of the 95598 reply clock', () => {
    const opened = openCase({ tenant: 'grid-cn', category: 'metering' });
    const due = readClocks(CN, facts([opened]), new Date(RECEIVED)).find((c) => c.id === 'CN-SGCC-95598/meter-test');
    expect(due).toMatchObject({ clock: 'meter-test', dueAt: '2026-11-09T09:00:00.000Z', state: 'running' });
    const events = decide([opened], '2026-11-09T09:00:01.000Z');
    expect(summary(events).filter((s) => s.includes('meter-test'))).toEqual([
      'warn CN-SGCC-95598/meter-test 0.5',
      'warn CN-SGCC-95598/meter-test 0.75',
      'breach CN-SGCC-95598/meter-test 2026-11-09T09:00:00.000Z',
      expect.stringMatching(/^escalate CN-SGCC-95598\/meter-test → /),
    ]);
  });

  it('restores supply within 24 hours of an arrears-disconnection complaint, or breaches', () => {
    const opened = openCase({ tenant: 'grid-cn', category: 'arrears-disconnection' });
    const events = decide([opened], '2026-11-03T02:00:01.000Z');
    expect(summary(events).filter((s) => s.includes('reconnection'))).toEqual([
      'warn CN-SGCC-95598/reconnection 0.5',
      'warn CN-SGCC-95598/reconnection 0.75',
      'breach CN-SGCC-95598/reconnection 2026-11-03T02:00:00.000Z',
      'escalate CN-SGCC-95598/reconnection → supervisor',
    ]);
  });
});

describe('extending one of several clocks', () => {
  const referral = { regulator: 'NFRA Shanghai', deadline: '2026-11-06T10:00:00.000Z' };
  const opened = openCase({ tenant: 'bank-cn', category: 'card-fees', referral });
  const acknowledged: CaseEvent = {
    type: 'CaseAcknowledged',
    data: { caseId, channel: 'phone', summary: 'Called', acknowledgedAt: '2026-11-02T03:00:00.000Z' },
  };
  const extend = (clock: string): CaseCommand => ({
    type: 'RequestExtension',
    data: { caseId, extensionId: `x-${clock}`, clock, reason: 'complex', customerExplanation: 'We need more time' },
  });
  const dueOf = (events: CaseEvent[], id: string) =>
    readClocks(CN, facts(events), new Date('2026-11-03T00:00:00.000Z')).find((c) => c.id === id)?.dueAt;

  it('extends the clock named by its key, and only that one', () => {
    const history = [opened, acknowledged];
    const granted = decide(history, '2026-11-03T00:00:00.000Z', extend('CN-NFRA/regulatory'));
    expect(granted.map((e) => e.type)).toEqual(['ExtensionRequested', 'ExtensionDecided']);
    expect(dueOf([...history, ...granted], 'CN-NFRA/regulatory')).toBe('2026-12-02T15:59:59.999Z');
    expect(dueOf([...history, ...granted], 'referral/regulatory')).toBe(referral.deadline);
  });

  it('refuses to extend the regulator’s own deadline, which only the regulator can move', () => {
    expect(() => decide([opened, acknowledged], '2026-11-03T00:00:00.000Z', extend('referral/regulatory'))).toThrow(
      /referral\/regulatory clock .* has no extended target/,
    );
  });
});
