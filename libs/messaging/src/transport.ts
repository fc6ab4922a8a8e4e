/**
 * The event-bus port. Two adapters implement it: Kafka (distributed) and PostgreSQL (embedded).
 * Both promise the same: per-key order, at-least-once delivery, and a consumer position that
 * advances only after `onMessage` resolved.
 */
export interface OutgoingMessage {
  topic: string;
  /** The complaint id: every message with one key keeps its order. */
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface IncomingMessage extends OutgoingMessage {
  partition: number;
  offset: string;
}

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /** Resolves when the message is fully handled; only then is the position committed. */
  onMessage: (message: IncomingMessage) => Promise<void>;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface Transport {
  readonly kind: 'kafka' | 'embedded';
  /** Creates the topics (and their dead-letter topics) if the transport needs that. */
  ensureTopics(topics: string[]): Promise<void>;
  /** Resolves once every message is durably stored by the broker. */
  publish(messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
