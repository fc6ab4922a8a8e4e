/**
 * Kafka adapter (kafkajs). Idempotent producer with acks=all; consumers commit an offset only
 * after the handler (and so its database transaction) finished.
 */
import { randomUUID } from 'node:crypto';
import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type KafkaMessage,
  type logCreator,
  type Producer,
} from 'kafkajs';
import { deadLetterTopic, isAttributeHeader, REPEATED_HEADER_SEPARATOR } from '@complaints/contracts';
import {
  sleep,
  type HistoryReader,
  type IncomingMessage,
  type OutgoingMessage,
  type PartitionLag,
  type SubscribeOptions,
  type Subscription,
  type Transport,
} from './transport';

/** The most messages handed to `onBatch` at once (one consumer transaction). */
const MAX_BATCH = 100;
/** Defaults of a consumer's session (KAFKA_SESSION_TIMEOUT_MS, KAFKA_HEARTBEAT_INTERVAL_MS in a service). */
const SESSION_TIMEOUT_MS = 15_000;
const HEARTBEAT_MS = 1000;

function incoming(topic: string, partition: number, message: KafkaMessage): IncomingMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    // A CloudEvents attribute sent twice is ambiguous (tools differ on which copy wins): kept
    // joined by a separator no attribute holds, so the contract refuses it instead of one copy winning.
    const separator = isAttributeHeader(name) ? REPEATED_HEADER_SEPARATOR : ',';
    headers[name] = Array.isArray(value) ? value.join(separator) : value.toString();
  }
  return {
    topic,
    partition,
    offset: message.offset,
    publishedAt: Number(message.timestamp),
    key: message.key?.toString() ?? '',
    value: message.value?.toString() ?? '',
    headers,
  };
}

/**
 * Runs `request` again while the broker answers with a retriable protocol error. kafkajs's
 * `admin.fetchTopicOffsets` gives up at once on "not the leader for that topic-partition" and
 * "leader not available" (it retries only an unknown topic), which a topic created moments before
 * answers until its partitions are hosted: a history read then failed on a healthy broker.
 */
export async function untilLeadersServe<T>(
  request: () => Promise<T>,
  { attempts = 12, firstWaitMs = 100, maxWaitMs = 2000 } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      const retriable = (error as { retriable?: unknown }).retriable === true;
      if (!retriable || attempt >= attempts) throw error;
      await sleep(Math.min(maxWaitMs, firstWaitMs * 2 ** (attempt - 1)));
    }
  }
}

/** Where kafkajs's own log lines go: the service's logger (a Nest `Logger`, pino in a service). */
export interface TransportLog {
  error(fields: Record<string, unknown>): void;
  warn(fields: Record<string, unknown>): void;
  log(fields: Record<string, unknown>): void;
  debug(fields: Record<string, unknown>): void;
}

/**
 * What kafkajs says, at ERROR or WARN, while a group rebalances: a member joined or left (a
 * deploy, a scale-out, a restart), so the others rejoin and their heartbeats and commits are
 * refused meanwhile. Routine, so logged at info; a member that cannot rejoin still fails loudly.
 */
const REBALANCE =
  /rebalanc|re-joining|rejoin|not aware of this member|generation id is not valid|member id before actually entering/i;

export function isRoutineRebalance(fields: Record<string, unknown>): boolean {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return REBALANCE.test(`${text(fields.message)}\n${text(fields.error)}`);
}

/**
 * kafkajs prints JSON of its own to the console; this hands each line to `log` instead, as
 * fields (message, kafkajs namespace, broker, error…), so it carries the service's level,
 * format and context. kafkajs's timestamp and logger name are dropped: the logger adds its own.
 */
export function kafkaLogCreator(log: TransportLog): logCreator {
  return () =>
    ({ namespace, level, log: entry }) => {
      const { timestamp: _timestamp, logger: _logger, ...fields } = entry as typeof entry & { logger?: string };
      const line = { ...fields, namespace };
      if ((level === logLevel.ERROR || level === logLevel.WARN) && isRoutineRebalance(line)) log.log(line);
      else if (level === logLevel.ERROR || level === logLevel.NOTHING) log.error(line);
      else if (level === logLevel.WARN) log.warn(line);
      else if (level === logLevel.INFO) log.log(line);
      else log.debug(line);
    };
}

export interface KafkaTransportOptions {
  brokers: string[];
  clientId: string;
  partitions?: number;
  replicationFactor?: number;
  /** How long the group waits for a silent member before handing its partitions to others. */
  sessionTimeout?: number;
  /** How often a member, busy with a handler or not, tells the group it is alive. */
  heartbeatInterval?: number;
  /** kafkajs's log lines; without it kafkajs prints its own JSON to the console. */
  log?: TransportLog;
  /** How often a failed broker request is tried again (default 8). */
  retries?: number;
}

export class KafkaTransport implements Transport {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private readonly consumers = new Set<Consumer>();
  /** The groups of ephemeral subscriptions still open, by their consumer: deleted when it stops. */
  private readonly ephemeralGroups = new Map<Consumer, string>();
  /** Kept connected for readiness and lag, which are asked every few seconds. */
  private probe: Promise<Admin> | undefined;

  constructor(private readonly options: KafkaTransportOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      ...(options.log ? { logCreator: kafkaLogCreator(options.log) } : {}),
      retry: { retries: options.retries ?? 8, initialRetryTime: 200 },
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
    const heartbeatMs = this.options.heartbeatInterval ?? HEARTBEAT_MS;
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: this.options.sessionTimeout ?? SESSION_TIMEOUT_MS,
      heartbeatInterval: heartbeatMs,
      retry: { retries: 10 },
      // How long the broker holds a fetch on an idle topic. Stopping waits for the fetch in flight, so
      // kafkajs's 5 s made every idle subscription (an instance's policy copy) add up to 5 s to a
      // graceful shutdown, which must end within SHUTDOWN_LIMIT_MS; new messages still come at once.
      maxWaitTimeInMs: 1000,
    });
    this.consumers.add(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: true });
    // Only a handled message's offset is resolved, and kafkajs commits resolved offsets after each
    // fetched batch (or every second within a long one): at least once, without a broker round trip
    // per message. Stopping: what is being handled finishes and is committed while the consumer
    // still runs; messages after that stay unresolved for the next owner of the partition.
    let stopping = false;
    const inFlight = new Set<Promise<void>>();
    // Heartbeats go on while a handler works (a slow slice, a message waiting out an outage): the
    // group must not take the partition from a member that is busy, not gone.
    const track = async (work: Promise<void>, heartbeat: () => Promise<void>) => {
      inFlight.add(work);
      const alive = setInterval(() => void heartbeat().catch(() => undefined), heartbeatMs);
      try {
        await work;
      } finally {
        clearInterval(alive);
        inFlight.delete(work);
      }
    };
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: async (payload) => {
        const { batch } = payload;
        const messages = batch.messages.map((m) => incoming(batch.topic, batch.partition, m));
        try {
          if (options.onBatch) {
            // A fetch can hold a thousand messages: applied in slices, each its own transaction, so a
            // transaction of handlers that each take milliseconds stays well under a second.
            for (let start = 0; start < messages.length; start += MAX_BATCH) {
              if (stopping || !payload.isRunning() || payload.isStale()) return;
              const slice = messages.slice(start, start + MAX_BATCH);
              await track(options.onBatch(slice), () => payload.heartbeat());
              payload.resolveOffset(slice.at(-1)!.offset);
              await payload.heartbeat();
            }
            return;
          }
          for (const message of messages) {
            if (stopping || !payload.isRunning() || payload.isStale()) return;
            await track(options.onMessage(message), () => payload.heartbeat());
            payload.resolveOffset(message.offset);
            await payload.heartbeat();
          }
        } catch (error) {
          // A handler given up because the consumer is stopping: its offset stays unresolved.
          if (!stopping) throw error;
        }
      },
    });
    if (options.ephemeral) this.ephemeralGroups.set(consumer, options.groupId);
    return {
      stop: async () => {
        stopping = true;
        await Promise.allSettled([...inFlight]);
        this.consumers.delete(consumer);
        await consumer.disconnect();
        await this.deleteEphemeralGroup(consumer);
      },
    };
  }

  /** Deletes the group of an ephemeral subscription once its consumer left it (a failure is only logged). */
  private async deleteEphemeralGroup(consumer: Consumer): Promise<void> {
    const groupId = this.ephemeralGroups.get(consumer);
    if (groupId === undefined) return;
    this.ephemeralGroups.delete(consumer);
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([groupId]);
    } catch (error) {
      this.options.log?.warn({
        message: `could not delete the ephemeral consumer group ${groupId}`,
        error: String(error),
      });
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /**
   * Reads each partition from its low watermark to the high watermark it had when opened, with a
   * throwaway consumer group that commits nothing and is deleted afterwards.
   */
  async history(topics: string[]): Promise<HistoryReader> {
    const admin = this.kafka.admin();
    await admin.connect();
    const ends = new Map<string, bigint>();
    let total = 0n;
    try {
      for (const topic of topics) {
        for (const { partition, high, low } of await untilLeadersServe(() => admin.fetchTopicOffsets(topic))) {
          if (BigInt(high) > BigInt(low)) ends.set(`${topic}/${partition}`, BigInt(high));
          total += BigInt(high) - BigInt(low);
        }
      }
    } finally {
      await admin.disconnect();
    }
    return { total: Number(total), read: (onBatch) => this.readUntil(topics, ends, onBatch) };
  }

  private async readUntil(
    topics: string[],
    ends: Map<string, bigint>,
    onBatch: (messages: IncomingMessage[]) => Promise<void>,
  ): Promise<void> {
    if (ends.size === 0) return;
    const groupId = `${this.options.clientId}-history-${randomUUID()}`;
    // Modest fetches: kafkajs decodes a whole fetch at once, and while it does, the reader's thread
    // sends nothing else (a rebuild's COPY stalls); the reader keeps slices of the last fetch in
    // hand while the next one is on its way, so more fetches cost no waiting.
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: 30000,
      heartbeatInterval: 1000,
      maxBytesPerPartition: 1024 * 1024,
      maxBytes: 4 * 1024 * 1024,
    });
    let finish: (error?: Error) => void = () => undefined;
    const finished = new Promise<void>((resolve, reject) => {
      finish = (error) => (error === undefined ? resolve() : reject(error));
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const part = `${batch.topic}/${batch.partition}`;
          const end = ends.get(part);
          if (end === undefined) return;
          const messages = batch.messages
            .filter((m) => BigInt(m.offset) < end)
            .map((m) => incoming(batch.topic, batch.partition, m));
          try {
            if (messages.length > 0) await onBatch(messages);
          } catch (error) {
            finish(error instanceof Error ? error : new Error(String(error)));
            throw error;
          }
          await payload.heartbeat();
          const last = messages.at(-1);
          if (last && BigInt(last.offset) >= end - 1n) {
            ends.delete(part);
            if (ends.size === 0) finish();
          }
        },
      });
      await finished;
    } finally {
      await consumer.disconnect();
      const admin = this.kafka.admin();
      await admin.connect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
  }

  private probeAdmin(): Promise<Admin> {
    this.probe ??= (async () => {
      // Few retries: a probe must answer within its timeout, not wait out an outage.
      const admin = this.kafka.admin({ retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 1000 } });
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.probe = undefined;
      throw error;
    });
    return this.probe;
  }

  /** Runs a probe; on failure the admin client is dropped, so the next probe connects afresh. */
  private async probing<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const probe = this.probeAdmin();
    try {
      return await work(await probe);
    } catch (error) {
      if (this.probe === probe) this.probe = undefined;
      await probe.then((admin) => admin.disconnect()).catch(() => undefined);
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.probing(async (admin) => {
      const { brokers } = await admin.describeCluster();
      if (brokers.length === 0) throw new Error('the cluster reports no brokers');
    });
  }

  lag(groupId: string, topics: string[]): Promise<PartitionLag[]> {
    return this.probing((admin) => this.lagOf(admin, groupId, topics));
  }

  private async lagOf(admin: Admin, groupId: string, topics: string[]): Promise<PartitionLag[]> {
    const committed = await admin.fetchOffsets({ groupId, topics });
    const lags: PartitionLag[] = [];
    for (const { topic, partitions } of committed) {
      const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p]));
      for (const { partition, offset } of partitions) {
        const end = ends.get(partition);
        if (!end) continue;
        // No committed offset yet (-1): everything still in the partition is ahead of the group.
        const from = BigInt(offset) >= 0n ? BigInt(offset) : BigInt(end.low);
        lags.push({ topic, partition, lag: Number(BigInt(end.high) - from) });
      }
    }
    return lags;
  }

  async close(): Promise<void> {
    const probe = this.probe;
    this.probe = undefined;
    await probe?.then((admin) => admin.disconnect()).catch(() => undefined);
    await Promise.all(
      [...this.consumers].map(async (c) => {
        await c.disconnect();
        await this.deleteEphemeralGroup(c);
      }),
    );
    this.consumers.clear();
    await this.producer?.disconnect();
    this.producer = undefined;
  }
}
