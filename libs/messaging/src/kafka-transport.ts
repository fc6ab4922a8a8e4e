/**
 * Kafka adapter (kafkajs). Idempotent producer with acks=all; consumers commit an offset only
 * after the handler (and so its database transaction) finished.
 */
import { Kafka, logLevel, Partitioners, type Consumer, type EachMessagePayload, type Producer } from 'kafkajs';
import { deadLetterTopic } from '@complaints/contracts';
import { sleep, type OutgoingMessage, type SubscribeOptions, type Subscription, type Transport } from './transport';

export interface KafkaTransportOptions {
  brokers: string[];
  clientId: string;
  partitions?: number;
  replicationFactor?: number;
  /** How long the group waits for a silent member before handing its partitions to others. */
  sessionTimeout?: number;
}

export class KafkaTransport implements Transport {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private readonly consumers = new Set<Consumer>();

  constructor(private readonly options: KafkaTransportOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      retry: { retries: 8, initialRetryTime: 200 },
    });
  }

  /**
   * Creates missing topics (and their dead-letter topics) and waits until the broker serves them.
   * Several services start at once and race to create the same topics: "already exists" and
   * "not hosted yet" are expected on a fresh broker and are retried, not fatal.
   */
  async ensureTopics(topics: string[]): Promise<void> {
    const all = [...new Set(topics.flatMap((t) => [t, deadLetterTopic(t)]))];
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const existing = new Set(await admin.listTopics());
          const missing = all.filter((t) => !existing.has(t));
          if (missing.length > 0) {
            await admin.createTopics({
              waitForLeaders: true,
              topics: missing.map((topic) => ({
                topic,
                numPartitions: this.options.partitions ?? 6,
                replicationFactor: this.options.replicationFactor ?? 1,
                // The topics are the shared history: projections are rebuilt from their beginning.
                configEntries: [{ name: 'retention.ms', value: '-1' }],
              })),
            });
          }
          await admin.fetchTopicMetadata({ topics: all });
          return;
        } catch (error) {
          if (attempt >= 10) throw error;
          await sleep(250 * attempt);
        }
      }
    } finally {
      await admin.disconnect();
    }
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        // An idempotent producer keeps retrying: a publish waits for the broker rather than fail
        // (the outbox keeps the event either way).
        retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000 },
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.connectedProducer();
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, batch]) => ({
        topic,
        messages: batch.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
      })),
    });
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.options.sessionTimeout ?? 15000,
      heartbeatInterval: 1000,
      retry: { retries: 10 },
    });
    this.consumers.add(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: true });
    // Stopping: messages already being handled finish and commit their offsets while the consumer
    // still runs; messages after that are left for the next owner of the partition.
    let stopping = false;
    const inFlight = new Set<Promise<void>>();
    const handle = async ({ topic, partition, message }: EachMessagePayload) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value.toString();
      }
      await options.onMessage({
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? '',
        value: message.value?.toString() ?? '',
        headers,
      });
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
    };
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 3,
      eachMessage: async (payload) => {
        if (stopping) return;
        const work = handle(payload);
        inFlight.add(work);
        try {
          await work;
        } catch (error) {
          // A handler given up because the consumer is stopping: its offset stays uncommitted.
          if (!stopping) throw error;
        } finally {
          inFlight.delete(work);
        }
      },
    });
    return {
      stop: async () => {
        stopping = true;
        await Promise.allSettled([...inFlight]);
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    await this.producer?.disconnect();
    this.producer = undefined;
  }
}
