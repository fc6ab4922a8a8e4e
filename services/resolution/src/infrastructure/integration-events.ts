/** Resolution's private stored events mapped to the published language. */
import type { StoredEvent } from '@complaints/eventstore';
import type { IntegrationPayload } from '@complaints/messaging';
import type { CaseEvent } from '../domain/case';

export function resolutionIntegrationEvents(stored: StoredEvent): IntegrationPayload[] {
  const event = stored as unknown as CaseEvent;
  switch (event.type) {
    case 'CaseOpened':
      return [{ type: 'case.opened.v1', subject: event.data.caseId, data: event.data }];
    case 'CaseAcknowledged':
      return [{ type: 'case.acknowledged.v1', subject: event.data.caseId, data: event.data }];
    case 'CaseResolved':
      return [{ type: 'case.resolved.v1', subject: event.data.caseId, data: event.data }];
    case 'CaseClosed':
      return [{ type: 'case.closed.v1', subject: event.data.caseId, data: event.data }];
    default:
      return [];
  }
}
