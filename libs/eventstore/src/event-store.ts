/**
 * Append-only event store in PostgreSQL: streams with optimistic concurrency, and a reader of the
 * whole log in commit order for the outbox relay.
 */
import { Counter } from 'prom-client';
import type { SqlClient } from './database';
import type { EventMetadata, EventRow } from './event-row';
import { eventHash } from './hash-chain';
import { processMetric } from './process-metric';
import { traceHeaders } from './trace-context';

export type { EventMetadata } from './event-row';

export interface NewEvent {
  eventId: string;
  type: string;
  schemaVersion?: number;
  data: unknown;
  metadata: EventMetadata;
}

export interface StoredEvent {
  globalPosition: string;
  transactionId: string;
  eventId: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
  recordedAt: Date;
  /** Its link in the stream's hash chain (hash-chain.ts): the evidence integration events carry. */
  hash?: string | null;
}

/** Position in commit order: (transaction id, global position). */
export interface LogPosition {
  transactionId: string;
  globalPosition: string;
}

export const LOG_START: LogPosition = { transactionId: '0', globalPosition: '0' };

export class StreamVersionConflict extends Error {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number | null,
  ) {
    super(
      `Stream ${streamId} was expected at version ${expectedVersion} but is at ${actualVersion ?? 'a later version'}`,
    );
    this.name = 'StreamVersionConflict';
  }
}

/** Turns an old stored shape into the current one; applied on every read. */
export type Upcaster = (event: StoredEvent) => StoredEvent;

const COLUMNS = `global_position, transaction_id::text AS transaction_id, event_id, stream_id,
  stream_version, type, schema_version, data, metadata, recorded_at, hash`;

const appendedTotal = processMetric(
  'complaints_events_appended_total',
  (name) =>
    new Counter({
      name,
      help: 'Events written to an event store (counted at the write, so a transaction rolled back afterwards still counts)',
      labelNames: ['type'],
    }),
);

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: string; constraint?: string; driverError?: { code?: string; constraint?: string } };
  const code = e.code ?? e.driverError?.code;
  const name = e.constraint ?? e.driverError?.constraint;
  return code === '23505' && name === constraint;
}

export class EventStore {
  constructor(private readonly upcast: Upcaster = (event) => event) {}

  async readStream(client: SqlClient, streamId: string): Promise<StoredEvent[]> {
    const { rows } = await client.query<EventRow>(
      `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 ORDER BY stream_version`,
      [streamId],
    );
    return rows.map((row) => this.upcast(toStored(row)));
  }

  /**
   * Appends after `expectedVersion` (the number of events the caller saw; 0 for a new stream).
   * Throws StreamVersionConflict when another writer got there first; nothing is written then.
   */
  async append(tx: SqlClient, streamId: string, expectedVersion: number, events: NewEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    // A new stream has no head to chain to, so nothing to read: if the stream exists after all,
    // its version 1 makes the insert fail on events_stream_version_unique, a conflict like any other.
    let previousHash = expectedVersion === 0 ? null : await this.headHash(tx, streamId, expectedVersion);
    const values: unknown[] = [];
    // The trace the append belongs to travels with the event, so the relay's publish joins it.
    const trace = traceHeaders();
    const traced = Object.keys(trace).length > 0;
    const tuples = events.map((event, index) => {
      const base = index * 9;
      // Hash what PostgreSQL will give back: the JSON round trip drops undefined fields.
      const content = {
        eventId: event.eventId,
        streamId,
        streamVersion: expectedVersion + index + 1,
        type: event.type,
        schemaVersion: event.schemaVersion ?? 1,
        data: JSON.parse(JSON.stringify(event.data ?? null)) as unknown,
        metadata: JSON.parse(JSON.stringify(traced ? { ...event.metadata, trace } : event.metadata)) as unknown,
      };
      const hash = eventHash(previousHash, content);
      values.push(
        content.eventId,
        streamId,
        content.streamVersion,
        content.type,
        content.schemaVersion,
        JSON.stringify(content.data),
        JSON.stringify(content.metadata),
        hash,
        previousHash,
      );
      previousHash = hash;
      const p = (n: number) => `$${base + n}`;
      return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}::jsonb, ${p(7)}::jsonb, ${p(8)}, ${p(9)})`;
    });
    try {
      const { rows } = await tx.query<EventRow>(
        `INSERT INTO events (event_id, stream_id, stream_version, type, schema_version, data, metadata, hash, prev_hash)
         VALUES ${tuples.join(', ')} RETURNING ${COLUMNS}`,
        values,
      );
      for (const event of events) appendedTotal.inc({ type: event.type });
      return rows.map(toStored);
    } catch (error) {
      if (isUniqueViolation(error, 'events_stream_version_unique')) {
        throw new StreamVersionConflict(streamId, expectedVersion, null);
      }
      throw error;
    }
  }

  /** The hash of the stream's last event, which must be the `expectedVersion`th. */
  private async headHash(tx: SqlClient, streamId: string, expectedVersion: number): Promise<string | null> {
    const { rows } = await tx.query<{ version: number; hash: string | null }>(
      'SELECT stream_version AS version, hash FROM events WHERE stream_id = $1 ORDER BY stream_version DESC LIMIT 1',
      [streamId],
    );
    const actual = rows[0]?.version ?? 0;
    if (actual !== expectedVersion) throw new StreamVersionConflict(streamId, expectedVersion, actual);
    return rows[0]!.hash;
  }

  /**
   * Events after `after` in commit order, only from transactions that can no longer commit
   * "behind" the reader: every row below the current snapshot's xmin is final. Ordered by the
   * columns, qualified: the select list's `transaction_id` is the id as text, and ordering by that
   * would put transaction 1000 before 999 (and read every row after `after` to sort them).
   */
  async readCommitted(client: SqlClient, after: LogPosition, limit: number): Promise<StoredEvent[]> {
    const { rows } = await client.query<EventRow>(
      `SELECT ${COLUMNS} FROM events
        WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
          AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY events.transaction_id, events.global_position
        LIMIT $3`,
      [after.transactionId, after.globalPosition, limit],
    );
    return rows.map((row) => this.upcast(toStored(row)));
  }
}

function toStored(row: EventRow): StoredEvent {
  return {
    globalPosition: String(row.global_position),
    transactionId: row.transaction_id,
    eventId: row.event_id,
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
    hash: row.hash ?? null,
  };
}
