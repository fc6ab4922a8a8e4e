/** Analytics: audit history of every case and (next) KPIs, point-in-time state and rebuilds. */
import { Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@complaints/contracts';
import { SlaCatalogue, SlaSeeds, seedsOnly } from '@complaints/sla';
import { Eventing, PlatformModule, type PlatformOptions, type ServiceDefinition } from '@complaints/kit';
import { analyticsMigrations } from './infrastructure/migrations';
import { AuditController } from './read-models/audit/audit.controller';
import { CaseSearchController } from './read-models/audit/case-search.controller';
import { KpisController } from './read-models/kpis/kpis.controller';
import { ReportsController } from './read-models/kpis/reports.controller';
import { CaseTimelineController } from './read-models/case-timeline/case-timeline.controller';
import { CaseTimelineProjection } from './read-models/case-timeline/case-timeline.projection';
import { SlaMetrics } from './read-models/sla-metrics';
import { HistoryEvidence } from './read-models/audit/history-evidence';

@Module({})
export class AnalyticsModule implements OnApplicationBootstrap {
  constructor(
    private readonly eventing: Eventing,
    private readonly timeline: CaseTimelineProjection,
  ) {}

  static forRoot(options: Omit<PlatformOptions, 'migrations'>): DynamicModule {
    return {
      module: AnalyticsModule,
      imports: [PlatformModule.forRoot({ ...options, migrations: analyticsMigrations, caseEvidence: HistoryEvidence })],
      controllers: [CaseSearchController, CaseTimelineController, AuditController, KpisController, ReportsController],
      providers: [
        CaseTimelineProjection,
        SlaMetrics,
        // The tenants' SLA seeds (SLA_POLICY_DIR, SLA_TENANT_REGIMES) for the time zone periods count in.
        {
          provide: SlaCatalogue,
          useFactory: () => new SlaCatalogue(seedsOnly(SlaSeeds.load(options.config.slaSeeds))),
        },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.eventing.consume(
      [Topics.intake, Topics.routing, Topics.resolution],
      (event, tx) => this.timeline.handle(event, tx),
      (events, tx) => this.timeline.apply(events, tx),
    );
  }
}

export const analyticsService: ServiceDefinition = {
  name: 'analytics',
  title: 'Complaint analytics and audit',
  module: (options) => AnalyticsModule.forRoot(options),
};
