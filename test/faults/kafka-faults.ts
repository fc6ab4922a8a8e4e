/**
 * What the fault suite does to and reads from Kafka directly: a test-only producer that delivers
 * every message a second time, poison messages, the dead-letter topics, and consumer lag.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { deadLetterTopic } from '@complaints/contracts';
import { KafkaTransport, type IncomingMessage } from '@complaints/messaging';
import { receivedEnvelope } from '../fixtures/events';
import { CONSUMERS, TOPICS, type Platform, type Topic } from './platform';

const DUPLICATE_HEADER = 'faults-duplicate';
export const POISON_HEADER = 'faults-poison-id';

const kafkaOf = (platform: Platform, clientId: string) =>
  new Kafka({ clientId, brokers: platform.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });

/**
 * Reads every message of the platform's topics and publishes it again, unchanged (same key, value
 * and headers, plus a marker so that it is not copied twice): consumers see each message twice.
 */
export class Duplicator {
  duplicated = 0;
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;

  constructor(private readonly platform: Platform) {}

  async start(): Promise<void> {
    const kafka = kafkaOf(this.platform, 'faults-duplicator');
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
    this.consumer = kafka.consumer({ groupId: `${this.platform.topicPrefix}-duplicator-${randomUUID()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: TOPICS.map((t) => this.platform.topic(t)), fromBeginning: false });
    const joined = new Promise<void>((resolve) => this.consumer!.on(this.consumer!.events.GROUP_JOIN, () => resolve()));
    const producer = this.producer;
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (message.headers?.[DUPLICATE_HEADER]) return;
        await producer.send({
          topic,
          acks: -1,
          messages: [
            { key: message.key, value: message.value, headers: { ...message.headers, [DUPLICATE_HEADER]: '1' } },
          ],
        });
        this.duplicated++;
      },
    });
    await joined;
    // The group starts at the end of each partition as it joins: wait until its positions are taken.
    await new Promise((r) => setTimeout(r, 2000));
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    await this.producer?.disconnect();
  }
}

export interface PoisonMessage {
  id: string;
  topic: Topic;
  kind: string;
  value: string;
}

/** Four kinds per topic: not JSON, not an envelope, a payload its schema refuses, an unknown version. */
export function poisonMessages(): PoisonMessage[] {
  return TOPICS.flatMap((topic) => {
    const complaintId = randomUUID();
    const valid = receivedEnvelope(complaintId);
    const kinds: Record<string, string> = {
      'bad JSON': '{"specversion": "1.0", "type": complaint.received.v1',
      'not an envelope': JSON.stringify({ hello: 'world', complaintId }),
      'wrong schema': JSON.stringify({ ...valid, data: { complaintId, channel: 'carrier-pigeon' } }),
      'unknown event version': JSON.stringify({ ...valid, type: 'complaint.received.v9' }),
    };
    return Object.entries(kinds).map(([kind, value]) => ({ id: randomUUID(), topic, kind, value }));
  });
}

export async function publishPoison(platform: Platform, messages: PoisonMessage[]): Promise<void> {
  const producer = kafkaOf(platform, 'faults-poisoner').producer();
  await producer.connect();
  try {
    for (const message of messages) {
      await producer.send({
        topic: platform.topic(message.topic),
        acks: -1,
        messages: [{ key: message.id, value: message.value, headers: { [POISON_HEADER]: message.id } }],
      });
    }
  } finally {
    await producer.disconnect();
  }
}

export const deadLetterTopics = (platform: Platform) => TOPICS.map((t) => deadLetterTopic(platform.topic(t)));

/** Every message in the platform's dead-letter topics so far. */
export async function readDeadLetters(platform: Platform): Promise<IncomingMessage[]> {
  const transport = new KafkaTransport({ brokers: platform.kafkaBrokers.split(','), clientId: 'faults-dlt-reader' });
  try {
    const reader = await transport.history(deadLetterTopics(platform));
    const messages: IncomingMessage[] = [];
    await reader.read(async (batch) => {
      messages.push(...batch);
    });
    return messages;
  } finally {
    await transport.close();
  }
}

/** How many messages the dead-letter topics hold (sum of their partitions' end offsets). */
export async function deadLetterCount(platform: Platform): Promise<number> {
  const admin = kafkaOf(platform, 'faults-dlt-count').admin();
  await admin.connect();
  try {
    let total = 0;
    for (const topic of deadLetterTopics(platform)) {
      for (const { high, low } of await admin.fetchTopicOffsets(topic)) total += Number(high) - Number(low);
    }
    return total;
  } finally {
    await admin.disconnect();
  }
}

export interface PartitionProgress {
  /** group/topic/partition entries whose committed position reached the partition's end. */
  caughtUp: number;
  total: number;
  behind: string[];
}

/** Per consumer group and partition of what it reads: has its committed offset reached the end? */
export async function partitionProgress(platform: Platform): Promise<PartitionProgress> {
  const admin = kafkaOf(platform, 'faults-lag').admin();
  await admin.connect();
  try {
    const progress: PartitionProgress = { caughtUp: 0, total: 0, behind: [] };
    for (const topic of TOPICS) {
      const name = platform.topic(topic);
      const ends = new Map((await admin.fetchTopicOffsets(name)).map((p) => [p.partition, Number(p.high)]));
      for (const service of CONSUMERS[topic]) {
        const [committed] = await admin.fetchOffsets({ groupId: platform.group(service), topics: [name] });
        for (const { partition, offset } of committed?.partitions ?? []) {
          const end = ends.get(partition) ?? 0;
          const at = Math.max(Number(offset), 0);
          progress.total++;
          if (at >= end) progress.caughtUp++;
          else progress.behind.push(`${service} ${topic}/${partition}: ${at} of ${end}`);
        }
      }
    }
    return progress;
  } finally {
    await admin.disconnect();
  }
}
