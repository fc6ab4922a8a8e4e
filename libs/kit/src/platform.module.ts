/**
 * The providers every service needs: configuration, clock, its database (migrated on start), the
 * event store and the transport (Kafka when KAFKA_BROKERS is set, else the embedded one).
 */
import { Global, Logger, Module, type DynamicModule, type Type } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { EventStore, eventStoreMigrations, openDatabase, type Migration, type Upcaster } from '@complaints/eventstore';
import { KeyVault, openKeyRing } from '@complaints/privacy';
import {
  embeddedBusMigrations,
  INBOX_TABLE,
  KafkaTransport,
  PostgresTransport,
  type DedupTable,
  type Transport,
} from '@complaints/messaging';
import { ConfigError, type ServiceConfig } from './config';
import { ApiKeys, apiKeyMigrations } from './auth/api-keys';
import { ClientThrottlerGuard } from './rate-limit';
import { AuthGuard } from './auth/auth.guard';
import { TokenVerifier } from './auth/token-verifier';
import {
  AuditCheckpointer,
  AuditVerifyController,
  AuditWitnesses,
  CASE_EVIDENCE_CHECK,
  type CaseEvidenceCheck,
} from './audit';
import { KeyRotation } from './key-rotation';
import { DedupPruning } from './dedup-pruning';
import { Eventing } from './eventing';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { loggingModule } from './logging';
import { MetricsController } from './metrics';
import { testClockFor, TestClockController } from './test-clock';
import {
  API_KEYS,
  CLOCK,
  DATABASE,
  EVENT_STORE,
  KEY_VAULT,
  SERVICE_CONFIG,
  TOKEN_VERIFIER,
  TRANSPORT,
  systemClock,
  type Clock,
} from './tokens';
import type { Database } from '@complaints/eventstore';

export interface PlatformOptions {
  config: ServiceConfig;
  /** The service's own tables, applied after the event store's. */
  migrations?: Migration[];
  /** The time the services read; the embedded host gives its four services one (with TEST_CLOCK, one AdjustableClock). */
  clock?: Clock;
  /** Whether channel adapters may call this service with API keys (intake). */
  apiKeys?: boolean;
  /** A check of a case beyond the event store, reported by `GET /audit/cases/:id/verify` (analytics' history). */
  caseEvidence?: Type<CaseEvidenceCheck>;
  /**
   * Turns the old stored shapes of this service's events into the current ones on every read of
   * EVENT_STORE (libs/eventstore upcasters.ts); the relay and the audit read events as stored.
   */
  upcaster?: Upcaster;
  /** This service's de-duplication tables beyond the inbox, pruned by age with it (DedupPruning). */
  dedupTables?: DedupTable[];
}

function tokenVerifier(config: ServiceConfig): TokenVerifier {
  if (!config.auth) {
    throw new ConfigError(
      'AUTH_JWKS_URL, AUTH_PUBLIC_KEYS or an http(s) AUTH_ISSUER is required: every endpoint but health needs a verified token (`npm start` makes development keys itself)',
    );
  }
  return new TokenVerifier(config.auth);
}

export async function createTransport(config: ServiceConfig): Promise<Transport> {
  if (config.kafkaBrokers.length > 0) {
    return new KafkaTransport({
      brokers: config.kafkaBrokers,
      // The instance in the client id: the broker's logs and `kafka-consumer-groups --describe` tell members apart.
      clientId: `${config.service}-${config.instanceId}`,
      partitions: config.partitions,
      sessionTimeout: config.kafkaSession.sessionTimeoutMs,
      heartbeatInterval: config.kafkaSession.heartbeatIntervalMs,
      // Through Nest's logger, which a service points at pino: JSON lines with its level and context.
      log: new Logger('kafkajs'),
    });
  }
  const busDb = await openDatabase({
    url: config.databaseUrl,
    schema: 'bus',
    tenantScoped: false, // no tenant rows: see DatabaseOptions
    migrations: embeddedBusMigrations,
    applicationName: `${config.service}-bus/${config.instanceId}`,
    poolSize: config.poolSizes.bus,
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
      imports: [
        TerminusModule.forRoot({ logger: false }),
        loggingModule(config.service, config.instanceId),
        ThrottlerModule.forRoot({
          throttlers: [{ ttl: 60_000, limit: config.rateLimitPerMinute }],
          errorMessage: `Too many requests: at most ${config.rateLimitPerMinute} a minute per API key, token subject or address, over all routes together`,
        }),
      ],
      controllers: [
        HealthController,
        MetricsController,
        AuditVerifyController,
        ...(config.testClock ? [TestClockController] : []),
      ],
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: CLOCK, useValue: config.testClock ? testClockFor(options.clock) : (options.clock ?? systemClock) },
        { provide: EVENT_STORE, useValue: new EventStore(options.upcaster) },
        {
          provide: DATABASE,
          useFactory: () =>
            openDatabase({
              url: config.databaseUrl,
              schema: config.schema,
              migrations: [
                ...eventStoreMigrations,
                ...(options.apiKeys ? apiKeyMigrations : []),
                ...(options.migrations ?? []),
              ],
              applicationName: `${config.service}/${config.instanceId}`,
              poolSize: config.poolSizes.service,
            }),
        },
        { provide: TRANSPORT, useFactory: () => createTransport(config) },
        {
          provide: KEY_VAULT,
          useFactory: () =>
            KeyVault.open({
              url: config.piiVaultUrl,
              keyRing: openKeyRing(config.piiKeys),
              applicationName: `${config.service}/${config.instanceId}`,
              serviceDatabaseUrl: config.databaseUrl,
              poolSize: config.poolSizes.vault,
            }),
        },
        {
          provide: DedupPruning,
          useFactory: (db: Database) =>
            new DedupPruning(db, config.dedupRetention, [INBOX_TABLE, ...(options.dedupTables ?? [])]),
          inject: [DATABASE],
        },
        Eventing,
        AuditWitnesses,
        AuditCheckpointer,
        KeyRotation,
        ...(options.caseEvidence ? [{ provide: CASE_EVIDENCE_CHECK, useClass: options.caseEvidence }] : []),
        { provide: TOKEN_VERIFIER, useFactory: () => tokenVerifier(config) },
        ...(options.apiKeys
          ? [{ provide: API_KEYS, useFactory: (db: Database) => new ApiKeys(db), inject: [DATABASE] }]
          : []),
        { provide: APP_GUARD, useClass: ClientThrottlerGuard },
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
      exports: [SERVICE_CONFIG, CLOCK, EVENT_STORE, DATABASE, TRANSPORT, KEY_VAULT, Eventing],
    };
  }
}
