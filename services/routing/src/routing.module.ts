/** Routing: classification, the responsible department, queue, priority and agent; supervisors' reroutes. */
import { Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@complaints/contracts';
import { releaseOrRetake } from './infrastructure/workload';
import { Eventing, PlatformModule, type PlatformOptions, type ServiceDefinition } from '@complaints/kit';
import { DepartmentsController } from './departments/departments.controller';
import { routingIntegrationEvents } from './infrastructure/integration-events';
import { routingUpcaster } from './infrastructure/upcasters';
import { routingMigrations } from './infrastructure/migrations';
import { RerouteController } from './reroute/reroute.controller';
import { RouteComplaintHandler } from './route-complaint/route-complaint.handler';
import { RoutingQueriesController } from './routing-queries/routing-queries.controller';
import { policiesController, policyIntegrationEvents, ServicePolicies, SERVICE_POLICY_KINDS } from '@complaints/policy';
import { RoutingSeeds } from '@complaints/routing-data';
import { SlaCatalogue, SlaSeeds } from '@complaints/sla';
import { RoutingPolicies, routingServicePolicyKinds } from './infrastructure/policies';

@Module({})
export class RoutingModule implements OnApplicationBootstrap {
  constructor(
    private readonly eventing: Eventing,
    private readonly routeComplaint: RouteComplaintHandler,
  ) {}

  static forRoot(platform: Omit<PlatformOptions, 'migrations'>): DynamicModule {
    return {
      module: RoutingModule,
      imports: [PlatformModule.forRoot({ ...platform, migrations: routingMigrations, upcaster: routingUpcaster })],
      controllers: [
        RoutingQueriesController,
        DepartmentsController,
        RerouteController,
        policiesController('routing', ['routing-rules', 'department-directory', 'sla', 'calendar']),
      ],
      providers: [
        RouteComplaintHandler,
        ServicePolicies,
        RoutingPolicies,
        { provide: SERVICE_POLICY_KINDS, inject: [RoutingSeeds, SlaSeeds], useFactory: routingServicePolicyKinds },
        { provide: SlaSeeds, useFactory: () => SlaSeeds.load(platform.config.slaSeeds) },
        // The regime on the routing decision: the tenant's sla version in force at receipt.
        { provide: SlaCatalogue, inject: [ServicePolicies], useFactory: (p: ServicePolicies) => new SlaCatalogue(p) },
        // The seeds (version 0) of the rule tables and directories, read at start: a bad rule or
        // directory file stops the service with the file and field named. ROUTING_DATA_DIR points at
        // another copy of rules/ and directory/ (e.g. a mounted ConfigMap).
        { provide: RoutingSeeds, useFactory: () => RoutingSeeds.load(platform.config.policyFiles.routingDataDir) },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    // Routings on the routing topic; rule-table and directory versions (libs/policy) on the policy topic.
    await this.eventing.startRelay(
      (stored) => [...routingIntegrationEvents(stored), ...policyIntegrationEvents(stored)],
      [Topics.routing, Topics.policy],
    );
    // One subscription for both topics: a consumer group reads its topics through one position.
    await this.eventing.consume([Topics.intake, Topics.resolution], async (event, tx) => {
      if (event.type === 'complaint.received.v1') return this.routeComplaint.handle(event, tx);
      // A case's subject is its complaint id (or a follow-on case's own id, which routing never assigned).
      if (event.type === 'case.closed.v1') return releaseOrRetake(tx, event.tenant, event.subject, true);
      if (event.type === 'case.reopened.v1') return releaseOrRetake(tx, event.tenant, event.subject, false);
    });
  }
}

export const routingService: ServiceDefinition = {
  name: 'routing',
  title: 'Complaint routing',
  module: (options) => RoutingModule.forRoot(options),
};
