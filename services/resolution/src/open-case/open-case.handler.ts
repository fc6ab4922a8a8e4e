/** Opens a case for every routed complaint, in the same transaction as the inbox record. */
import { Inject, Injectable } from '@nestjs/common';
import type { IntegrationEvent } from '@complaints/contracts';
import { decideAndAppend, type EventStore, type SqlClient } from '@complaints/eventstore';
import { CLOCK, EVENT_STORE, type Clock } from '@complaints/kit';
import { caseDecider, caseStream } from '../domain/case.decide';

@Injectable()
export class OpenCaseHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(event: IntegrationEvent, tx: SqlClient): Promise<void> {
    if (event.type !== 'complaint.routed.v1') return;
    const { complaintId, reference, customerId, department, queue, category, priority } = event.data;
    await decideAndAppend(
      tx,
      this.store,
      caseDecider,
      caseStream(complaintId),
      {
        type: 'OpenCase',
        data: {
          caseId: complaintId,
          complaintId,
          reference,
          ...(customerId ? { customerId } : {}),
          department,
          queue,
          category,
          priority,
        },
      },
      {
        now: this.clock.now(),
        actor: { id: 'resolution', role: 'system' },
        tenant: event.tenant,
        correlationId: event.correlationId,
        causationId: event.id,
      },
    );
  }
}
