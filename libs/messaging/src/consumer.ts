/**
 * Idempotent consumption of integration events, the same over every transport:
 * 1. the message is checked against its contract — a message that fails goes to the dead-letter
 *    topic at once, with the reason, and the consumer moves on;
 * 2. in one database transaction the event id is recorded in the inbox and the handler's effect is
 *    written — a redelivered event finds its id and changes nothing;
 * 3. a handler failing for the message's own sake (a domain refusal, a bad value, a bug) is retried
 *    with backoff a bounded number of times, then dead-lettered;
 * 4. a handler failing because infrastructure is down (the database unreachable, a connection
 *    dropped, a deadlock) is retried without limit, with backoff capped at maxBackoffMs: an outage
 *    holds the partition until it ends, and dead-letters nothing.
 * A consumer that can apply many events at once (`handleBatch`) gets what the transport fetched
 * in one transaction, and falls back to the steps above for a batch that fails.
 * The transport commits the position only after this function resolves; a consumer stopped while
 * waiting out an outage leaves the message uncommitted, for whoever consumes the partition next.
 */
import {
  ContractViolation,
  deadLetterTopic,
  envelopeOfMessage,
  parseIntegrationEvent,
  type IntegrationEvent,
} from '@complaints/contracts';
import type { Database, SqlClient } from '@complaints/eventstore';
import { setTimeout as sleep } from 'node:timers/promises';
import { busMetrics, inSpan, SpanKind, startSpan, traceContextOf, withSpan, type Span } from './telemetry';
import { DEAD_LETTER_HEADERS } from './dead-letter-headers';
import type { IncomingMessage, Subscription, Transport } from './transport';

export type EventHandler = (event: IntegrationEvent, tx: SqlClient) => Promise<void>;
/**
 * Handles many events in one transaction; their order per key is kept. `inTraceOf` runs work as
 * part of one event's trace (its consumer span active), for a handler that stores per-event effects.
 */
export type BatchHandler = (
  events: IntegrationEvent[],
  tx: SqlClient,
  inTraceOf: <T>(event: IntegrationEvent, work: () => Promise<T>) => Promise<T>,
) => Promise<void>;

/**
 * A batch handler from a one-event handler: the events in order, in the batch's one transaction
 * (one commit and one inbox statement for the lot, instead of one each).
 */
export const inOrder =
  (handle: EventHandler): BatchHandler =>
  async (events, tx, inTraceOf) => {
    for (const event of events) await inTraceOf(event, () => handle(event, tx));
  };

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
  /** Attempts for a message fault before it is dead-lettered (infrastructure faults: no limit). */
  maxAttempts?: number;
  backoffMs?: number;
  /** Longest wait between attempts while infrastructure is down. */
  maxBackoffMs?: number;
  logger?: Pick<Console, 'warn' | 'error'>;
  /** Test seam for crash tests: called after the effect committed, before the position is. */
  afterCommit?: (event: IntegrationEvent) => Promise<void> | void;
}

/** Node's codes for a network connection that failed or dropped. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** What node-postgres says when a connection ends under it or cannot be had in time. */
const CONNECTION_MESSAGES =
  /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed|not queryable/i;

/**
 * Whether an error says the infrastructure is unavailable rather than that the message is bad:
 * connection failures, PostgreSQL's connection exceptions (08), insufficient resources (53),
 * operator intervention such as a shutdown or restart (57P01-57P03), system errors (58), and
 * serialization failures and deadlocks (40001, 40P01), which succeed when tried again.
 */
export function isInfrastructureFailure(error: unknown): boolean {
  for (let cause = error, depth = 0; cause && depth < 5; depth++) {
    const { code, driverError, message } = cause as { code?: unknown; driverError?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (CONNECTION_CODES.has(code)) return true;
      if (/^(08|53|58)/.test(code) || ['57P01', '57P02', '57P03', '40001', '40P01'].includes(code)) return true;
    }
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
    cause = driverError ?? (cause as { cause?: unknown }).cause;
  }
  return false;
}

/** Thrown out of a handler's retries when the consumer is stopped: the message is not committed. */
export class ConsumerStopped extends Error {
  constructor(groupId: string) {
    super(`Consumer ${groupId} stopped while waiting for its infrastructure; the message will be delivered again`);
  }
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
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const logger = options.logger ?? console;
  const stopping = new AbortController();

  const deadLetter = async (message: IncomingMessage, reason: string, attempts: number) => {
    busMetrics.deadLettered.inc({
      group: options.groupId,
      topic: message.topic,
      reason: attempts ? 'handler' : 'contract',
    });
    busMetrics.consumed.inc({ group: options.groupId, topic: message.topic, outcome: 'dead_lettered' });
    logger.warn(`[${options.groupId}] dead-lettering ${message.topic}@${message.offset}: ${reason}`);
    await options.transport.publish([
      {
        topic: deadLetterTopic(message.topic),
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [DEAD_LETTER_HEADERS.reason]: reason.slice(0, 4000),
          [DEAD_LETTER_HEADERS.originalTopic]: message.topic,
          [DEAD_LETTER_HEADERS.originalPartition]: String(message.partition),
          [DEAD_LETTER_HEADERS.originalOffset]: message.offset,
          [DEAD_LETTER_HEADERS.consumerGroup]: options.groupId,
          [DEAD_LETTER_HEADERS.attempts]: String(attempts),
          [DEAD_LETTER_HEADERS.failedAt]: new Date().toISOString(),
        },
      },
    ]);
  };

  /** The contract check: a message that fails it is dead-lettered at once and yields nothing. */
  const parse = async (message: IncomingMessage): Promise<IntegrationEvent | undefined> => {
    try {
      return parseIntegrationEvent(envelopeOfMessage(message));
    } catch (error) {
      const reason =
        error instanceof ContractViolation ? error.message : `Unparseable message: ${(error as Error).message}`;
      await deadLetter(message, reason, 0);
      return undefined;
    }
  };

  /** The span of one message, continuing the trace its producer put in the headers. */
  const spanOptions = (message: IncomingMessage, event: IntegrationEvent) => ({
    kind: SpanKind.CONSUMER,
    parent: traceContextOf(message.headers),
    attributes: {
      'messaging.system': options.transport.kind,
      'messaging.operation.type': 'process',
      'messaging.destination.name': message.topic,
      'messaging.consumer.group.name': options.groupId,
      'messaging.destination.partition.id': String(message.partition),
      'complaints.event_type': event.type,
      'complaints.case_id': event.subject,
    },
  });
  const outcome = (message: IncomingMessage, fresh: boolean) => {
    busMetrics.consumed.inc({ group: options.groupId, topic: message.topic, outcome: fresh ? 'handled' : 'duplicate' });
    if (message.publishedAt !== undefined && Number.isFinite(message.publishedAt)) {
      const lag = Math.max(0, (Date.now() - message.publishedAt) / 1000);
      busMetrics.projectionLag.set({ group: options.groupId, topic: message.topic }, lag);
    }
  };

  const handleOne = (message: IncomingMessage, event: IntegrationEvent): Promise<void> =>
    inSpan(`process ${message.topic}`, spanOptions(message, event), async () => {
      const timer = busMetrics.handlingSeconds.startTimer({ group: options.groupId, topic: message.topic });
      try {
        await retryOne(message, event);
      } finally {
        timer();
      }
    });

  const retryOne = async (message: IncomingMessage, event: IntegrationEvent): Promise<void> => {
    // Message faults count towards dead-lettering; infrastructure faults only lengthen the wait.
    for (let attempt = 1, messageFaults = 0; ; attempt++) {
      try {
        const fresh = await options.db.transaction(async (tx) => {
          const unseen = await recordInInbox(tx, options.groupId, event.id);
          if (unseen) await options.handle(event, tx);
          return unseen;
        });
        outcome(message, fresh);
        await options.afterCommit?.(event);
        return;
      } catch (error) {
        const reason = `${(error as Error).name}: ${(error as Error).message}`;
        const infrastructure = isInfrastructureFailure(error);
        if (!infrastructure && ++messageFaults >= maxAttempts) {
          await deadLetter(message, reason, attempt);
          return;
        }
        logger.warn(
          `[${options.groupId}] ${event.type} ${event.id} failed (attempt ${attempt}, ${
            infrastructure
              ? 'infrastructure: retried until it recovers'
              : `message fault ${messageFaults} of ${maxAttempts}`
          }): ${reason}`,
        );
        await sleep(Math.min(backoffMs * 2 ** (attempt - 1), maxBackoffMs), undefined, {
          signal: stopping.signal,
        }).catch(() => undefined);
        if (stopping.signal.aborted) throw new ConsumerStopped(options.groupId);
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
    const traced = new Map(
      parsed.map(({ message, event }) => {
        const options = spanOptions(message, event);
        return [event, { parent: options.parent, span: startSpan(`process ${message.topic}`, options) }] as const;
      }),
    );
    const spans: Span[] = [...traced.values()].map((t) => t.span);
    const inTraceOf = <T>(event: IntegrationEvent, work: () => Promise<T>): Promise<T> => {
      const trace = traced.get(event);
      return trace ? withSpan(trace.parent, trace.span, work) : work();
    };
    const timer = busMetrics.handlingSeconds.startTimer({ group: options.groupId, topic: messages[0]!.topic });
    try {
      const fresh = await options.db.transaction(async (tx) => {
        const unseen = await recordAllInInbox(
          tx,
          options.groupId,
          parsed.map((p) => p.event.id),
        );
        const pending = new Set(unseen); // an id twice in one batch is applied once
        const events = parsed.map((p) => p.event).filter((e) => pending.delete(e.id));
        if (events.length > 0) await handleMany(events, tx, inTraceOf);
        return unseen;
      });
      for (const { message, event } of parsed) outcome(message, fresh.delete(event.id));
    } catch (error) {
      logger.warn(
        `[${options.groupId}] a batch of ${parsed.length} failed (${(error as Error).message}); handling it message by message`,
      );
      for (const { message, event } of parsed) await handleOne(message, event);
      return;
    } finally {
      timer();
      for (const span of spans) span.end();
    }
    for (const { event } of parsed) await options.afterCommit?.(event);
  };

  const handleMany = options.handleBatch;
  const subscription = await options.transport.subscribe({
    groupId: options.groupId,
    topics: options.topics,
    onMessage: async (message) => {
      const event = await parse(message);
      if (event) await handleOne(message, event);
    },
    ...(handleMany ? { onBatch: (messages: IncomingMessage[]) => handleBatch(messages, handleMany) } : {}),
  });
  return {
    stop: async () => {
      stopping.abort();
      await subscription.stop();
    },
  };
}
