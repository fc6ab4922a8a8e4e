/**
 * Routing's events, applied to cases in the same transaction as the inbox record and through the
 * case's one write path: a routed complaint opens a case under the SLA policy selected for the
 * tenant, category, priority and channel; a reroute moves the open case with it.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError } from '@complaints/decider';
import type { IntegrationEvent } from '@complaints/contracts';
import type { SqlClient } from '@complaints/eventstore';
import { CLOCK, type Clock } from '@complaints/kit';
import { CaseWriter, causedBy } from '../infrastructure/case-writer';
import { Departments } from '../infrastructure/department-directory';
import { calendarPinOf, SlaSettings } from '../infrastructure/sla-settings';

@Injectable()
export class OpenCaseHandler {
  private readonly logger = new Logger('OpenCaseHandler');

  constructor(
    private readonly writer: CaseWriter,
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
    // The sla and calendar versions in force at receipt decide the clocks; they keep them while they run.
    const received = new Date(receivedAt ?? now);
    const policy = this.sla.policyFor(
      { tenant: event.tenant, category, priority, channel: channel ?? 'unknown', ...slaCriteria },
      received,
    );
    const calendar = this.sla.calendar(event.tenant, policy.calendarId, now, calendarPinOf(policy.clocks));
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
    await this.writer.writeIn(tx, complaintId, command, causedBy(event, { id: 'resolution', role: 'system' }));
  }

  /** A supervisor rerouted the complaint: the open case moves with it. A case already resolved or closed stays where it was. */
  private async followReroute(
    event: Extract<IntegrationEvent, { type: 'complaint.rerouted.v1' }>,
    tx: SqlClient,
  ): Promise<void> {
    const { complaintId, department, assignment, reason, reroutedBy, category, priority, from } = event.data;
    // The directory routing checked the reroute against (a replica behind it throws, and the message is retried).
    const directory = this.departments.forReroute(
      event.tenant,
      new Date(event.data.reroutedAt),
      event.data.directoryPolicy,
    );
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
        directory,
      },
    };
    try {
      // The supervisor acted in routing, under routing's checks: here the change is applied on their behalf.
      await this.writer.writeIn(tx, complaintId, command, causedBy(event, reroutedBy));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn(`Reroute of ${complaintId} not applied to its case: ${error.message}`);
    }
  }
}
