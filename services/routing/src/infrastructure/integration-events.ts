/**
 * Routing's private stored events mapped to the published language: one table, so adding a stored
 * event without deciding what (if anything) it publishes, or storing a shape its contract does not
 * accept, is a type error.
 */
import { integrationMapper, type PublishedTable } from '@complaints/messaging';
import type { StoredRoutingEvent } from './upcasters';

/** Over every stored shape: the relay publishes what was stored, so a published event never changes. */
export const PUBLISHED: PublishedTable<StoredRoutingEvent> = {
  ComplaintRouted: { type: 'complaint.routed.v1' },
  ComplaintRerouted: { type: 'complaint.rerouted.v1' },
};

export const routingIntegrationEvents = integrationMapper(PUBLISHED, (data) => data.complaintId);
