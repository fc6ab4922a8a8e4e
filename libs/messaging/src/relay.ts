/**
 * The outbox relay: the event rows are the outbox. It reads them in commit order (never skipping a
 * row whose transaction committed late), maps each private stored event to its public integration
 * event, publishes, and only then moves its checkpoint. A crash between publish and checkpoint
 * republishes the same event ids, which consumers' inboxes absorb.
 * One relay per service runs at a time: the others wait on an advisory lock.
 */
import {
  IntegrationEvents,
  parseIntegrationEvent,
  prefixed,
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
import { sleep, type OutgoingMessage, type Transport } from './transport';

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
}

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
    data: integration.data,
  };
}

export class OutboxRelay {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private session: Session | undefined;
  private readonly store: EventStore;

  constructor(private readonly options: RelayOptions) {
    this.store = options.store ?? new EventStore();
  }

  start(): void {
    this.loop ??= this.run();
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
    await this.options.transport.publish(events.flatMap((event) => this.messagesOf(event)));
    const last = events[events.length - 1]!;
    await db.query(
      `INSERT INTO outbox_checkpoints (name, transaction_id, global_position) VALUES ($1, $2::xid8, $3)
       ON CONFLICT (name) DO UPDATE SET transaction_id = EXCLUDED.transaction_id,
         global_position = EXCLUDED.global_position, updated_at = now()`,
      [name, last.transactionId, last.globalPosition],
    );
    return events.length;
  }

  private messagesOf(stored: StoredEvent): OutgoingMessage[] {
    return this.options.map(stored).map((integration) => {
      const envelope = toEnvelope(stored, this.options.source, integration);
      parseIntegrationEvent(envelope); // the producer checks its own contract too
      const { topic } = IntegrationEvents[integration.type];
      return {
        topic: prefixed(this.options.topicPrefix ?? '', topic),
        key: envelope.subject,
        value: JSON.stringify(envelope),
        headers: {
          'ce-id': envelope.id,
          'ce-type': envelope.type,
          'ce-source': envelope.source,
          'correlation-id': envelope.correlationId,
          tenant: envelope.tenant,
        },
      };
    });
  }

  private async run(): Promise<void> {
    const interval = this.options.pollIntervalMs ?? 100;
    while (!this.stopped) {
      try {
        if (!this.session) {
          const session = await this.options.db.session();
          const { rows } = await session.query<{ locked: boolean }>(
            'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
            [`relay:${this.options.db.schema}:${this.options.name}`],
          );
          if (!rows[0]?.locked) {
            await session.release();
            await sleep(1000);
            continue;
          }
          this.session = session;
        }
        const published = await this.relayOnce();
        if (published === 0) await sleep(interval);
      } catch (error) {
        this.options.logger?.error(`[relay ${this.options.name}] ${(error as Error).message}`);
        await this.dropSession();
        await sleep(1000);
      }
    }
  }

  private async dropSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.release().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.dropSession();
  }
}
