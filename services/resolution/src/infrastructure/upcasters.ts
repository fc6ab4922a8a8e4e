/**
 * The old stored shapes of resolution's events and the upcasters that read them as the current
 * shape, so evolve and the queries see one shape of each event (plugged in through
 * PlatformModule.forRoot in resolution.module.ts). The relay publishes events as stored.
 */
import type { DomainEvent } from '@complaints/decider';
import { upcasters } from '@complaints/eventstore';
import { DEFAULT_POLICY } from '@complaints/sla';
import type { CaseEvent, CaseEventData } from '../domain/case';

type CaseOpened = CaseEventData['CaseOpened'];

/** CaseOpened as recorded before SLA policies: no `sla`. */
export type CaseOpenedBeforeSla = Omit<CaseOpened, 'sla'> & Partial<Pick<CaseOpened, 'sla'>>;

/** Every shape resolution's events were ever stored in: what the relay publishes from. */
export type StoredCaseEvent = CaseEvent | DomainEvent<'CaseOpened', CaseOpenedBeforeSla>;

/** The policy every case ran before policies were chosen per case. */
export const SLA_BEFORE_POLICIES: CaseOpened['sla'] = {
  policyId: DEFAULT_POLICY.id,
  regime: DEFAULT_POLICY.regime,
  calendarId: DEFAULT_POLICY.calendarId,
  clocks: DEFAULT_POLICY.clocks,
};

export function upcastCaseOpened(data: CaseOpenedBeforeSla): CaseOpened {
  return { ...data, sla: data.sla ?? SLA_BEFORE_POLICIES };
}

export const resolutionUpcaster = upcasters({
  CaseOpened: (data) => upcastCaseOpened(data as CaseOpenedBeforeSla),
});
