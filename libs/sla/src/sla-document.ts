/**
 * A tenant's SLA policy as one JSON document (policy-model kind `sla`): its own policies (the
 * presets are always there by id), SELECTION rules by category, product, channel, market, area
 * and regulator referral, and what runs when no rule matches. One tenant runs several regimes at
 * once: a Chinese bank runs CN-NFRA for most complaints, CN-CREDIT-REPORT for `credit-report`,
 * EU-PSD2 / UK-FCA-PSD for `payments` abroad and UK-FCA-DISP for the rest abroad.
 *
 * A rule names one or more policies. The first is the primary: it gives the case its calendar
 * and its operational clocks (acknowledgement, first contact, resolution, follow-up). Each
 * further policy adds the clocks of other kinds it runs (a regulatory or a sector clock), so a
 * case carries several clocks from different regimes where the law says so. Every clock is
 * keyed `<regime>/<kind>` (e.g. `CN-NFRA/regulatory`) and records the policy and the document
 * version it started under.
 */
import { createHash } from 'node:crypto';
import { stringify } from 'safe-stable-stringify';
import { z } from 'zod';
import { CALENDAR_IDS } from './calendars/calendars';
import {
  CLOCK_KINDS,
  DEFAULT_POLICY,
  OPERATIONAL_CLOCKS,
  SLA_POLICY_PRESETS,
  type ClockDefinition,
  type Regime,
  type SlaPolicy,
} from './policies';

export const REGIMES: Regime[] = [
  'default',
  'CN-NFRA',
  'CN-CREDIT-REPORT',
  'CN-SGCC-95598',
  'UK-FCA-DISP',
  'UK-FCA-PSD',
  'EU-PSD2',
  'US-CFPB',
];

/** What a rule may match on; each listed field must match (any of its values), absent fields match anything. */
export interface SelectionCriteria {
  tenant: string;
  category: string;
  channel: string;
  priority?: string;
  /** The product the complaint is about (its target when that is a product). */
  product?: string;
  /** ISO 3166 country where the service was provided; absent = the tenant's home market. */
  market?: string;
  /** Supply area of a utility (urban / rural / remote). */
  area?: string;
  /** A regulator referred the complaint, with the deadline it set. */
  referral?: { regulator: string; reference?: string; deadline: string };
}

export interface SelectionRule {
  id: string;
  when: {
    category?: string[];
    product?: string[];
    channel?: string[];
    market?: string[];
    area?: string[];
    /** true: only referrals; false: never referrals. */
    referral?: boolean;
  };
  /** Policy ids; the first is the primary. */
  policies: string[];
}

export interface SlaDocument {
  tenant: string;
  /** The tenant's own policies; presets are available by id too (an own policy with a preset's id replaces it). */
  policies: SlaPolicy[];
  /** First match wins. */
  rules: SelectionRule[];
  /** Policies when no rule matches. */
  otherwise: string[];
}

/**
 * What decided a clock, per the policy model: the tenant's `sla` version in force at the complaint's
 * receipt (0: the seed, SLA_POLICY_DIR's file or SLA_TENANT_REGIMES' shorthand) and its digest, the
 * policy inside it, and the `calendar` version its deadlines were counted on (absent on clocks
 * started before calendars were policy: the built-in data, version 0).
 */
export interface PolicyRef {
  kind: 'sla';
  version: number;
  digest: string;
  /** The policy inside the document the clock comes from. */
  policyId: string;
  calendar?: CalendarRef;
}

/** The tenant's calendar version a clock counts on. */
export interface CalendarRef {
  kind: 'calendar';
  version: number;
  digest: string;
}

/** The versions a selection is decided under. */
export interface SelectionVersions {
  version: number;
  digest: string;
  calendar?: CalendarRef;
}

/** A clock a case runs: its definition, its key on the case, and what decided it. */
export interface SelectedClock extends ClockDefinition {
  /** `<regime>/<kind>`, or `referral/regulatory` for a regulator's own deadline. */
  id: string;
  regime: Regime;
  decidedBy: PolicyRef;
}

export interface SlaSelection {
  primary: SlaPolicy;
  calendarId: string;
  rule: string;
  clocks: SelectedClock[];
}

const target = z.object({
  amount: z.number().positive(),
  unit: z.enum(['calendar-hours', 'calendar-days', 'business-hours', 'business-days']),
  lastDayRollsToWorkingDay: z.boolean().optional(),
});

const clock = z.object({
  kind: z.enum(CLOCK_KINDS),
  startsWhen: z.enum(['complaint-received', 'case-resolved']),
  target,
  extendedTarget: target.optional(),
  extensionRequiresApproval: z.boolean(),
  extensionCondition: z.string().optional(),
  furtherExtension: z.object({ target, requiresApproval: z.boolean(), condition: z.string().min(1) }).optional(),
  pausesWhileWaitingOnCustomer: z.boolean(),
  warnAt: z.array(z.number().gt(0).lt(1)),
  source: z.string().min(1, 'every clock cites where its number comes from'),
  notes: z.string().optional(),
  tenantToConfirm: z.boolean().optional(),
});

const policy = z.object({
  id: z.string().min(1),
  regime: z.enum(REGIMES as [string, ...string[]]),
  description: z.string(),
  calendarId: z.string().min(1),
  applies: z.record(z.string()).default({}),
  clocks: z.array(clock).min(1),
  addOn: z.boolean().optional(),
});

const values = z.array(z.string().min(1)).min(1).optional();
const rule = z.object({
  id: z.string().min(1),
  when: z
    .object({
      category: values,
      product: values,
      channel: values,
      market: values,
      area: values,
      referral: z.boolean().optional(),
    })
    .strict(),
  policies: z.array(z.string().min(1)).min(1),
});

const documentSchema = z
  .object({
    tenant: z.string().min(1),
    policies: z.array(policy).default([]),
    rules: z.array(rule),
    otherwise: z.array(z.string().min(1)).min(1),
  })
  .strict();

export interface PolicyError {
  path: string;
  reason: string;
}

/**
 * The policy-model validator of kind `sla`: every error names the field path and the reason.
 * `calendarIds`: the calendars the tenant's own policies may count on (the built-in ones and the
 * tenant's `calendar` document's); null when they cannot be known here (a replica checks the
 * document alone: the keeping service checked it against the tenant's calendars).
 */
export function validateSlaDocument(doc: unknown, calendarIds: readonly string[] | null = CALENDAR_IDS): PolicyError[] {
  const parsed = documentSchema.safeParse(doc);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || '(document)', reason: issue.message }));
  }
  const errors: PolicyError[] = [];
  const { policies, rules, otherwise } = parsed.data as SlaDocument;
  const known = new Map([...SLA_POLICY_PRESETS, ...policies].map((p) => [p.id, p]));
  policies.forEach((p, i) => {
    if (calendarIds && !calendarIds.includes(p.calendarId)) {
      errors.push({
        path: `policies.${i}.calendarId`,
        reason: `unknown calendar '${p.calendarId}'; the tenant's calendars: ${calendarIds.join(', ')}`,
      });
    }
    const kinds = p.clocks.map((c) => c.kind);
    kinds.forEach((kind, j) => {
      if (kinds.indexOf(kind) !== j)
        errors.push({ path: `policies.${i}.clocks.${j}.kind`, reason: `second ${kind} clock in policy ${p.id}` });
    });
  });
  const checkList = (path: string, ids: string[]) => {
    ids.forEach((id, j) => {
      if (!known.has(id)) errors.push({ path: `${path}.${j}`, reason: `unknown policy '${id}'` });
    });
    const head = ids[0];
    const first = head === undefined ? undefined : known.get(head);
    if (first?.addOn)
      errors.push({ path: `${path}.0`, reason: `'${first.id}' is an add-on: name a primary policy first` });
    ids.forEach((id, j) => {
      const other = known.get(id);
      if (first && other && other.calendarId !== first.calendarId) {
        errors.push({
          path: `${path}.${j}`,
          reason: `'${id}' counts on calendar ${other.calendarId}, the primary '${first.id}' on ${first.calendarId}: one case runs one calendar`,
        });
      }
    });
  };
  rules.forEach((r, i) => checkList(`rules.${i}.policies`, r.policies));
  checkList('otherwise', otherwise);
  return errors;
}

/** sha-256 of the canonical JSON (keys sorted), per the policy model. */
export function digestOf(doc: unknown): string {
  return createHash('sha256')
    .update(stringify(doc) ?? '')
    .digest('hex');
}

const PRESET_FOR_REGIME = (regime: Regime): string =>
  (SLA_POLICY_PRESETS.find((p) => p.regime === regime && !p.addOn) ?? DEFAULT_POLICY).id;

/**
 * The seed document: the presets, running `regime` (SLA_TENANT_REGIMES' shorthand) for
 * everything; a utility regime adds its sector commitments by category.
 */
export function seedSlaDocument(tenant: string, regime: Regime = 'default'): SlaDocument {
  const primary = PRESET_FOR_REGIME(regime);
  const rules: SelectionRule[] =
    regime === 'CN-SGCC-95598'
      ? [
          { id: 'meter-test', when: { category: ['metering'] }, policies: [primary, 'cn-sgcc-meter-test'] },
          {
            id: 'reconnection',
            when: { category: ['arrears-disconnection'] },
            policies: [primary, 'cn-sgcc-reconnection'],
          },
          ...(['rural', 'remote'] as const).map((area) => ({
            id: `repair-arrival-${area}`,
            when: { category: ['outage'], area: [area] },
            policies: [primary, `cn-sgcc-repair-arrival-${area}`],
          })),
          {
            id: 'repair-arrival-urban',
            when: { category: ['outage'] },
            policies: [primary, 'cn-sgcc-repair-arrival-urban'],
          },
        ]
      : [];
  return { tenant, policies: [], rules, otherwise: [primary] };
}

/**
 * The selection criteria a received complaint carries beyond category and channel: the product
 * it is about (a target of kind product), the market and supply area its channel gave
 * (`channelDetails.market`, `channelDetails.area`) and a regulator's referral with its deadline.
 */
export function slaCriteriaOf(complaint: {
  target?: { kind: string; name: string };
  channelDetails?: Record<string, string>;
  regulatorDeadline?: string;
  market?: string;
  area?: string;
}): Omit<SelectionCriteria, 'tenant' | 'category' | 'channel' | 'priority'> | undefined {
  const details = complaint.channelDetails ?? {};
  // The complaint's own fields; a channel adapter's details (older events) otherwise.
  const market = complaint.market ?? details.market;
  const area = complaint.area ?? details.area;
  const criteria = {
    ...(complaint.target?.kind === 'product' ? { product: complaint.target.name } : {}),
    ...(market ? { market } : {}),
    ...(area ? { area } : {}),
    ...(complaint.regulatorDeadline
      ? {
          referral: {
            regulator: details.regulator ?? 'regulator',
            ...(details.regulatorReference ? { reference: details.regulatorReference } : {}),
            deadline: complaint.regulatorDeadline,
          },
        }
      : {}),
  };
  return Object.keys(criteria).length ? criteria : undefined;
}

function matches(when: SelectionRule['when'], c: SelectionCriteria): boolean {
  const any = (wanted: string[] | undefined, value: string | undefined) =>
    wanted === undefined || (value !== undefined && wanted.includes(value));
  return (
    any(when.category, c.category) &&
    any(when.product, c.product) &&
    any(when.channel, c.channel) &&
    any(when.market, c.market) &&
    any(when.area, c.area) &&
    (when.referral === undefined || when.referral === (c.referral !== undefined))
  );
}

/** A regulator's deadline as a clock: the target is the time from receipt to that deadline, so it falls due on it. */
export function referralClock(
  referral: NonNullable<SelectionCriteria['referral']>,
  receivedAt: Date,
  regime: Regime,
  decidedBy: PolicyRef,
): SelectedClock | undefined {
  const hours = (new Date(referral.deadline).getTime() - receivedAt.getTime()) / 3_600_000;
  if (!(hours > 0)) return undefined;
  return {
    id: 'referral/regulatory',
    regime,
    decidedBy,
    kind: 'regulatory',
    startsWhen: 'complaint-received',
    target: { amount: hours, unit: 'calendar-hours' },
    extensionRequiresApproval: true,
    pausesWhileWaitingOnCustomer: false,
    warnAt: [0.5, 0.75],
    source: `Deadline set by ${referral.regulator}${referral.reference ? ` in referral ${referral.reference}` : ''}: ${referral.deadline}`,
    notes: 'The regulator’s own date; it does not pause and only the regulator can move it.',
  };
}

/**
 * The clocks a complaint runs under the tenant's document: the first matching rule's policies
 * (else `otherwise`), operational clocks once, other kinds per regime, plus the referral's clock.
 */
export function selectClocks(
  doc: SlaDocument,
  criteria: SelectionCriteria,
  version: SelectionVersions,
  receivedAt: Date,
): SlaSelection {
  const byId = new Map([...SLA_POLICY_PRESETS, ...doc.policies].map((p) => [p.id, p]));
  const rule = doc.rules.find((r) => matches(r.when, criteria));
  const policies = (rule?.policies ?? doc.otherwise).map((id) => byId.get(id) ?? DEFAULT_POLICY);
  const primary = policies[0] ?? DEFAULT_POLICY;
  const clocks: SelectedClock[] = [];
  for (const p of policies) {
    for (const definition of p.clocks) {
      const operational = OPERATIONAL_CLOCKS.includes(definition.kind);
      const id = `${p.regime}/${definition.kind}`;
      if (operational ? clocks.some((c) => c.kind === definition.kind) : clocks.some((c) => c.id === id)) continue;
      clocks.push({ ...definition, id, regime: p.regime, decidedBy: { kind: 'sla', ...version, policyId: p.id } });
    }
  }
  if (criteria.referral) {
    const referral = referralClock(criteria.referral, receivedAt, primary.regime, {
      kind: 'sla',
      ...version,
      policyId: primary.id,
    });
    if (referral) clocks.push(referral);
  }
  return { primary, calendarId: primary.calendarId, rule: rule?.id ?? 'otherwise', clocks };
}
