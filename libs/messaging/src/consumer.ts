/**
 * Idempotent consumption of integration events, the same over every transport:
 * 1. the message is checked against its contract — a message that fails goes to the dead-letter
 *    topic at once, with the reason, and the consumer moves on;
 * 2. in one database transaction the event id is recorded in the inbox and the handler's effect is
 *    written — a redelivered event finds its id and changes nothing;
 * 3. a failing handler is retried with backoff a bounded number of times, then dead-lettered.
 * A consumer that can apply many events at once (`handleBatch`) gets what the transport fetched
 * in one transaction, and falls back to the steps above for a batch that fails.
 * The transport commits the position only after this function resolves.
 */
import {
  ContractViolation,
  deadLetterTopic,
  parseIntegrationEvent,
  type IntegrationEvent,
} from '@complaints/contracts';
import type { Database, SqlClient } from '@complaints/eventstore';
import { sleep, type IncomingMessage, type Subscription, type Transport } from './transport';

export type EventHandler = (event: IntegrationEvent, tx: SqlClient) => Promise<void>;
/** Handles many events in one transaction; their order per key is kept. */
export type BatchHandler = (events: IntegrationEvent[], tx: SqlClient) => Promise<void>;

export interface ConsumerOptions {
  transport: Transport;
  db: Database;
  groupId: string;
  topics: string[];
  handle: EventHandler;
  /**
   * Optional: what the transport fetched is applied in one transaction through this (an
   * idempotent projection, say); a batch that fails is handled again message by message.
   */
  handleBatch?: BatchHandler;
  maxAttempts?: number;
  backoffMs?: number;
  logger?: Pick<Console, 'warn' | 'error'>;
  /** Test seam for crash tests: called after the effect committed, before the position is. */
  afterCommit?: (event: IntegrationEvent) => Promise<void> | void;
}

/** Records the event in the inbox; false when this consumer already processed it. */
export async function recordInInbox(tx: SqlClient, consumer: string, eventId: string): Promise<boolean> {
  const { rowCount } = await tx.query('INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    consumer,
    eventId,
  ]);
  return rowCount === 1;
}

/** Records many events in the inbox; returns the ids this consumer had not processed yet. */
export async function recordAllInInbox(tx: SqlClient, consumer: string, eventIds: string[]): Promise<Set<string>> {
  const { rows } = await tx.query<{ event_id: string }>(
    `INSERT INTO inbox (consumer, event_id) SELECT $1, unnest($2::uuid[])
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [consumer, eventIds],
  );
  return new Set(rows.map((r) => r.event_id));
}

export async function startConsumer(options: ConsumerOptions): Promise<Subscription> {
  const maxAttempts = options.maxAttempts ?? 5;
  const backoffMs = options.backoffMs ?? 200;
  const logger = options.logger ?? console;

  const deadLetter = async (message: IncomingMessage, reason: string, attempts: number) => {
    logger.warn(`[${options.groupId}] dead-lettering ${message.topic}@${message.offset}: ${reason}`);
    await options.transport.publish([
      {
        topic: deadLetterTopic(message.topic),
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          'dlt-reason': reason.slice(0, 4000),
          'dlt-original-topic': message.topic,
          'dlt-original-partition': String(message.partition),
          'dlt-original-offset': message.offset,
          'dlt-consumer-group': options.groupId,
          'dlt-attempts': String(attempts),
          'dlt-failed-at': new Date().toISOString(),
        },
      },
    ]);
  };

  /** The contract check: a message that fails it is dead-lettered at once and yields nothing. */
  const parse = async (message: IncomingMessage): Promise<IntegrationEvent | undefined> => {
    try {
      return parseIntegrationEvent(JSON.parse(message.value));
    } catch (error) {
      const reason =
        error instanceof ContractViolation ? error.message : `Unparseable message: ${(error as Error).message}`;
      await deadLetter(message, reason, 0);
      return undefined;
    }
  };

  const handleOne = async (message: IncomingMessage, event: IntegrationEvent): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await options.db.transaction(async (tx) => {
          if (await recordInInbox(tx, options.groupId, event.id)) await options.handle(event, tx);
        });
        await options.afterCommit?.(event);
        return;
      } catch (error) {
        const reason = `${(error as Error).name}: ${(error as Error).message}`;
        if (attempt >= maxAttempts) {
          await deadLetter(message, reason, attempt);
          return;
        }
        logger.warn(`[${options.groupId}] ${event.type} ${event.id} failed (attempt ${attempt}): ${reason}`);
        await sleep(backoffMs * 2 ** (attempt - 1));
      }
    }
  };

  /** All in one transaction; if that fails, message by message, so only a faulty one is retried and dead-lettered. */
  const handleBatch = async (messages: IncomingMessage[], handleMany: BatchHandler): Promise<void> => {
    const parsed: { message: IncomingMessage; event: IntegrationEvent }[] = [];
    for (const message of messages) {
      const event = await parse(message);
      if (event) parsed.push({ message, event });
    }
    if (parsed.length === 0) return;
    try {
      await options.db.transaction(async (tx) => {
        const fresh = await recordAllInInbox(
          tx,
          options.groupId,
          parsed.map((p) => p.event.id),
        );
        const events = parsed.map((p) => p.event).filter((e) => fresh.delete(e.id));
        if (events.length > 0) await handleMany(events, tx);
      });
    } catch (error) {
      logger.warn(
        `[${options.groupId}] a batch of ${parsed.length} failed (${(error as Error).message}); handling it message by message`,
      );
      for (const { message, event } of parsed) await handleOne(message, event);
      return;
    }
    for (const { event } of parsed) await options.afterCommit?.(event);
  };

  const handleMany = options.handleBatch;
  return options.transport.subscribe({
    groupId: options.groupId,
    topics: options.topics,
    onMessage: async (message) => {
      const event = await parse(message);
      if (event) await handleOne(message, event);
    },
    ...(handleMany ? { onBatch: (messages: IncomingMessage[]) => handleBatch(messages, handleMany) } : {}),
  });
}
