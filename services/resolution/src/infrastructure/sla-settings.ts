/**
 * Where the SLA machinery gets its data: the tenants' `sla` and `calendar` policies as resolution
 * keeps them (ServicePolicies; the seeds are SLA_POLICY_DIR's files or SLA_TENANT_REGIMES'
 * shorthand), through the service's one SlaCatalogue. Plain data for the domain. A case's clocks
 * are selected once, at open, under the versions in force at the complaint's receipt, and its
 * calendar is rebuilt from the calendar version they name: a running clock keeps its rules. A
 * deadline falling in a calendar year the data lacks is logged once, counted in
 * `sla_calendar_year_missing` and listed by `calendarWarnings()`.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ServicePolicies } from '@complaints/policy';
import {
  dueAt,
  SlaCatalogue,
  type CalendarPin,
  type ClockDefinition,
  type CalendarRef,
  type CalendarYearWarning,
  type PolicyCriteria,
  type SelectionCriteria,
  type SlaPolicy,
  type WorkingCalendar,
} from '@complaints/sla';
import { CLOCK, observeOnScrape, type Clock } from '@complaints/kit';

/**
 * The calendar version a case's clocks were counted on: the one they name, else (clocks started
 * before calendars were policy) the seed, the built-in data they were counted on then.
 */
export const calendarPinOf = (
  clocks: readonly (ClockDefinition & { decidedBy?: { calendar?: CalendarRef } })[],
): CalendarPin => clocks.find((c) => c.decidedBy?.calendar)?.decidedBy?.calendar ?? 'seed';

const logger = new Logger('SlaSettings');

@Injectable()
export class SlaSettings {
  private readonly catalogue: SlaCatalogue;
  readonly stopObserving = observeOnScrape(
    'sla_calendar_year_missing',
    'Calendar years a deadline fell in that the calendar data lacks (1 per calendar and year)',
    ['calendar', 'year'],
    async () =>
      this.calendarWarnings().map((w) => ({ labels: { calendar: w.calendarId, year: String(w.year) }, value: 1 })),
  );

  constructor(
    policies: ServicePolicies,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.catalogue = new SlaCatalogue(policies, (warning) =>
      logger.warn(
        `Calendar ${warning.calendarId} lacks ${warning.year}: deadlines in it are counted without its adjusted days (${warning.gap})`,
      ),
    );
  }

  /**
   * The case's policy: the primary policy of the tenant's selection (its calendar and
   * operational clocks), running every selected clock (other regimes, sector commitments, a
   * referral's deadline), each naming the sla and calendar versions that decided it.
   */
  policyFor(criteria: Omit<PolicyCriteria, 'regime'> & Partial<SelectionCriteria>, receivedAt: Date): SlaPolicy {
    const { primary, clocks } = this.catalogue.select(criteria, receivedAt);
    const pin = calendarPinOf(clocks);
    const calendar = this.calendar(criteria.tenant, primary.calendarId, receivedAt, pin);
    for (const clock of clocks.filter((c) => c.startsWhen === 'complaint-received')) {
      this.catalogue.checkDeadline(criteria.tenant, primary.calendarId, dueAt(calendar, receivedAt, clock.target), pin);
    }
    return { ...primary, clocks };
  }

  /**
   * The tenant's calendar `id` around `at`, from the calendar version `pin` names: a case's, the
   * one its clocks name (calendarPinOf); default: the one in force at `at`.
   */
  calendar(tenant: string, id: string, at: Date, pin: CalendarPin = at): WorkingCalendar {
    return this.catalogue.calendar(tenant, id, at, pin);
  }

  calendarWarnings(): CalendarYearWarning[] {
    return this.catalogue.calendarWarnings(this.clock.now());
  }
}
