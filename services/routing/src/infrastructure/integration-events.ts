/** Routing's private stored events mapped to the published language. */
import type { StoredEvent } from '@complaints/eventstore';
import type { IntegrationPayload } from '@complaints/messaging';
import type { ComplaintRouted } from '../domain/routing';

export function routingIntegrationEvents(event: StoredEvent): IntegrationPayload[] {
  switch (event.type) {
    case 'ComplaintRouted': {
      const data = event.data as ComplaintRouted;
      return [{ type: 'complaint.routed.v1', subject: data.complaintId, data }];
    }
    default:
      return [];
  }
}
