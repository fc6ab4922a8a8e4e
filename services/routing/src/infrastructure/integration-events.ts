/** Routing's private stored events mapped to the published language. */
import type { StoredEvent } from '@complaints/eventstore';
import type { IntegrationPayload } from '@complaints/messaging';
import type { ComplaintRerouted, ComplaintRouted } from '../domain/routing';

export function routingIntegrationEvents(event: StoredEvent): IntegrationPayload[] {
  switch (event.type) {
    case 'ComplaintRouted': {
      const data = event.data as ComplaintRouted;
      return [{ type: 'complaint.routed.v1', subject: data.complaintId, data }];
    }
    case 'ComplaintRerouted': {
      const data = event.data as ComplaintRerouted;
      return [{ type: 'complaint.rerouted.v1', subject: data.complaintId, data }];
    }
    default:
      return [];
  }
}
