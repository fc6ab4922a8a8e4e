/**
 * The embedded transport: a durable log in a PostgreSQL schema shared by the services of one
 * installation. Same promises as Kafka (per-key order, at least once, a consumer position that
 * survives restarts), one total order instead of partitions, so no Kafka is needed to start.
 * Readers follow commit order with the same xmin rule as the outbox relay.
 */
import type { Database, Migration, SqlClient } from '@complaints/eventstore';
import {
  sleep,
  Wakeup,
  type HistoryReader,
  type IncomingMessage,
  type OutgoingMessage,
  type PartitionLag,
  type SubscribeOptions,
  type Subscription,
  type Transport,
} from './transport';

export const embeddedBusMigrations: Migration[] = [
  {
    name: 'EmbeddedBus1763800000000',
    up: `
      CREATE TABLE bus_messages (
        position bigserial PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        topic text NOT NULL,
        key text NOT NULL,
        value text NOT NULL,
        headers jsonb NOT NULL,
        published_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX bus_messages_commit_order ON bus_messages (transaction_id, position);
      CREATE TABLE bus_offsets (
        group_id text PRIMARY KEY,
        transaction_id xid8 NOT NULL,
        position bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
];

/** A subscription's poll loop. */
interface Loop {
  stopped: boolean;
  done: Promise<void>;
  wakeup: Wakeup;
  /** An ephemeral subscription's group: its position row goes when the loop stops. */
  ephemeralGroup?: string;
}

/** Stops a poll loop: an idle one at once, a busy one after the message in hand. */
function stopLoop(loop: Loop): Promise<void> {
  loop.stopped = true;
  loop.wakeup.wake();
  return loop.done;
}

interface MessageRow {
  position: string;
  transaction_id: string;
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
  published_ms?: number;
}

export interface PostgresTransportOptions {
  pollIntervalMs?: number;
  batchSize?: number;
}

export class PostgresTransport implements Transport {
  readonly kind = 'embedded' as const;
  private readonly loops = new Set<Loop>();

  constructor(
    private readonly db: Database,
    private readonly options: PostgresTransportOptions = {},
  ) {}

  async ensureTopics(): Promise<void> {
    // Topics are a column here: nothing to create.
  }

  async publish(messages: OutgoingMessage[], client: SqlClient = this.db): Promise<void> {
    if (messages.length === 0) return;
    const values: unknown[] = [];
    const tuples = messages.map((m, i) => {
      values.push(m.topic, m.key, m.value, JSON.stringify(m.headers));
      return `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4}::jsonb)`;
    });
    await client.query(`INSERT INTO bus_messages (topic, key, value, headers) VALUES ${tuples.join(', ')}`, values);
    // Committed already unless a caller's transaction holds it: consumers in this process read now.
    if (client === this.db) for (const loop of this.loops) loop.wakeup.wake();
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const loop: Loop = {
      stopped: false,
      done: Promise.resolve(),
      wakeup: new Wakeup(),
      ...(options.ephemeral ? { ephemeralGroup: options.groupId } : {}),
    };
    loop.done = this.consume(options, loop);
    this.loops.add(loop);
    return {
      stop: async () => {
        this.loops.delete(loop);
        await this.stop(loop);
      },
    };
  }

  private async stop(loop: Loop): Promise<void> {
    await stopLoop(loop);
    if (loop.ephemeralGroup === undefined) return;
    await this.db.query('DELETE FROM bus_offsets WHERE group_id = $1', [loop.ephemeralGroup]).catch((error: Error) => {
      console.error(`[bus] could not delete the ephemeral group ${loop.ephemeralGroup}: ${error.message}`);
    });
  }

  private async consume(options: SubscribeOptions, loop: Loop): Promise<void> {
    const interval = this.options.pollIntervalMs ?? 100;
    const batchSize = this.options.batchSize ?? 100;
    await this.db.query(
      `INSERT INTO bus_offsets (group_id, transaction_id, position) VALUES ($1, '0', 0)
       ON CONFLICT (group_id) DO NOTHING`,
      [options.groupId],
    );
    while (!loop.stopped) {
      try {
        loop.wakeup.reset();
        const { rows: offsets } = await this.db.query<{ transaction_id: string; position: string }>(
          'SELECT transaction_id::text AS transaction_id, position FROM bus_offsets WHERE group_id = $1',
          [options.groupId],
        );
        const from = offsets[0] ?? { transaction_id: '0', position: '0' };
        const { rows } = await this.db.query<MessageRow>(
          `SELECT position, transaction_id::text AS transaction_id, topic, key, value, headers,
                  (extract(epoch FROM published_at) * 1000)::float8 AS published_ms
             FROM bus_messages
            WHERE (transaction_id, position) > ($1::xid8, $2::bigint)
              AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY bus_messages.transaction_id, bus_messages.position LIMIT $3`,
          [from.transaction_id, from.position, batchSize],
        );
        const commit = (row: MessageRow) =>
          this.db.query(
            `UPDATE bus_offsets SET transaction_id = $2::xid8, position = $3, updated_at = now()
              WHERE group_id = $1`,
            [options.groupId, row.transaction_id, row.position],
          );
        const mine = (row: MessageRow) => options.topics.includes(row.topic);
        const message = (row: MessageRow) => ({
          ...row,
          partition: 0,
          offset: String(row.position),
          ...(row.published_ms === undefined ? {} : { publishedAt: row.published_ms }),
        });
        if (options.onBatch && rows.length > 0) {
          if (loop.stopped) return;
          const batch = rows.filter(mine).map(message);
          if (batch.length > 0) await options.onBatch(batch);
          await commit(rows.at(-1)!);
        } else {
          for (const row of rows) {
            if (loop.stopped) return;
            if (mine(row)) await options.onMessage(message(row));
            await commit(row);
          }
        }
        if (rows.length < batchSize) await loop.wakeup.wait(interval);
      } catch (error) {
        // The handler or the database failed: keep the position, wait, try the same message again.
        if (loop.stopped) return;
        console.error(`[bus] consumer ${options.groupId} failed, retrying: ${(error as Error).message}`);
        await sleep(Math.max(interval, 1000));
      }
    }
  }

  /** Reads the topics in commit order up to the last message committed when opened. */
  async history(topics: string[]): Promise<HistoryReader> {
    const { rows } = await this.db.query<{ transaction_id: string | null; total: string }>(
      `SELECT max(transaction_id)::text AS transaction_id, count(*) AS total
         FROM bus_messages
        WHERE topic = ANY($1) AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())`,
      [topics],
    );
    const end = rows[0]!;
    const batchSize = Math.max(this.options.batchSize ?? 100, 2000);
    const read = async (onBatch: (messages: IncomingMessage[]) => Promise<void>) => {
      let from = { transaction_id: '0', position: '0' };
      if (end.transaction_id === null) return;
      for (;;) {
        const { rows: batch } = await this.db.query<MessageRow>(
          `SELECT position, transaction_id::text AS transaction_id, topic, key, value, headers
             FROM bus_messages
            WHERE (transaction_id, position) > ($1::xid8, $2::bigint) AND topic = ANY($3)
              AND transaction_id <= $4::xid8 AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY bus_messages.transaction_id, bus_messages.position LIMIT $5`,
          [from.transaction_id, from.position, topics, end.transaction_id, batchSize],
        );
        if (batch.length === 0) return;
        await onBatch(batch.map((row) => ({ ...row, partition: 0, offset: String(row.position) })));
        const last = batch.at(-1)!;
        from = { transaction_id: last.transaction_id, position: last.position };
      }
    };
    return { total: Number(end.total), read };
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async lag(groupId: string, topics: string[]): Promise<PartitionLag[]> {
    const { rows } = await this.db.query<{ topic: string; lag: string }>(
      `SELECT t.topic, count(m.position) AS lag
         FROM unnest($2::text[]) AS t(topic)
         LEFT JOIN bus_offsets o ON o.group_id = $1
         LEFT JOIN bus_messages m ON m.topic = t.topic
          AND (o.group_id IS NULL OR (m.transaction_id, m.position) > (o.transaction_id, o.position))
        GROUP BY t.topic`,
      [groupId, topics],
    );
    return rows.map((r) => ({ topic: r.topic, partition: 0, lag: Number(r.lag) }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.loops].map((loop) => this.stop(loop)));
    this.loops.clear();
  }
}
