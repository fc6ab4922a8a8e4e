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
    case 'PossibleDuplicateLinked':
      return [
        {
          type: 'complaint.duplicate-suspected.v1',
          subject: (event.data as { complaintId: string }).complaintId,
          data: event.data,
        },
      ];
    case 'DuplicateLinkRemoved':
      return [
        {
          type: 'complaint.duplicate-link-removed.v1',
          subject: (event.data as { complaintId: string }).complaintId,
          data: event.data,
        },
      ];
    case 'RepeatComplainantFlagged':
      return [
        {
          type: 'complaint.repeat-complainant-flagged.v1',
          subject: (event.data as { complaintId: string }).complaintId,
          data: event.data,
        },
      ];
    case 'ComplainantErased':
      return [
        {
          type: 'complainant.erased.v1',
          subject: (event.data as { complaintId: string }).complaintId,
          data: event.data,
        },
      ];
    default:
      return [];
  }
}
