/**
 * The providers every service needs: configuration, clock, its database (migrated on start), the
 * event store and the transport (Kafka when KAFKA_BROKERS is set, else the embedded one).
 */
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { EventStore, eventStoreMigrations, openDatabase, type Migration } from '@complaints/eventstore';
import { embeddedBusMigrations, KafkaTransport, PostgresTransport, type Transport } from '@complaints/messaging';
import type { ServiceConfig } from './config';
import { AuditCheckpointer, AuditVerifyController } from './audit';
import { Eventing } from './eventing';
import { HealthController } from './health.controller';
import { AdjustableClock, TestClockController, testClockEnabled } from './test-clock';
import { CLOCK, DATABASE, EVENT_STORE, SERVICE_CONFIG, TRANSPORT, systemClock, type Clock } from './tokens';

export interface PlatformOptions {
  config: ServiceConfig;
  /** The service's own tables, applied after the event store's. */
  migrations?: Migration[];
  clock?: Clock;
}

export async function createTransport(config: ServiceConfig): Promise<Transport> {
  if (config.kafkaBrokers.length > 0) {
    return new KafkaTransport({
      brokers: config.kafkaBrokers,
      clientId: config.service,
      partitions: config.partitions,
    });
  }
  const busDb = await openDatabase({
    url: config.databaseUrl,
    schema: 'bus',
    migrations: embeddedBusMigrations,
    applicationName: `${config.service}-bus`,
    poolSize: 4,
  });
  const transport = new PostgresTransport(busDb);
  const close = transport.close.bind(transport);
  transport.close = async () => {
    await close();
    await busDb.close();
  };
  return transport;
}

@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const { config } = options;
    return {
      module: PlatformModule,
      global: true,
      controllers: [HealthController, AuditVerifyController, ...(testClockEnabled() ? [TestClockController] : [])],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: CLOCK, useValue: options.clock ?? (testClockEnabled() ? new AdjustableClock() : systemClock) },
        { provide: EVENT_STORE, useValue: new EventStore() },
        {
          provide: DATABASE,
          useFactory: () =>
            openDatabase({
              url: config.databaseUrl,
              schema: config.schema,
              migrations: [...eventStoreMigrations, ...(options.migrations ?? [])],
              applicationName: config.service,
            }),
        },
        { provide: TRANSPORT, useFactory: () => createTransport(config) },
        Eventing,
        AuditCheckpointer,
      ],
      exports: [SERVICE_CONFIG, CLOCK, EVENT_STORE, DATABASE, TRANSPORT, Eventing],
    };
  }
}
