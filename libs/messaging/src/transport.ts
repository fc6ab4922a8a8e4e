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
  /** When the bus stored it (ms since the epoch), where the transport knows. */
  publishedAt?: number;
}

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /** Resolves when the message is fully handled; only then is the position committed. */
  onMessage: (message: IncomingMessage) => Promise<void>;
  /**
   * When given, the transport hands over what it fetched (one partition's messages, in order) at
   * once instead of calling `onMessage`; the positions are committed after it resolved.
   */
  onBatch?: (messages: IncomingMessage[]) => Promise<void>;
  /**
   * The group belongs to this subscription alone (an instance's own group, e.g. its policy copy's):
   * it is deleted when the subscription stops or the transport closes, rather than left behind at
   * every restart. A process killed outright leaves it (Kafka expires it after the offsets retention).
   */
  ephemeral?: boolean;
}

export interface Subscription {
  stop(): Promise<void>;
}

/**
 * Every message of some topics from their beginning up to where they ended when it was opened,
 * for rebuilding projections. Per-key order is kept; messages published later are not read.
 */
export interface HistoryReader {
  /** How many messages the read will deliver (for progress). */
  readonly total: number;
  /** Delivers the messages batch by batch; the next batch waits until `onBatch` resolved. */
  read(onBatch: (messages: IncomingMessage[]) => Promise<void>): Promise<void>;
}

/** How far a consumer group is behind on one partition (the embedded bus has one: 0). */
export interface PartitionLag {
  topic: string;
  partition: number;
  /** Messages published and not yet committed by the group. */
  lag: number;
}

export interface Transport {
  readonly kind: 'kafka' | 'embedded';
  /** Creates the topics (and their dead-letter topics) if the transport needs that. */
  ensureTopics(topics: string[]): Promise<void>;
  /** Resolves once every message is durably stored by the broker. */
  publish(messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Opens the topics' history as it stands now: nothing is committed, no consumer group kept. */
  history(topics: string[]): Promise<HistoryReader>;
  /** Resolves when the bus answers (readiness); rejects naming what is wrong. */
  ping(): Promise<void>;
  /** The group's lag per topic and partition (metrics). */
  lag(groupId: string, topics: string[]): Promise<PartitionLag[]>;
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * An idle poll loop's wake-up: `wait(ms)` ends after `ms`, or at once when `wake()` is called
 * meanwhile or was called since the last `reset()` (so a wake during a read that came back empty
 * is not lost). In-process only: writers in other processes are seen at the next poll.
 */
export class Wakeup {
  private pending = false;
  private endWait: (() => void) | undefined;

  wake(): void {
    this.pending = true;
    this.endWait?.();
  }

  /** Call before reading: only wakes from here on end the next wait. */
  reset(): void {
    this.pending = false;
  }

  /** Resolves true when woken, false when `ms` passed. */
  wait(ms: number): Promise<boolean> {
    if (this.pending) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (woken: boolean) => {
        clearTimeout(timer);
        this.endWait = undefined;
        resolve(woken);
      };
      const timer = setTimeout(() => done(false), ms);
      this.endWait = () => done(true);
    });
  }
}
