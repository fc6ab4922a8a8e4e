/**
 * Intake's private stored events mapped to the published language: one table, so adding a stored
 * event without deciding what (if anything) it publishes, or storing a shape its contract does not
 * accept (a channel outside libs/contracts' list), is a type error.
 */
import { integrationMapper, type PublishedTable } from '@complaints/messaging';
import type { ComplaintEvent } from '../domain/complaint';

export const PUBLISHED: PublishedTable<ComplaintEvent> = {
  ComplaintReceived: { type: 'complaint.received.v1' },
  PossibleDuplicateLinked: { type: 'complaint.duplicate-suspected.v1' },
  DuplicateLinkRemoved: { type: 'complaint.duplicate-link-removed.v1' },
  RepeatComplainantFlagged: { type: 'complaint.repeat-complainant-flagged.v1' },
  ComplainantErased: { type: 'complainant.erased.v1' },
};

export const intakeIntegrationEvents = integrationMapper(PUBLISHED, (data) => data.complaintId);
