/**
 * The old stored shapes of routing's events and the upcasters that read them as the current
 * shape, so evolve and the queries see one shape of each event (plugged in through
 * PlatformModule.forRoot in routing.module.ts). The relay publishes events as stored.
 */
import type { DomainEvent } from '@complaints/decider';
import { upcasters } from '@complaints/eventstore';
import type { ComplaintRouted, RoutingEvent } from '../domain/routing';

/** ComplaintRouted as recorded before agents were assigned: no `assignment`. */
export type ComplaintRoutedBeforeAssignment = Omit<ComplaintRouted, 'assignment'> &
  Partial<Pick<ComplaintRouted, 'assignment'>>;

/** Every shape routing's events were ever stored in: what the relay publishes from. */
export type StoredRoutingEvent = RoutingEvent | DomainEvent<'ComplaintRouted', ComplaintRoutedBeforeAssignment>;

/** Nobody was assigned then: the complaint waited in its queue, as it does today when no agent fits. */
export const NOT_ASSIGNED_BEFORE_ASSIGNMENT: ComplaintRouted['assignment'] = {
  strategy: 'none',
  reason: 'routed before agents were assigned: left in its queue',
};

export function upcastComplaintRouted(data: ComplaintRoutedBeforeAssignment): ComplaintRouted {
  return { ...data, assignment: data.assignment ?? NOT_ASSIGNED_BEFORE_ASSIGNMENT };
}

export const routingUpcaster = upcasters({
  ComplaintRouted: (data) => upcastComplaintRouted(data as ComplaintRoutedBeforeAssignment),
});
