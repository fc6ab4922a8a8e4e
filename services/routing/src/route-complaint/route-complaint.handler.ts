/**
 * Routes every received complaint: consumes complaint.received.v1 and appends the routing
 * decision in the same transaction as the inbox record.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { IntegrationEvent } from '@complaints/contracts';
import { decideAndAppend, type EventStore, type SqlClient } from '@complaints/eventstore';
import { CLOCK, EVENT_STORE, type Clock } from '@complaints/kit';
import { routingDecider, routingStream } from '../domain/routing';
import { DEFAULT_RULES } from '../domain/rules';

@Injectable()
export class RouteComplaintHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(event: IntegrationEvent, tx: SqlClient): Promise<void> {
    if (event.type !== 'complaint.received.v1') return;
    const complaint = event.data;
    await decideAndAppend(
      tx,
      this.store,
      routingDecider,
      routingStream(complaint.complaintId),
      {
        type: 'RouteComplaint',
        data: { complaint: { ...complaint, customerId: complaint.complainant.customerId }, rules: DEFAULT_RULES },
      },
      {
        now: this.clock.now(),
        actor: { id: 'routing-engine', role: 'system' },
        tenant: event.tenant,
        correlationId: event.correlationId,
        causationId: event.id,
      },
    );
  }
}
