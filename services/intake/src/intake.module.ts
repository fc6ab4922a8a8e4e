/** Intake: every channel in, exactly one registered complaint out, with a reference. */
import { Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { policiesController, ServicePolicies, SERVICE_POLICY_KINDS } from '@complaints/policy';
import { SlaCatalogue, SlaSeeds } from '@complaints/sla';
import { intakeServicePolicyKinds } from './infrastructure/policies';
import { Topics } from '@complaints/contracts';
import type { Database } from '@complaints/eventstore';
import {
  DATABASE,
  Eventing,
  KEY_VAULT,
  PlatformModule,
  type PlatformOptions,
  type ServiceDefinition,
} from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import { AttachmentsController } from './attachments/attachments.controller';
import { placeComplaint } from './attachments/evidence-scope';
import { ChannelsController } from './channels/channels.controller';
import { EraseDataSubjectController } from './erase-data-subject/erase-data-subject.controller';
import { EraseDataSubjectHandler } from './erase-data-subject/erase-data-subject.handler';
import { GetComplaintController } from './get-complaint/get-complaint.controller';
import { intakeIntegrationEvents } from './infrastructure/integration-events';
import { INTAKE_DEDUP_TABLES, intakeMigrations } from './infrastructure/migrations';
import { RegisterComplaintController } from './register-complaint/register-complaint.controller';
import { tagLegacyDescriptions } from './infrastructure/registration/legacy-descriptions';
import { RegisterComplaintHandler } from './infrastructure/registration/register-complaint.handler';

@Module({})
export class IntakeModule implements OnApplicationBootstrap {
  constructor(
    private readonly eventing: Eventing,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
  ) {}

  static forRoot(options: Omit<PlatformOptions, 'migrations'>): DynamicModule {
    return {
      module: IntakeModule,
      imports: [
        PlatformModule.forRoot({
          ...options,
          migrations: intakeMigrations,
          apiKeys: true,
          dedupTables: INTAKE_DEDUP_TABLES,
        }),
      ],
      controllers: [
        RegisterComplaintController,
        GetComplaintController,
        ChannelsController,
        AttachmentsController,
        EraseDataSubjectController,
        // Intake's copy of resolution's sla and calendar versions, for reading (publish at resolution).
        policiesController('intake', ['sla', 'calendar']),
      ],
      providers: [
        RegisterComplaintHandler,
        EraseDataSubjectHandler,
        ServicePolicies,
        { provide: SERVICE_POLICY_KINDS, inject: [SlaSeeds], useFactory: intakeServicePolicyKinds },
        { provide: SlaSeeds, useFactory: () => SlaSeeds.load(options.config.slaSeeds) },
        // The time limit told to the customer: the tenant's sla and calendar versions in force at receipt.
        {
          provide: SlaCatalogue,
          inject: [ServicePolicies],
          useFactory: (policies: ServicePolicies) =>
            new SlaCatalogue(policies, (warning) =>
              new Logger('TimeLimit').warn(
                `Calendar ${warning.calendarId} lacks ${warning.year}: the date told to customers is counted without its adjusted days (${warning.gap})`,
              ),
            ),
        },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await tagLegacyDescriptions(this.db, this.vault);
    await this.eventing.startRelay(intakeIntegrationEvents, [Topics.intake]);
    // Where each case is now, for the department scope of its evidence.
    await this.eventing.consume([Topics.resolution], placeComplaint);
  }
}

export const intakeService: ServiceDefinition = {
  name: 'intake',
  title: 'Complaint intake',
  module: (options) => IntakeModule.forRoot(options),
};
