/**
 * Choosing a policy and a calendar for a complaint, shared by intake (the time limit told to the
 * customer), routing (the policy carried on the routing decision) and resolution (the clocks).
 */
import { LRUCache } from 'lru-cache';
import type { WorkingCalendar } from './calendar';
import { buildCalendar } from './calendars/calendars';
import { SLA_POLICY_PRESETS, selectPolicy, type PolicyCriteria, type Regime, type SlaPolicy } from './policies';

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

/** `bank-a=CN-NFRA,grid-east=CN-SGCC-95598` (SLA_TENANT_REGIMES) → tenant → regime; throws naming a bad entry. */
export function parseTenantRegimes(raw: string | undefined): Record<string, Regime> {
  const entries = (raw ?? '')
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const [tenant, regime] = pair.split('=').map((part) => part.trim());
      if (!tenant || !regime || !REGIMES.includes(regime as Regime)) {
        throw new Error(
          `SLA_TENANT_REGIMES entry "${pair}" must be tenant=regime, regime one of ${REGIMES.join(', ')}`,
        );
      }
      return [tenant, regime as Regime] as const;
    });
  return Object.fromEntries(entries);
}

/**
 * Calendars kept built: one per calendar and year a clock started in. A service needs the current
 * year's and last year's of each calendar it uses; more came only with a clock that moves on (a
 * long SLA run on the test clock kept ~230 KB per calendar-year, local days included, for good).
 */
/** Four calendars (CALENDAR_IDS), each for this year, last year and a few before. */
const CACHED_CALENDARS = 16;

export class SlaCatalogue {
  private readonly calendars = new LRUCache<string, WorkingCalendar>({ max: CACHED_CALENDARS });

  constructor(
    private readonly tenantRegimes: Record<string, Regime> = {},
    private readonly policies: SlaPolicy[] = SLA_POLICY_PRESETS,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): SlaCatalogue {
    return new SlaCatalogue(parseTenantRegimes(env.SLA_TENANT_REGIMES));
  }

  policyFor(criteria: Omit<PolicyCriteria, 'regime'>): SlaPolicy {
    return selectPolicy(this.policies, { ...criteria, regime: this.tenantRegimes[criteria.tenant] });
  }

  /** The policy a routing decision named, if it still exists. */
  policyById(id: string | undefined): SlaPolicy | undefined {
    return id === undefined ? undefined : this.policies.find((p) => p.id === id);
  }

  /** A calendar covering the years a clock started around `at` can reach; built once and kept. */
  calendar(id: string, at: Date): WorkingCalendar {
    const year = at.getUTCFullYear();
    const key = `${id}:${year}`;
    let calendar = this.calendars.get(key);
    if (!calendar) {
      calendar = buildCalendar(id, [year - 1, year, year + 1]);
      this.calendars.set(key, calendar);
    }
    return calendar;
  }
}
