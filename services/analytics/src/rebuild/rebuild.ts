/**
 * Rebuilds analytics' projections from the beginning of history (the topics keep every event).
 *
 * 1. Fresh tables are made in a shadow schema (`<schema>_rebuild`) by the same migrations, and
 *    their secondary indexes are put aside until the tables are loaded.
 * 2. Every message of the three topics, up to where they ended at the start, is loaded into them
 *    (bulk-load.ts): the same rows and the same summary fold as the live projection, in bulk.
 *    Worker threads parse and check the messages and make their COPY text (decode-pool.ts); this
 *    thread reads the topics, folds the summaries and streams the COPY.
 *    Queries keep answering from the live tables meanwhile, and the live consumer keeps
 *    projecting new events into them.
 * 3. The indexes are built; then the switch, in one transaction: lock the live tables, copy into
 *    the shadow ones the events the live consumer projected that the rebuild has not seen (the
 *    tail), then move the live tables out to `<schema>_retired_<time>` and the shadow ones in. A
 *    live consumer transaction waiting on the lock continues into the new tables; the projection
 *    ignores an event it already holds.
 */
import { prefixed, Topics } from '@complaints/contracts';
import { eventStoreMigrations, openDatabase, type Database, type SqlClient } from '@complaints/eventstore';
import { createTransport, type ServiceConfig } from '@complaints/kit';
import type { HistoryReader } from '@complaints/messaging';
import { analyticsMigrations } from '../infrastructure/migrations';
import { CaseTimelineProjection, type ProjectedEvent } from '../read-models/case-timeline/case-timeline.projection';
import { BulkLoad, type BulkLoadOptions } from './bulk-load';
import { decodeEvents, messageText } from './decode';
import { DecodePool, type DecodePoolOptions } from './decode-pool';
import { dropSecondaryIndexes } from './deferred-indexes';

export interface RebuildOptions {
  config: ServiceConfig;
  /** Keep the replaced tables in `<schema>_retired_<time to the millisecond>` instead of dropping them. */
  keepOld?: boolean;
  onStart?: (total: number) => void;
  /** Called with the number of messages stored so far, after each slice of them; the load waits for it. */
  onProgress?: (done: number) => void | Promise<void>;
  /** Case summaries kept in memory at most (default: a quarter of the heap, at most 100,000 cases). */
  summaryWindow?: number;
  /** The decoding worker threads (default: one fewer than the cores, at least one). */
  decoding?: DecodePoolOptions;
  /** Each loaded slice waits for the WAL flush at its commit (default: only the switch does; bulk-load.ts). */
  flushEachSlice?: boolean;
}

export interface RebuildReport {
  /** Messages read from history, and those among them that failed their contract (skipped, as live). */
  read: number;
  skipped: number;
  /** Events the live consumer projected during the rebuild, copied in at the switch. */
  tail: number;
  seconds: number;
  eventsPerSecond: number;
  /** Where the replaced tables are, when kept. */
  retiredSchema?: string;
}

interface HistoryRow {
  event_id: string;
  complaint_id: string;
  tenant: string;
  source: string;
  type: string;
  occurred_at: Date;
  actor: ProjectedEvent['actor'];
  correlation_id: string;
  causation_id: string | null;
  stream_version: number;
  data: Record<string, unknown>;
}

const projection = new CaseTimelineProjection();
/** Messages decoded (by one worker) and stored at a time. */
const SLICE = 1000;
/**
 * Slices read and not yet being stored, at most: enough to keep the workers and PostgreSQL busy
 * while the next fetch from the broker is under way (a few MB of text).
 */
const AHEAD = 8;

/** Applies the live events the shadow tables lack; returns how many there were. */
async function copyTail(tx: SqlClient, live: string, shadow: string): Promise<number> {
  const { rows } = await tx.query<HistoryRow>(
    `SELECT l.* FROM "${live}".case_history l
      WHERE NOT EXISTS (SELECT 1 FROM "${shadow}".case_history s WHERE s.event_id = l.event_id)
      ORDER BY l.seq`,
  );
  if (rows.length === 0) return 0;
  await tx.query(`SET LOCAL search_path TO "${shadow}", public`);
  await projection.apply(
    rows.map((r) => ({
      id: r.event_id,
      subject: r.complaint_id,
      tenant: r.tenant,
      source: r.source,
      type: r.type,
      time: new Date(r.occurred_at).toISOString(),
      actor: r.actor,
      correlationId: r.correlation_id,
      causationId: r.causation_id,
      streamVersion: r.stream_version,
      data: r.data,
    })),
    tx,
    { sole: true },
  );
  await tx.query(`SET LOCAL search_path TO "${live}", public`);
  return rows.length;
}

/**
 * Reads the whole history into the shadow tables; returns how many messages, and how many were
 * unreadable. The decoding workers parse and check the messages and make their COPY text, a few
 * slices ahead; this thread stores the slices in the order they were read, and folds the
 * summaries. `afterHistory` runs (on other connections) while the summaries are written.
 */
async function load(
  history: HistoryReader,
  options: BulkLoadOptions,
  decoding: DecodePoolOptions,
  afterHistory: () => Promise<void>,
): Promise<{ read: number; skipped: number }> {
  const pool = new DecodePool(decoding);
  const bulk = await BulkLoad.open(options).catch(async (error: unknown) => {
    await pool.close();
    throw error;
  });
  let read = 0;
  let skipped = 0;
  // Each slice is handed to the bulk load once it is decoded and the slice before it was handed
  // over: stored in the order read. The chain goes on while the reader waits for the next fetch.
  let chain = Promise.resolve();
  const handedOver: Promise<void>[] = [];
  const submit = (values: string[]) => {
    const decoded = pool.decode(values);
    chain = chain.then(async () => {
      const slice = await decoded;
      read += values.length;
      skipped += slice.skipped; // dead-lettered when they were live; they never reached the projection then either
      await bulk.add({
        copy: Buffer.from(slice.copy.buffer, slice.copy.byteOffset, slice.copy.byteLength),
        summaryInputs: slice.summaryInputs,
        messages: values.length,
        events: () => decodeEvents(values).events,
      });
    });
    chain.catch(() => undefined); // surfaces where the reader waits, or at the end
    handedOver.push(chain);
  };
  try {
    await history.read(async (messages) => {
      for (let from = 0; from < messages.length; from += SLICE) {
        submit(messages.slice(from, from + SLICE).map(messageText));
        // Memory stays bounded: the reader waits while too many slices are out.
        while (handedOver.length > AHEAD) await handedOver.shift();
      }
    });
    await chain;
    await bulk.finish(afterHistory);
  } finally {
    await pool.close(); // fails the slices still being decoded: the chain ends soon after
    await chain.catch(() => undefined);
    await bulk.close();
  }
  return { read, skipped };
}

/** Topics that read as empty (wrong prefix, a broker that answered too early) must not empty the tables. */
async function refuseToEmpty(live: Database): Promise<void> {
  const { rows } = await live.query<{ held: boolean }>('SELECT EXISTS (SELECT 1 FROM case_history) AS held');
  if (rows[0]?.held)
    throw new Error(
      `The topics hold no messages but ${live.schema}.case_history has events: not replacing them with empty tables`,
    );
}

async function swap(live: Database, shadow: string, retired: string): Promise<number> {
  return live.transaction(async (tx) => {
    const { rows } = await tx.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' ORDER BY table_name`,
      [shadow],
    );
    const tables = rows.map((r) => r.table_name);
    await tx.query(`LOCK TABLE ${tables.map((t) => `"${live.schema}"."${t}"`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
    const tail = await copyTail(tx, live.schema, shadow);
    await tx.query(`CREATE SCHEMA "${retired}"`);
    for (const table of tables) {
      await tx.query(`ALTER TABLE "${live.schema}"."${table}" SET SCHEMA "${retired}"`);
      await tx.query(`ALTER TABLE "${shadow}"."${table}" SET SCHEMA "${live.schema}"`);
    }
    return tail;
  });
}

export async function rebuildAnalytics(options: RebuildOptions): Promise<RebuildReport> {
  const { config } = options;
  const started = Date.now();
  const shadowSchema = `${config.schema}_rebuild`;
  const retiredSchema = `${config.schema}_retired_${new Date().toISOString().replace(/\D/g, '').slice(0, 17)}`;
  const live = await openDatabase({
    url: config.databaseUrl,
    schema: config.schema,
    migrations: [...eventStoreMigrations, ...analyticsMigrations],
    applicationName: 'analytics-rebuild',
    poolSize: 2,
  });
  const lock = await live.session();
  let shadow: Database | undefined;
  const transport = await createTransport(config);
  try {
    const { rows } = await lock.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      `rebuild:${config.schema}`,
    ]);
    if (!rows[0]?.locked) throw new Error(`Another rebuild of schema ${config.schema} is running`);
    await live.query(`DROP SCHEMA IF EXISTS "${shadowSchema}" CASCADE`);
    shadow = await openDatabase({
      url: config.databaseUrl,
      schema: shadowSchema,
      migrations: analyticsMigrations,
      applicationName: 'analytics-rebuild',
      poolSize: 2,
    });

    const deferredIndexes = await dropSecondaryIndexes(shadow, shadowSchema);
    const history = await transport.history(
      [Topics.intake, Topics.routing, Topics.resolution].map((t) => prefixed(config.topicPrefix, t)),
    );
    if (history.total === 0) await refuseToEmpty(live);
    options.onStart?.(history.total);
    const { read, skipped } = await load(
      history,
      {
        url: config.databaseUrl,
        schema: shadowSchema,
        summaryWindow: options.summaryWindow,
        onStored: options.onProgress,
        flushEachSlice: options.flushEachSlice,
      },
      options.decoding ?? {},
      // The shadow pool's two connections build the indexes side by side.
      async () => void (await Promise.all(deferredIndexes.map((definition) => shadow!.query(definition)))),
    );

    // Most of the tail without the lock, so the switch itself holds it only for a moment.
    const early = await live.transaction((tx) => copyTail(tx, config.schema, shadowSchema));
    const tail = early + (await swap(live, shadowSchema, retiredSchema));
    await live.query(`DROP SCHEMA "${shadowSchema}" CASCADE`);
    if (!options.keepOld) await live.query(`DROP SCHEMA "${retiredSchema}" CASCADE`);
    const seconds = (Date.now() - started) / 1000;
    return {
      read,
      skipped,
      tail,
      seconds,
      eventsPerSecond: Math.round(read / Math.max(seconds, 0.001)),
      ...(options.keepOld ? { retiredSchema } : {}),
    };
  } finally {
    const unlocked = await lock.query('SELECT pg_advisory_unlock_all()').then(
      () => true,
      () => false,
    );
    // A lock that could not be let go of goes with its connection, not back to the pool.
    await (unlocked ? lock.release() : lock.destroy());
    await shadow?.close();
    await transport.close();
    await live.close();
  }
}
