/** Resolution: the case workflow, its deadlines, and (next) SLA clocks and escalation. */
import { Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@complaints/contracts';
import { Eventing, PlatformModule, type PlatformOptions, type ServiceDefinition } from '@complaints/kit';
import { GetCaseController } from './get-case/get-case.controller';
import { resolutionIntegrationEvents } from './infrastructure/integration-events';
import { resolutionUpcaster } from './infrastructure/upcasters';
import { OpenCaseHandler } from './open-case/open-case.handler';
import { policiesController, policyIntegrationEvents, ServicePolicies, SERVICE_POLICY_KINDS } from '@complaints/policy';
import { ResolutionPolicies, resolutionServicePolicyKinds } from './infrastructure/policies';
import { AfterResolutionController } from './after-resolution/after-resolution.controller';
import { SlaHealthController } from './infrastructure/sla-health.controller';
import { DeadlineExtensionController } from './deadline-extension/deadline-extension.controller';
import { SlaSeeds } from '@complaints/sla';
import { AuthorityLimits } from './infrastructure/authority-limits';
import { CaseCommands } from './infrastructure/case-commands';
import { CaseWriter } from './infrastructure/case-writer';
import { Departments } from './infrastructure/department-directory';
import { RoutingSeeds } from '@complaints/routing-data';
import { resolutionMigrations } from './infrastructure/migrations';
import { SlaMonitor } from './infrastructure/sla-monitor';
import { SlaSettings } from './infrastructure/sla-settings';
import { ResolutionOptionsController } from './resolution-options/resolution-options.controller';
import { WorkCaseController } from './work-case/work-case.controller';

@Module({})
export class ResolutionModule implements OnApplicationBootstrap {
  constructor(
    private readonly eventing: Eventing,
    private readonly openCase: OpenCaseHandler,
  ) {}

  static forRoot(options: Omit<PlatformOptions, 'migrations'>): DynamicModule {
    return {
      module: ResolutionModule,
      imports: [PlatformModule.forRoot({ ...options, migrations: resolutionMigrations, upcaster: resolutionUpcaster })],
      controllers: [
        GetCaseController,
        WorkCaseController,
        ResolutionOptionsController,
        AfterResolutionController,
        DeadlineExtensionController,
        policiesController('resolution', [
          'approval-limits',
          'escalation-directory',
          'sla',
          'calendar',
          'department-directory',
        ]),
        SlaHealthController,
      ],
      providers: [
        OpenCaseHandler,
        CaseWriter,
        CaseCommands,
        SlaSettings,
        SlaMonitor,
        ServicePolicies,
        ResolutionPolicies,
        {
          provide: SERVICE_POLICY_KINDS,
          inject: [AuthorityLimits, RoutingSeeds, SlaSeeds],
          useFactory: resolutionServicePolicyKinds,
        },
        // The sla kind's seeds (SLA_POLICY_DIR, SLA_TENANT_REGIMES), checked at start.
        { provide: SlaSeeds, useFactory: () => SlaSeeds.load(options.config.slaSeeds) },
        // Read and checked at start: a bad limits or directory file stops the service, naming the field.
        {
          provide: AuthorityLimits,
          useFactory: () => AuthorityLimits.load(options.config.policyFiles.resolutionLimitsDir),
        },
        // The seeds of routing's department directory (replicated here), read and checked as routing does.
        { provide: RoutingSeeds, useFactory: () => RoutingSeeds.load(options.config.policyFiles.routingDataDir) },
        Departments,
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    // Cases on the resolution topic; policy versions (libs/policy) on the policy topic.
    await this.eventing.startRelay(
      (stored) => [...resolutionIntegrationEvents(stored), ...policyIntegrationEvents(stored)],
      [Topics.resolution, Topics.policy],
    );
    await this.eventing.consume([Topics.routing], (event, tx) => this.openCase.handle(event, tx));
  }
}

export const resolutionService: ServiceDefinition = {
  name: 'resolution',
  title: 'Case resolution',
  module: (options) => ResolutionModule.forRoot(options),
};
