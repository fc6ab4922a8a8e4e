/**
 * The outbox relay: the event rows are the outbox. It reads them in commit order (never skipping a
 * row whose transaction committed late), maps each private stored event to its public integration
 * event, publishes, and only then moves its checkpoint. A crash between publish and checkpoint
 * republishes the same event ids, which consumers' inboxes absorb.
 * One relay per service runs at a time: the others wait on an advisory lock.
 * A stored event whose integration event fails its contract (a mapper bug, an event stored before
 * a schema tightened) is published to `<topic>.dlt` with the reason instead, and logged: one bad
 * event never holds its partition, and it is never silently dropped.
 */
import {
  ContractViolation,
  deadLetterTopic,
  IntegrationEvents,
  parseIntegrationEvent,
  prefixed,
  toBinaryMessage,
  toPreviousShapeMessage,
  type Envelope,
  type IntegrationEventType,
} from '@complaints/contracts';
import {
  EventStore,
  LOG_START,
  type Database,
  type LogPosition,
  type Session,
  type StoredEvent,
} from '@complaints/eventstore';
import { trace } from '@opentelemetry/api';
import { busMetrics, SpanKind, startSpan, traceContextOf, traceHeaders, type Span } from './telemetry';
import { DEAD_LETTER_HEADERS } from './dead-letter-headers';
import { sleep, Wakeup, type OutgoingMessage, type Transport } from './transport';

/** Maps a stored event to its integration event(s); private events map to none. */
export type IntegrationMapper = (event: StoredEvent) => IntegrationPayload[];

export interface IntegrationPayload {
  type: IntegrationEventType;
  /** The complaint id: the CloudEvents subject and the message key. */
  subject: string;
  data: unknown;
}

export interface RelayOptions {
  db: Database;
  transport: Transport;
  store?: EventStore;
  /** Checkpoint name; one per service. */
  name: string;
  source: string;
  topicPrefix?: string;
  map: IntegrationMapper;
  pollIntervalMs?: number;
  batchSize?: number;
  logger?: Pick<Console, 'error'>;
  /**
   * Write the previous shape (whole envelope as the value, `ce-` headers) instead of the binary
   * mode, for consumers not yet upgraded (EVENTS_WRITE_PREVIOUS_SHAPE; this release only).
   */
  previousShape?: boolean;
}

/** The header naming who dead-lettered a message the relay would not publish. */
export const RELAY_DEAD_LETTER_GROUP = 'outbox-relay';

export function toEnvelope(stored: StoredEvent, source: string, integration: IntegrationPayload): Envelope {
  return {
    specversion: '1.0',
    // The stored event's id, so a republished event is recognised downstream.
    id: stored.eventId,
    source,
    type: integration.type,
    subject: integration.subject,
    time: stored.metadata.time,
    datacontenttype: 'application/json',
    streamVersion: stored.streamVersion,
    correlationId: stored.metadata.correlationId,
    causationId: stored.metadata.causationId,
    actor: stored.metadata.actor,
    tenant: stored.metadata.tenant,
    // The source event's place in its chain: what analytics' verify checks a history entry against.
    ...(stored.hash ? { eventhash: stored.hash, streamid: stored.streamId } : {}),
    data: integration.data,
  };
}

/** How the relay's loop fared last: readiness reports it. */
export interface RelayStatus {
  /** False while its last attempt failed (database or broker unreachable); true once one succeeds. */
  healthy: boolean;
  /** Whether this instance holds the lock and publishes (another instance may hold it instead). */
  publishing: boolean;
  lastError?: string;
  /** How long the attempt under way has been running (a publish waits while the broker is away). */
  busyMs: number;
}

export class OutboxRelay {
  private stopped = false;
  private lastError: string | undefined;
  private attemptStartedAt: number | undefined;
  private loop: Promise<void> | undefined;
  private session: Session | undefined;
  private readonly store: EventStore;
  private readonly wakeup = new Wakeup();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly options: RelayOptions) {
    this.store = options.store ?? new EventStore();
  }

  start(): void {
    // A commit in this process (a registration, a consumer's effect) wakes an idle relay at once;
    // the poll interval remains for rows written by other processes.
    this.unsubscribe ??= this.options.db.onCommit(() => this.wakeup.wake());
    this.loop ??= this.run();
  }

  status(): RelayStatus {
    return {
      healthy: this.lastError === undefined,
      publishing: this.session !== undefined,
      busyMs: this.attemptStartedAt === undefined ? 0 : Date.now() - this.attemptStartedAt,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    };
  }

  /** Publishes everything committed so far; returns how many events were published. */
  async relayOnce(): Promise<number> {
    const { name, batchSize = 200 } = this.options;
    // The session it holds for its lock, so the relay never queues behind the HTTP handlers for a
    // connection from the service's pool (a busy intake held every relay query back by seconds).
    const db = this.session ?? this.options.db;
    const { rows } = await db.query<{ transaction_id: string; global_position: string }>(
      `SELECT transaction_id::text AS transaction_id, global_position FROM outbox_checkpoints WHERE name = $1`,
      [name],
    );
    const checkpoint: LogPosition = rows[0]
      ? { transactionId: rows[0].transaction_id, globalPosition: String(rows[0].global_position) }
      : LOG_START;
    const events = await this.store.readCommitted(db, checkpoint, batchSize);
    if (events.length === 0) return 0;
    const spans: Span[] = [];
    const messages = events.flatMap((event) => this.messagesOf(event, spans));
    try {
      await this.options.transport.publish(messages);
    } finally {
      for (const span of spans) span.end();
    }
    for (const message of messages) busMetrics.published.inc({ service: name, topic: message.topic });
    const last = events[events.length - 1]!;
    await db.query(
      `INSERT INTO outbox_checkpoints (name, transaction_id, global_position) VALUES ($1, $2::xid8, $3)
       ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id,
         global_position = EXCLUDED.global_position, updated_at = now()`,
      [name, last.transactionId, last.globalPosition],
    );
    return events.length;
  }

  /** The messages of one stored event, each in a producer span that continues the event's trace. */
  private messagesOf(stored: StoredEvent, spans: Span[]): OutgoingMessage[] {
    return this.options.map(stored).map((integration) => {
      const envelope = toEnvelope(stored, this.options.source, integration);
      const topic = prefixed(this.options.topicPrefix ?? '', IntegrationEvents[integration.type].topic);
      const parent = traceContextOf(stored.metadata.trace);
      const span = startSpan(`publish ${topic}`, {
        kind: SpanKind.PRODUCER,
        parent,
        attributes: {
          'messaging.system': this.options.transport.kind,
          'messaging.operation.type': 'send',
          'messaging.destination.name': topic,
          'complaints.service': this.options.name,
          'complaints.event_type': envelope.type,
          'complaints.case_id': envelope.subject,
        },
      });
      spans.push(span);
      const context = traceHeaders(trace.setSpan(parent, span));
      if (context.traceparent) envelope.traceparent = context.traceparent;
      // Binary mode: the attributes in `ce_` headers, the data as the value; the W3C headers stay
      // beside them for tracers that read only those. The previous shape only while switched on.
      const wire = this.options.previousShape ? toPreviousShapeMessage(envelope) : toBinaryMessage(envelope);
      const headers = { ...wire.headers, ...context };
      const value = wire.value;
      try {
        parseIntegrationEvent(envelope); // the producer checks its own contract too
      } catch (error) {
        if (!(error instanceof ContractViolation)) throw error;
        this.options.logger?.error(
          `[relay ${this.options.name}] dead-lettering stored event ${stored.eventId} (position ${stored.globalPosition}) to ${deadLetterTopic(topic)}: ${error.message}`,
        );
        return {
          topic: deadLetterTopic(topic),
          // A subject the contract refused may be missing altogether; the stream keeps it keyed.
          key: typeof envelope.subject === 'string' ? envelope.subject : stored.streamId,
          value,
          headers: {
            ...headers,
            [DEAD_LETTER_HEADERS.reason]: error.message.slice(0, 4000),
            [DEAD_LETTER_HEADERS.originalTopic]: topic,
            [DEAD_LETTER_HEADERS.consumerGroup]: RELAY_DEAD_LETTER_GROUP,
            [DEAD_LETTER_HEADERS.storedPosition]: stored.globalPosition,
            [DEAD_LETTER_HEADERS.failedAt]: new Date().toISOString(),
          },
        };
      }
      return { topic, key: envelope.subject, value, headers };
    });
  }

  private async run(): Promise<void> {
    const interval = this.options.pollIntervalMs ?? 100;
    // Woken by a commit, a read can still come back empty: the new rows wait for a transaction
    // open elsewhere on the server (the snapshot's xmin). Look again soon, a few times, before
    // falling back to the poll interval.
    const QUICK_LOOKS = 4; // after 5, 10, 20 and 40 ms
    let quickLooks = QUICK_LOOKS;
    while (!this.stopped) {
      try {
        if (!this.session) {
          const session = await this.options.db.session();
          const { rows } = await session
            .query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [this.lockKey()])
            .catch(async (error: unknown) => {
              // Whether the lock was taken is unknown: the connection goes, and the lock with it.
              await session.destroy().catch(() => undefined);
              throw error;
            });
          this.lastError = undefined;
          if (!rows[0]?.locked) {
            await session.release();
            await sleep(1000);
            continue;
          }
          this.session = session;
        }
        this.attemptStartedAt = Date.now();
        this.wakeup.reset();
        const published = await this.relayOnce();
        this.attemptStartedAt = undefined;
        this.lastError = undefined;
        if (published > 0) continue;
        const wait = quickLooks < QUICK_LOOKS ? Math.min(5 * 2 ** quickLooks++, interval) : interval;
        if (await this.wakeup.wait(wait)) quickLooks = 0;
      } catch (error) {
        this.attemptStartedAt = undefined;
        this.lastError = (error as Error).message;
        this.options.logger?.error(`[relay ${this.options.name}] ${(error as Error).message}`);
        // The session still holds the lock: pooled, it would pass the lock to other work and keep
        // every relay out while that work holds it. Closed, it frees the lock at once.
        await this.dropSession('destroy');
        await sleep(1000);
      }
    }
  }

  private lockKey(): string {
    return `relay:${this.options.db.schema}:${this.options.name}`;
  }

  /** Lets go of the lock and its session: unlocked and pooled when it can be, else closed. */
  private async dropSession(how: 'unlock' | 'destroy' = 'unlock'): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    const unlocked =
      how === 'unlock' &&
      (await session.query('SELECT pg_advisory_unlock_all()').then(
        () => true,
        () => false,
      ));
    await (unlocked ? session.release() : session.destroy()).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wakeup.wake();
    await this.loop;
    // What committed while the loop wound down (a request answered during the drain) is published
    // now, not at the next start; unless the last attempt failed (broker or database away), when
    // trying again would only hold the shutdown up.
    if (this.session && this.lastError === undefined) {
      try {
        while ((await this.relayOnce()) > 0);
      } catch (error) {
        this.options.logger?.error(`[relay ${this.options.name}] on stop: ${(error as Error).message}`);
        await this.dropSession('destroy');
      }
    }
    await this.dropSession();
  }
}
