/**
 * SLA policies as data: which clocks a case runs (acknowledgement, first contact, resolution,
 * follow-up, regulatory), with what targets, pause rules and warning thresholds, chosen per
 * tenant, category, priority, channel and regulatory regime. The presets encode the outer
 * limits regulators set; each clock cites where its number comes from, so an auditor can check
 * it. Tenants add their own policies (more specific ones win) rather than editing the presets.
 *
 * Every target is measured from the clock's start (`startsWhen`); an extended target is the
 * new total from that start, not an addition. Which days count is in each target's unit:
 * calendar-days or business-days, counted as calendar.ts explains (receipt day excluded,
 * deadline at the end of the last day).
 */
import type { SlaTarget, WorkingCalendar } from './calendar';
import { readClock, whenFractionReached } from './clock';
import type { ClockPause, ClockReading } from './clock';
import { CLOCK_KINDS } from '@complaints/contracts';

/**
 * The clocks a case can run, the published vocabulary's (`CLOCK_KINDS` in libs/contracts), never a
 * copy; the sector ones are utilities' commitments: 校验电表, 复电 after arrears are paid, 抢修 arrival.
 */
export type ClockKind = (typeof CLOCK_KINDS)[number];
export { CLOCK_KINDS };

/** Clocks a case runs once whatever regimes apply: the first policy of a selection that has one wins. */
export const OPERATIONAL_CLOCKS: readonly ClockKind[] = ['acknowledgement', 'first-contact', 'resolution', 'follow-up'];

export type Regime =
  'default' | 'CN-NFRA' | 'CN-CREDIT-REPORT' | 'CN-SGCC-95598' | 'UK-FCA-DISP' | 'UK-FCA-PSD' | 'EU-PSD2' | 'US-CFPB';

/** The case event that starts a clock: receipt for most, resolution for the follow-up call. */
export type ClockStart = 'complaint-received' | 'case-resolved';

export interface ClockDefinition {
  kind: ClockKind;
  startsWhen: ClockStart;
  target: SlaTarget;
  /** e.g. NFRA complex case: 30 days from receipt; PSD2 exceptional: 35 business days. */
  extendedTarget?: SlaTarget;
  /** Whether extending the clock (to `extendedTarget`, or ad hoc for internal clocks) needs a supervisor's approval. */
  extensionRequiresApproval: boolean;
  /** What must be true, or be done, before the extended target may be used. */
  extensionCondition?: string;
  /** A second extension beyond `extendedTarget` (NFRA: a further 30 days, with approval). */
  furtherExtension?: { target: SlaTarget; requiresApproval: boolean; condition: string };
  pausesWhileWaitingOnCustomer: boolean;
  /** Fractions of the target at which to warn, e.g. [0.5, 0.75]; the breach is at 1. */
  warnAt: number[];
  /** Citation (regulation and article, or "platform default"), so auditors see where the number comes from. */
  source: string;
  /** Why the clock pauses or not, and anything else an auditor should know. */
  notes?: string;
  /** The figure is a public commitment the seed texts do not state: the tenant confirms it before relying on it. */
  tenantToConfirm?: boolean;
}

export interface SlaPolicy {
  id: string;
  regime: Regime;
  description: string;
  calendarId: string;
  applies: { tenant?: string; category?: string; priority?: string; channel?: string; regime?: Regime };
  clocks: ClockDefinition[];
  /** Runs only alongside a primary policy (a sector commitment), never chosen alone. */
  addOn?: boolean;
}

export interface PolicyCriteria {
  tenant: string;
  category: string;
  priority: string;
  channel: string;
  regime?: Regime;
}

const WARN_AT = [0.5, 0.75];
const PLATFORM_DEFAULT = 'platform default; a tenant policy may override it';

const calendarDays = (amount: number): SlaTarget => ({ amount, unit: 'calendar-days' });
const businessDays = (amount: number): SlaTarget => ({ amount, unit: 'business-days' });

/** Operational clocks every policy runs unless it says otherwise. */
const acknowledgeWithinOneBusinessDay: ClockDefinition = {
  kind: 'acknowledgement',
  startsWhen: 'complaint-received',
  target: businessDays(1),
  extensionRequiresApproval: false,
  pausesWhileWaitingOnCustomer: false,
  warnAt: WARN_AT,
  source: PLATFORM_DEFAULT,
  notes: 'Acknowledging needs nothing from the customer, so it never pauses.',
};

const resolveWithinFifteenDays: ClockDefinition = {
  kind: 'resolution',
  startsWhen: 'complaint-received',
  target: calendarDays(15),
  extensionRequiresApproval: true,
  pausesWhileWaitingOnCustomer: true,
  warnAt: WARN_AT,
  source: PLATFORM_DEFAULT,
  notes: 'Internal target; pauses while the case waits on the customer. Any regulatory clock runs on regardless.',
};

const followUpWithinSevenDays: ClockDefinition = {
  kind: 'follow-up',
  startsWhen: 'case-resolved',
  target: calendarDays(7),
  extensionRequiresApproval: false,
  pausesWhileWaitingOnCustomer: false,
  warnAt: [0.75],
  source: `${PLATFORM_DEFAULT} (回访 about a week after the result, DOMAIN.md step 10)`,
};

function regulatoryClock(definition: Omit<ClockDefinition, 'kind' | 'startsWhen' | 'warnAt'>): ClockDefinition {
  return { kind: 'regulatory', startsWhen: 'complaint-received', warnAt: WARN_AT, ...definition };
}

const NO_PAUSE =
  'The regulation has no provision stopping the clock while waiting on the complainant, so it never pauses.';

/** On the Chinese calendar because the platform's first tenants are Chinese utilities and banks; others override. */
export const DEFAULT_POLICY: SlaPolicy = {
  id: 'default',
  regime: 'default',
  description: 'Acknowledge within 1 business day, resolve within 15 calendar days, follow up 7 days after.',
  calendarId: 'CN',
  applies: {},
  clocks: [acknowledgeWithinOneBusinessDay, resolveWithinFifteenDays, followUpWithinSevenDays],
};

const TEN_COMMITMENTS = '国家电网有限公司供电服务"十项承诺" (2019 revision, public commitment)';
const SEEDS_SILENT =
  'The seed texts in /work/shared/seeds are silent on this figure (checked: no 校验/复电/抢修 time limits); ' +
  'cited from the public commitment, for the tenant to confirm.';

function commitmentClock(kind: ClockKind, target: SlaTarget, quote: string, notes: string): ClockDefinition {
  return {
    kind,
    startsWhen: 'complaint-received',
    target,
    extensionRequiresApproval: true,
    pausesWhileWaitingOnCustomer: false,
    warnAt: WARN_AT,
    source: `${TEN_COMMITMENTS}: ${quote}`,
    notes: `${notes} ${SEEDS_SILENT}`,
    tenantToConfirm: true,
  };
}

function utilityCommitment(id: string, description: string, clock: ClockDefinition): SlaPolicy {
  return { id, regime: 'CN-SGCC-95598', description, calendarId: 'CN', applies: {}, clocks: [clock], addOn: true };
}

const repairArrival = (area: string, hours: number, quote: string) =>
  utilityCommitment(
    `cn-sgcc-repair-arrival-${area}`,
    `State Grid outage repair: crew on site within ${hours * 60} minutes (${area}).`,
    commitmentClock(
      'repair-arrival',
      { amount: hours, unit: 'calendar-hours' },
      `快速抢修及时复电: 供电抢修人员到达现场的平均时间一般为${quote}`,
      'An average commitment, tracked per case so late arrivals are visible; counted from the report, around the clock.',
    ),
  );

/** Utility sector commitments: add-ons a selection rule runs next to the 95598 complaint clocks. */
export const UTILITY_COMMITMENTS: SlaPolicy[] = [
  utilityCommitment(
    'cn-sgcc-meter-test',
    'State Grid meter test (校验电表): test result within 5 working days of the request.',
    commitmentClock(
      'meter-test',
      businessDays(5),
      '电表异常快速响应: 受理客户计费电能表校验申请后，5个工作日内出具检测结果',
      'Working days of the CN calendar; counted from the request (the complaint asking for the test).',
    ),
  ),
  utilityCommitment(
    'cn-sgcc-reconnection',
    'State Grid reconnection after arrears are paid: supply restored within 24 hours.',
    commitmentClock(
      'reconnection',
      { amount: 24, unit: 'calendar-hours' },
      '电费服务温馨便利: 客户欠费需依法采取停电措施的，提前7天送达停电通知书，费用结清后24小时内恢复供电',
      'Counted from the complaint (the customer reports having paid); a tenant that records the payment time starts it there.',
    ),
  ),
  repairArrival('urban', 0.75, '城区范围45分钟'),
  repairArrival('rural', 1.5, '农村地区90分钟'),
  repairArrival('remote', 2, '特殊边远地区2小时'),
];

export const SLA_POLICY_PRESETS: SlaPolicy[] = [
  DEFAULT_POLICY,
  {
    id: 'cn-nfra-consumer-complaints',
    regime: 'CN-NFRA',
    description:
      'China NFRA bank and insurance consumer complaints: decision within 15 days, 30 if complex, +30 approved.',
    calendarId: 'CN',
    applies: { regime: 'CN-NFRA' },
    clocks: [
      acknowledgeWithinOneBusinessDay,
      resolveWithinFifteenDays,
      followUpWithinSevenDays,
      regulatoryClock({
        target: calendarDays(15),
        extendedTarget: calendarDays(30),
        extensionRequiresApproval: false,
        extensionCondition: '情况复杂 (complex case); tell the complainant of the extension',
        furtherExtension: {
          target: calendarDays(60),
          requiresApproval: true,
          condition:
            '情况特别复杂或者有其他特殊原因: a further 30 days (60 from receipt), approved by the superior ' +
            'institution or a senior manager of the head office, and the complainant told',
        },
        pausesWhileWaitingOnCustomer: false,
        source:
          '《银行业保险业消费投诉处理管理办法》(银保监会令2020年第3号) 第二十条: 自收到消费投诉之日起15日内作出处理决定并告知投诉人',
        notes: `日 are calendar days. ${NO_PAUSE}`,
      }),
    ],
  },
  {
    id: 'cn-credit-report-dispute',
    regime: 'CN-CREDIT-REPORT',
    description: 'China credit-report (征信) dispute: verify, correct and answer in writing within 20 days.',
    calendarId: 'CN',
    applies: { regime: 'CN-CREDIT-REPORT' },
    clocks: [
      acknowledgeWithinOneBusinessDay,
      resolveWithinFifteenDays,
      followUpWithinSevenDays,
      regulatoryClock({
        target: calendarDays(20),
        extensionRequiresApproval: false,
        pausesWhileWaitingOnCustomer: false,
        source: '《征信业管理条例》第二十五条: 自收到异议之日起20日内进行核查和处理，并将结果书面答复异议人',
        notes: `20 calendar days; no extension. ${NO_PAUSE}`,
      }),
    ],
  },
  {
    id: 'cn-sgcc-95598-complaints',
    regime: 'CN-SGCC-95598',
    description: 'State Grid 95598 complaints: contact the customer within 1 working day, reply within 7 working days.',
    calendarId: 'CN',
    applies: { regime: 'CN-SGCC-95598' },
    clocks: [
      {
        kind: 'first-contact',
        startsWhen: 'complaint-received',
        target: businessDays(1),
        extensionRequiresApproval: false,
        pausesWhileWaitingOnCustomer: false,
        warnAt: WARN_AT,
        source: '国家电网有限公司供电服务"十项承诺": 受理客户投诉后，1个工作日内联系客户',
        notes:
          'Working days of the CN calendar (调休 make-up days count). Contacting the customer cannot wait on them.',
      },
      {
        ...resolveWithinFifteenDays,
        target: businessDays(7),
        source: '国家电网有限公司供电服务"十项承诺": 7个工作日内答复处理意见',
        notes:
          'Internal copy of the reply limit that pauses while waiting on the customer; the regulatory clock does not.',
      },
      followUpWithinSevenDays,
      regulatoryClock({
        target: businessDays(7),
        extensionRequiresApproval: false,
        pausesWhileWaitingOnCustomer: false,
        source: '国家电网有限公司供电服务"十项承诺": 受理客户投诉后，1个工作日内联系客户，7个工作日内答复处理意见',
        notes: 'A commitment of State Grid, audited by its 95598 centre, not a statute; it does not pause.',
      }),
    ],
  },
  {
    id: 'uk-fca-disp',
    regime: 'UK-FCA-DISP',
    description: 'UK FCA complaints (DISP): final or written response within 8 weeks of receipt.',
    calendarId: 'GB-ENG',
    applies: { regime: 'UK-FCA-DISP' },
    clocks: [
      {
        ...acknowledgeWithinOneBusinessDay,
        source: `DISP 1.6.1R asks for a prompt acknowledgement; ${PLATFORM_DEFAULT}`,
      },
      resolveWithinFifteenDays,
      followUpWithinSevenDays,
      regulatoryClock({
        target: calendarDays(56),
        extensionRequiresApproval: false,
        pausesWhileWaitingOnCustomer: false,
        source: 'FCA Handbook DISP 1.6.2R: final response by the end of eight weeks after its receipt',
        notes: `8 weeks = 56 calendar days; no extension. ${NO_PAUSE}`,
      }),
    ],
  },
  {
    id: 'uk-fca-payment-services',
    regime: 'UK-FCA-PSD',
    description: 'UK FCA payment services and e-money complaints: 15 business days, 35 in exceptional cases.',
    calendarId: 'GB-ENG',
    applies: { regime: 'UK-FCA-PSD' },
    clocks: [
      acknowledgeWithinOneBusinessDay,
      resolveWithinFifteenDays,
      followUpWithinSevenDays,
      regulatoryClock({
        target: businessDays(15),
        extendedTarget: businessDays(35),
        extensionRequiresApproval: false,
        extensionCondition:
          'exceptional circumstances beyond the firm’s control; send a holding response by day 15 giving the ' +
          'reasons and the date of the final response',
        pausesWhileWaitingOnCustomer: false,
        source:
          'FCA Handbook DISP 1.6.2AR: final response by the end of 15 business days after the day of receipt; ' +
          'exceptionally 35 business days',
        notes: NO_PAUSE,
      }),
    ],
  },
  {
    id: 'eu-psd2',
    regime: 'EU-PSD2',
    description: 'EU payment services (PSD2): reply within 15 business days, 35 in exceptional situations.',
    calendarId: 'DE',
    applies: { regime: 'EU-PSD2' },
    clocks: [
      acknowledgeWithinOneBusinessDay,
      resolveWithinFifteenDays,
      followUpWithinSevenDays,
      regulatoryClock({
        target: businessDays(15),
        extendedTarget: businessDays(35),
        extensionRequiresApproval: false,
        extensionCondition:
          'exceptional situation beyond the provider’s control; send a holding reply giving the reasons and ' +
          'the date of the final reply',
        pausesWhileWaitingOnCustomer: false,
        source: 'Directive (EU) 2015/2366 (PSD2) art. 101(2)',
        notes:
          `Business days of the member state whose law applies: the DE calendar is a placeholder, a tenant ` +
          `policy names its own. ${NO_PAUSE}`,
      }),
    ],
  },
  {
    id: 'us-cfpb',
    regime: 'US-CFPB',
    description: 'US CFPB-forwarded complaints: respond within 15 days, final response within 60 when in progress.',
    calendarId: 'US',
    applies: { regime: 'US-CFPB' },
    clocks: [
      acknowledgeWithinOneBusinessDay,
      resolveWithinFifteenDays,
      followUpWithinSevenDays,
      regulatoryClock({
        target: calendarDays(15),
        extendedTarget: calendarDays(60),
        extensionRequiresApproval: false,
        extensionCondition: 'the 15-day response marks the complaint "in progress" in the CFPB company portal',
        pausesWhileWaitingOnCustomer: false,
        source: 'CFPB complaint process (Company Portal Manual): response within 15 days, final within 60 days',
        notes: `Calendar days. ${NO_PAUSE}`,
      }),
    ],
  },
  ...UTILITY_COMMITMENTS,
];

type AppliesField = keyof SlaPolicy['applies'];
const APPLIES_FIELDS: AppliesField[] = ['tenant', 'category', 'priority', 'channel', 'regime'];

/** How many constraints of the policy the criteria meet, or undefined when one of them fails. */
function specificity(policy: SlaPolicy, criteria: PolicyCriteria): number | undefined {
  let matched = 0;
  for (const field of APPLIES_FIELDS) {
    const wanted = policy.applies[field];
    if (wanted === undefined) continue;
    if (criteria[field] !== wanted) return undefined;
    matched += 1;
  }
  return matched;
}

/**
 * The matching policy with the most constraints met; the earlier one on a tie. Falls back to
 * DEFAULT_POLICY when nothing matches, so every case runs clocks.
 */
export function selectPolicy(policies: SlaPolicy[], criteria: PolicyCriteria): SlaPolicy {
  let best: { policy: SlaPolicy; score: number } | undefined;
  for (const policy of policies) {
    if (policy.addOn) continue;
    const score = specificity(policy, criteria);
    if (score !== undefined && (best === undefined || score > best.score)) best = { policy, score };
  }
  return best?.policy ?? DEFAULT_POLICY;
}

/** Which target of a clock is in force: the original, the extended one, or the further extension. */
export type ExtensionLevel = 'none' | 'extended' | 'further';

export function targetInForce(definition: ClockDefinition, extension: ExtensionLevel): SlaTarget {
  if (extension === 'none') return definition.target;
  const extended = extension === 'extended' ? definition.extendedTarget : definition.furtherExtension?.target;
  if (!extended) throw new RangeError(`the ${definition.kind} clock has no ${extension} target`);
  return extended;
}

/** Reads a policy clock, ignoring waiting-on-customer pauses for clocks that the policy says never pause. */
export interface PolicyClockRun {
  startedAt: Date;
  waitingOnCustomer: ClockPause[];
  now: Date;
  stoppedAt?: Date;
  extension?: ExtensionLevel;
}

/** The target in force and the pauses that count, for a policy's clock on a case. */
function clockOf(definition: ClockDefinition, run: PolicyClockRun): { target: SlaTarget; pauses: ClockPause[] } {
  return {
    target: targetInForce(definition, run.extension ?? 'none'),
    pauses: definition.pausesWhileWaitingOnCustomer ? run.waitingOnCustomer : [],
  };
}

export function readPolicyClock(
  calendar: WorkingCalendar,
  definition: ClockDefinition,
  run: PolicyClockRun,
): ClockReading {
  const { target, pauses } = clockOf(definition, run);
  return readClock(calendar, target, run.startedAt, pauses, run.now, run.stoppedAt);
}

/** When a policy clock running at `run.now` reaches `fraction` of its target in force (clock.ts). */
export function whenPolicyClockReaches(
  calendar: WorkingCalendar,
  definition: ClockDefinition,
  run: PolicyClockRun,
  fraction: number,
): Date {
  const { target, pauses } = clockOf(definition, run);
  return whenFractionReached(calendar, target, run.startedAt, pauses, run.now, fraction);
}
