/**
 * Owns a service's moving parts on the bus: its outbox relay and its consumers. Started by the
 * service module, stopped (with the transport, the database and the key vault) when the
 * application shuts down.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { parseIntegrationEvent, prefixed, type TopicName } from '@complaints/contracts';
import type { Database, StoredEvent } from '@complaints/eventstore';
import type { KeyVault } from '@complaints/privacy';
import {
  contentDigest,
  inOrder,
  OutboxRelay,
  startConsumer,
  type BatchHandler,
  type EventHandler,
  type IntegrationMapper,
  type RelayStatus,
  type Subscription,
  type Transport,
  toEnvelope,
} from '@complaints/messaging';
import type { ServiceConfig } from './config';
import { observeOnScrape } from './metrics';
import { DATABASE, KEY_VAULT, SERVICE_CONFIG, TRANSPORT } from './tokens';

@Injectable()
export class Eventing implements OnApplicationShutdown {
  private readonly logger = new Logger('Eventing');
  private readonly relays: OutboxRelay[] = [];
  private readonly subscriptions: Subscription[] = [];
  private readonly unobserve: (() => void)[] = [];
  private readonly mappers: IntegrationMapper[] = [];

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
  ) {
    // Every other series of a service names the service only: this one maps it to its instances
    // (Prometheus's own `instance` label is the scraped address, not the process).
    const labels = { service: config.service, instance: config.instanceId };
    this.unobserve.push(
      observeOnScrape(
        'complaints_instance_info',
        'Always 1: the instance id (INSTANCE_ID) of the process serving this service',
        ['service', 'instance'],
        () => Promise.resolve([{ labels, value: 1 }]),
      ),
    );
  }

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
      previousShape: this.config.writePreviousEventShape,
    });
    relay.start();
    this.relays.push(relay);
    this.mappers.push(map);
    this.observeOutbox();
    this.observeRelayOwner(relay);
  }

  /** Which instance publishes: one per service holds the relay's lock, the others wait (0). */
  private observeRelayOwner(relay: OutboxRelay): void {
    const labels = { service: this.config.service, instance: this.config.instanceId };
    this.unobserve.push(
      observeOnScrape(
        'complaints_outbox_relay_owner',
        "1 on the instance holding the service's outbox relay lock (publishing), 0 on the others",
        ['service', 'instance'],
        () => Promise.resolve([{ labels, value: relay.status().publishing ? 1 : 0 }]),
      ),
    );
  }

  /**
   * What this service published (or will publish) for a stored event, as content digests: the
   * relay's own mapping, so analytics' history can be checked against the verified chain.
   */
  integrationDigests(stored: StoredEvent): { type: string; digest: string }[] {
    const source = `/complaints/${this.config.service}`;
    return this.mappers.flatMap((map) =>
      map(stored).flatMap((integration) => {
        try {
          // What consumers store is the event as its contract parses it.
          const event = parseIntegrationEvent(toEnvelope(stored, source, integration));
          return [{ type: event.type, digest: contentDigest(event) }];
        } catch {
          return []; // dead-lettered: never reached a consumer
        }
      }),
    );
  }

  private async readBacklog(): Promise<{ backlog: number; oldest: number | null }> {
    const { rows } = await this.db.query<{ backlog: number; oldest: number | null }>(
      `SELECT count(*)::int AS backlog, extract(epoch FROM now() - min(e.recorded_at))::float8 AS oldest
         FROM events e LEFT JOIN outbox_checkpoints c ON c.name = $1
        WHERE c.name IS NULL OR (e.transaction_id, e.global_position) > (c.transaction_id, c.global_position)`,
      [this.config.service],
    );
    return rows[0] ?? { backlog: 0, oldest: null };
  }

  /** The relays' state, for readiness. */
  relayStatus(): RelayStatus[] {
    return this.relays.map((r) => r.status());
  }

  private observeOutbox(): void {
    const service = this.config.service;
    // One query serves both gauges of a scrape.
    let last: { at: number; read: Promise<{ backlog: number; oldest: number | null }> } | undefined;
    const backlog = () => {
      if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), read: this.readBacklog() };
      return last.read;
    };
    this.unobserve.push(
      observeOnScrape(
        'complaints_outbox_backlog',
        'Stored events the outbox relay has not published yet',
        ['service'],
        async () => [{ labels: { service }, value: (await backlog()).backlog }],
      ),
      observeOnScrape(
        'complaints_outbox_oldest_unpublished_age_seconds',
        'Age of the oldest stored event not yet published (0 when none is waiting)',
        ['service'],
        async () => [{ labels: { service }, value: (await backlog()).oldest ?? 0 }],
      ),
    );
  }

  /**
   * Consumes integration events idempotently; the group is the service's name. What the transport
   * fetched is applied in one transaction: by `handleBatch` when the service has a faster way to
   * apply many events, else by `handle` for each event in order. A batch that fails is applied
   * again message by message (consumer.ts), so one bad event never holds back the others.
   */
  async consume(topics: TopicName[], handle: EventHandler, handleBatch: BatchHandler = inOrder(handle)): Promise<void> {
    const names = topics.map((t) => this.topic(t));
    const group = prefixed(this.config.topicPrefix, this.config.service);
    await this.transport.ensureTopics(names);
    this.subscriptions.push(
      await startConsumer({
        transport: this.transport,
        db: this.db,
        groupId: group,
        topics: names,
        handle,
        handleBatch,
        logger: this.logger,
      }),
    );
    this.unobserve.push(
      observeOnScrape(
        'complaints_consumer_lag',
        'Messages published and not yet committed, per consumer group, topic and partition',
        ['service', 'group', 'topic', 'partition'],
        async () =>
          (await this.transport.lag(group, names)).map((l) => ({
            labels: { service: this.config.service, group, topic: l.topic, partition: l.partition },
            value: l.lag,
          })),
      ),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    for (const stop of this.unobserve) stop();
    await Promise.all(this.subscriptions.map((s) => s.stop().catch(() => undefined)));
    await Promise.all(this.relays.map((r) => r.stop()));
    await this.transport.close().catch(() => undefined);
    await this.db.close();
    await this.vault.close();
  }
}
