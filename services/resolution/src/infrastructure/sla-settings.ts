/**
 * Where the SLA machinery gets its data: the shared catalogue of policies and calendars (with each
 * tenant's regime from SLA_TENANT_REGIMES) and the escalation directory. Plain data for the domain.
 */
import { Injectable } from '@nestjs/common';
import { SlaCatalogue, type PolicyCriteria, type SlaPolicy, type WorkingCalendar } from '@complaints/sla';
import { DEFAULT_DIRECTORY, type EscalationDirectory } from '../domain/escalation';

@Injectable()
export class SlaSettings {
  private readonly catalogue = SlaCatalogue.fromEnv();
  readonly directory: EscalationDirectory = DEFAULT_DIRECTORY;

  /** The policy routing chose, else one selected here. */
  policyFor(criteria: Omit<PolicyCriteria, 'regime'>, chosenByRouting?: string): SlaPolicy {
    return this.catalogue.policyById(chosenByRouting) ?? this.catalogue.policyFor(criteria);
  }

  calendar(id: string, at: Date): WorkingCalendar {
    return this.catalogue.calendar(id, at);
  }
}
