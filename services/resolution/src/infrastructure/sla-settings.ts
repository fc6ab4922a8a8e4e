/**
 * Where the SLA machinery gets its data: the shared catalogue of tenant SLA documents
 * (SLA_POLICY_DIR, or SLA_TENANT_REGIMES' shorthand) and calendars. Plain data for the domain
 * (the escalation directory is versioned policy: ResolutionPolicies.directoryFor). A deadline
 * falling in a calendar year the data lacks is logged once, counted in `sla_calendar_year_missing`
 * and listed by `calendarWarnings()`.
 */
import { Injectable, Logger } from '@nestjs/common';
import {
  dueAt,
  SlaCatalogue,
  type CalendarYearWarning,
  type PolicyCriteria,
  type SelectionCriteria,
  type SlaPolicy,
  type WorkingCalendar,
} from '@complaints/sla';
import { observeOnScrape } from '@complaints/kit';

const logger = new Logger('SlaSettings');

@Injectable()
export class SlaSettings {
  private readonly catalogue = SlaCatalogue.fromEnv(process.env, (warning) =>
    logger.warn(
      `Calendar ${warning.calendarId} lacks ${warning.year}: deadlines in it are counted without its adjusted days (${warning.gap})`,
    ),
  );
  readonly stopObserving = observeOnScrape(
    'sla_calendar_year_missing',
    'Calendar years a deadline fell in that the calendar data lacks (1 per calendar and year)',
    ['calendar', 'year'],
    async () =>
      this.calendarWarnings().map((w) => ({ labels: { calendar: w.calendarId, year: String(w.year) }, value: 1 })),
  );

  /**
   * The case's policy: the primary policy of the tenant's selection (its calendar and
   * operational clocks), running every selected clock (other regimes, sector commitments, a
   * referral's deadline), each naming the policy and document version that decided it.
   */
  policyFor(criteria: Omit<PolicyCriteria, 'regime'> & Partial<SelectionCriteria>, receivedAt: Date): SlaPolicy {
    const { primary, clocks } = this.catalogue.select(criteria, receivedAt);
    const calendar = this.calendar(primary.calendarId, receivedAt);
    for (const clock of clocks.filter((c) => c.startsWhen === 'complaint-received')) {
      this.catalogue.checkDeadline(primary.calendarId, dueAt(calendar, receivedAt, clock.target));
    }
    return { ...primary, clocks };
  }

  calendar(id: string, at: Date): WorkingCalendar {
    return this.catalogue.calendar(id, at);
  }

  calendarWarnings(): CalendarYearWarning[] {
    return this.catalogue.calendarWarnings();
  }
}
