/** Routing: classification and the responsible department, queue and priority. */
import { Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@complaints/contracts';
import { Eventing, PlatformModule, type PlatformOptions, type ServiceDefinition } from '@complaints/kit';
import { routingIntegrationEvents } from './infrastructure/integration-events';
import { RouteComplaintHandler } from './route-complaint/route-complaint.handler';
import { RoutingQueriesController } from './routing-queries/routing-queries.controller';

@Module({})
export class RoutingModule implements OnApplicationBootstrap {
  constructor(
    private readonly eventing: Eventing,
    private readonly routeComplaint: RouteComplaintHandler,
  ) {}

  static forRoot(options: Omit<PlatformOptions, 'migrations'>): DynamicModule {
    return {
      module: RoutingModule,
      imports: [PlatformModule.forRoot(options)],
      controllers: [RoutingQueriesController],
      providers: [RouteComplaintHandler],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.eventing.startRelay(routingIntegrationEvents, [Topics.routing]);
    await this.eventing.consume([Topics.intake], (event, tx) => this.routeComplaint.handle(event, tx));
  }
}

export const routingService: ServiceDefinition = {
  name: 'routing',
  title: 'Complaint routing',
  module: (options) => RoutingModule.forRoot(options),
};
