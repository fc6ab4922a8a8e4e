/**
 * Idempotent consumption of integration events, the same over every transport:
 * 1. the message is checked against its contract — a message that fails goes to the dead-letter
 *    topic at once, with the reason, and the consumer moves on;
 * 2. in one database transaction the event id is recorded in the inbox and the handler's effect is
 *    written — a redelivered event finds its id and changes nothing;
 * 3. a failing handler is retried with backoff a bounded number of times, then dead-lettered.
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

export interface ConsumerOptions {
  transport: Transport;
  db: Database;
  groupId: string;
  topics: string[];
  handle: EventHandler;
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

  return options.transport.subscribe({
    groupId: options.groupId,
    topics: options.topics,
    onMessage: async (message) => {
      let event: IntegrationEvent;
      try {
        event = parseIntegrationEvent(JSON.parse(message.value));
      } catch (error) {
        const reason =
          error instanceof ContractViolation ? error.message : `Unparseable message: ${(error as Error).message}`;
        await deadLetter(message, reason, 0);
        return;
      }
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
    },
  });
}
