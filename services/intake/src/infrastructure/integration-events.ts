/** Intake's private stored events mapped to the published language. */
import type { IntegrationPayload } from '@complaints/messaging';
import type { StoredEvent } from '@complaints/eventstore';
import type { ComplaintReceived } from '../domain/complaint';

export function intakeIntegrationEvents(event: StoredEvent): IntegrationPayload[] {
  switch (event.type) {
    case 'ComplaintReceived': {
      const data = event.data as ComplaintReceived;
      return [{ type: 'complaint.received.v1', subject: data.complaintId, data }];
    }
    default:
      return [];
  }
}
