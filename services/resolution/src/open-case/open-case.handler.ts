/**
 * Opens a case for every routed complaint, in the same transaction as the inbox record: selects
 * the SLA policy for the tenant, category, priority and channel, and schedules the first SLA check.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@complaints/decider';
import type { IntegrationEvent } from '@complaints/contracts';
import { decideAndAppend, type EventStore, type SqlClient } from '@complaints/eventstore';
import { CLOCK, EVENT_STORE, type Clock } from '@complaints/kit';
import { caseDecider, caseStream } from '../domain/case.decide';
import { Departments } from '../infrastructure/department-directory';
import { SlaSettings } from '../infrastructure/sla-settings';
import { rescheduleAfter } from '../infrastructure/sla-schedule';

@Injectable()
export class OpenCaseHandler {
  private readonly logger = new Logger('OpenCaseHandler');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly sla: SlaSettings,
    private readonly departments: Departments,
  ) {}

  async handle(event: IntegrationEvent, tx: SqlClient): Promise<void> {
    if (event.type === 'complaint.rerouted.v1') return this.followReroute(event, tx);
    if (event.type !== 'complaint.routed.v1') return;
    const {
      complaintId,
      reference,
      customerId,
      subjectId,
      department,
      queue,
      category,
      priority,
      channel,
      receivedAt,
      slaCriteria,
    } = event.data;
    const now = this.clock.now();
    const policy = this.sla.policyFor(
      { tenant: event.tenant, category, priority, channel: channel ?? 'unknown', ...slaCriteria },
      new Date(receivedAt ?? now),
    );
    const calendar = this.sla.calendar(policy.calendarId, now);
    const routed = {
      caseId: complaintId,
      complaintId,
      reference,
      department,
      queue,
      category,
      priority,
      policy,
      calendar,
    };
    const command = {
      type: 'OpenCase' as const,
      data: {
        ...routed,
        ...(customerId ? { customerId } : {}),
        ...(subjectId ? { subjectId } : {}),
        ...(receivedAt ? { receivedAt } : {}),
      },
    };
    const meta = {
      now,
      actor: { id: 'resolution', role: 'system' },
      tenant: event.tenant,
      correlationId: event.correlationId,
      causationId: event.id,
    };
    await decideAndAppend(tx, this.store, caseDecider, caseStream(complaintId), command, meta, {
      afterAppend: rescheduleAfter(this.sla, event.tenant, now),
    });
  }

  /** A supervisor rerouted the complaint: the open case moves with it. A case already resolved or closed stays where it was. */
  private async followReroute(
    event: Extract<IntegrationEvent, { type: 'complaint.rerouted.v1' }>,
    tx: SqlClient,
  ): Promise<void> {
    const { complaintId, department, assignment, reason, reroutedBy, category, priority, from } = event.data;
    // What the case is about moves with it when the reroute changed it (always out of triage).
    const about = {
      ...(category !== from.category ? { category } : {}),
      ...(priority !== from.priority ? { priority } : {}),
    };
    const command = {
      type: 'ReassignCase' as const,
      data: {
        caseId: complaintId,
        department,
        ...about,
        ...(assignment.agentId ? { agentId: assignment.agentId } : {}),
        reason: `Rerouted: ${reason}`,
        directory: this.departments.for(event.tenant),
      },
    };
    const meta = {
      now: this.clock.now(),
      actor: reroutedBy,
      tenant: event.tenant,
      correlationId: event.correlationId,
      causationId: event.id,
    };
    try {
      await decideAndAppend(tx, this.store, caseDecider, caseStream(complaintId), command, meta, {
        afterAppend: rescheduleAfter(this.sla, event.tenant, meta.now),
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn(`Reroute of ${complaintId} not applied to its case: ${error.message}`);
    }
  }
}
