/**
 * Routes every received complaint: consumes complaint.received.v1 (its personal fields revealed
 * through the key vault for classification only) and appends the routing
 * decision, with the assignment ledger, in the same transaction as the inbox record.
 */
import { Inject, Injectable } from '@nestjs/common';
import { pseudonymousCustomerId, type IntegrationEvent } from '@complaints/contracts';
import { decideAndAppend, type EventStore, type SqlClient } from '@complaints/eventstore';
import { CLOCK, EVENT_STORE, KEY_VAULT, type Clock } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import { routingDecider, routingStream, type RoutingCommand } from '../domain/routing';
import { recordAssignments, readWorkload } from '../infrastructure/workload';
import { SLA_POLICY_PRESETS, SlaCatalogue, slaCriteriaOf } from '@complaints/sla';
import { RoutingPolicies } from '../infrastructure/policies';

@Injectable()
export class RouteComplaintHandler {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly data: RoutingPolicies,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
    private readonly sla: SlaCatalogue,
  ) {}

  async handle(event: IntegrationEvent, tx: SqlClient): Promise<void> {
    if (event.type !== 'complaint.received.v1') return;
    // Classification reads the description and demands, sealed by intake: revealed here, never stored.
    // The routed event carries the pseudonymous customer key, not the customer's id, and the data
    // subject id resolution seals the case's free text with.
    const complaint = {
      ...(await this.vault.reveal(event.tenant, event.data)),
      customerId: pseudonymousCustomerId(event.data.complainant),
      subjectId: event.data.complainant.subjectId,
    };
    // The rules and directory in force when the complaint was received: a redelivery, or a backlog
    // routed after a new version was published, decides as it would have at receipt.
    const at = complaint.receivedAt ? new Date(complaint.receivedAt) : this.clock.now();
    const rules = this.data.tableAt(event.tenant, at);
    const { directory, policy: directoryPolicy } = this.data.directoryAt(event.tenant, at);
    await decideAndAppend(
      tx,
      this.store,
      routingDecider,
      routingStream(complaint.complaintId),
      async (): Promise<RoutingCommand> => ({
        type: 'RouteComplaint',
        data: {
          complaint,
          rules: rules.table,
          directory,
          policies: { rulesPolicy: rules.policy, directoryPolicy },
          workload: await readWorkload(tx, event.tenant),
          sla: {
            tenant: event.tenant,
            policies: SLA_POLICY_PRESETS,
            regime: this.sla.defaultRegime(event.tenant, new Date(event.data.receivedAt)),
            criteria: slaCriteriaOf(complaint),
          },
        },
      }),
      {
        now: this.clock.now(),
        actor: { id: 'routing-engine', role: 'system' },
        tenant: event.tenant,
        correlationId: event.correlationId,
        causationId: event.id,
      },
      { afterAppend: (t, appended) => recordAssignments(t, event.tenant, directory, appended) },
    );
  }
}
