/**
 * Where the SLA machinery gets its data: working calendars (built once per id and cached), the
 * policy presets, each tenant's regulatory regime (SLA_TENANT_REGIMES), and the escalation
 * directory. Plain data handed to the pure domain.
 */
import { Injectable } from '@nestjs/common';
import { ConfigError } from '@complaints/kit';
import { DEFAULT_DIRECTORY, type EscalationDirectory } from '../domain/escalation';
import type { WorkingCalendar } from '../domain/sla/calendar';
import {
  SLA_POLICY_PRESETS,
  selectPolicy,
  type PolicyCriteria,
  type Regime,
  type SlaPolicy,
} from '../domain/sla/policies';
import { buildCalendar } from '../sla-calendars/calendars';

const REGIMES: Regime[] = [
  'default',
  'CN-NFRA',
  'CN-CREDIT-REPORT',
  'CN-SGCC-95598',
  'UK-FCA-DISP',
  'UK-FCA-PSD',
  'EU-PSD2',
  'US-CFPB',
];

/** `bank-a=CN-NFRA,grid-east=CN-SGCC-95598` → tenant → regime. */
export function parseTenantRegimes(raw: string | undefined): Record<string, Regime> {
  const entries = (raw ?? '')
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const [tenant, regime] = pair.split('=').map((part) => part.trim());
      if (!tenant || !regime || !REGIMES.includes(regime as Regime)) {
        throw new ConfigError(
          `SLA_TENANT_REGIMES entry "${pair}" must be tenant=regime, regime one of ${REGIMES.join(', ')}`,
        );
      }
      return [tenant, regime as Regime] as const;
    });
  return Object.fromEntries(entries);
}

@Injectable()
export class SlaSettings {
  private readonly calendars = new Map<string, WorkingCalendar>();
  private readonly tenantRegimes = parseTenantRegimes(process.env.SLA_TENANT_REGIMES);
  readonly directory: EscalationDirectory = DEFAULT_DIRECTORY;

  policyFor(criteria: Omit<PolicyCriteria, 'regime'>): SlaPolicy {
    return selectPolicy(SLA_POLICY_PRESETS, { ...criteria, regime: this.tenantRegimes[criteria.tenant] });
  }

  /** Covers the years a clock of a case opened around `at` can reach. */
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
