/**
 * Owns a service's moving parts on the bus: its outbox relay and its consumers. Started by the
 * service module, stopped (with the transport and the database) when the application shuts down.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { prefixed, type TopicName } from '@complaints/contracts';
import type { Database } from '@complaints/eventstore';
import {
  OutboxRelay,
  startConsumer,
  type BatchHandler,
  type EventHandler,
  type IntegrationMapper,
  type Subscription,
  type Transport,
} from '@complaints/messaging';
import type { ServiceConfig } from './config';
import { DATABASE, SERVICE_CONFIG, TRANSPORT } from './tokens';

@Injectable()
export class Eventing implements OnApplicationShutdown {
  private readonly logger = new Logger('Eventing');
  private readonly relays: OutboxRelay[] = [];
  private readonly subscriptions: Subscription[] = [];

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  topic(name: TopicName): string {
    return prefixed(this.config.topicPrefix, name);
  }

  /** Publishes this service's stored events, mapped to integration events, after commit. */
  async startRelay(map: IntegrationMapper, topics: TopicName[]): Promise<void> {
    await this.transport.ensureTopics(topics.map((t) => this.topic(t)));
    const relay = new OutboxRelay({
      db: this.db,
      transport: this.transport,
      name: this.config.service,
      source: `/complaints/${this.config.service}`,
      topicPrefix: this.config.topicPrefix,
      map,
      logger: this.logger,
    });
    relay.start();
    this.relays.push(relay);
  }

  /**
   * Consumes integration events idempotently; the group is the service's name. `handleBatch`, for
   * a handler that can apply many events in one transaction, takes what the transport fetched.
   */
  async consume(topics: TopicName[], handle: EventHandler, handleBatch?: BatchHandler): Promise<void> {
    const names = topics.map((t) => this.topic(t));
    await this.transport.ensureTopics(names);
    this.subscriptions.push(
      await startConsumer({
        transport: this.transport,
        db: this.db,
        groupId: prefixed(this.config.topicPrefix, this.config.service),
        topics: names,
        handle,
        ...(handleBatch ? { handleBatch } : {}),
        logger: this.logger,
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.subscriptions.map((s) => s.stop().catch(() => undefined)));
    await Promise.all(this.relays.map((r) => r.stop()));
    await this.transport.close().catch(() => undefined);
    await this.db.close();
  }
}
