/**
 * Loads a rebuild's fresh tables in bulk, to the same rows the live projection writes one batch at
 * a time (`historyRow`, `foldSummaries`):
 * - history rows go in by COPY, one slice at a time, while the next slices are decoded (one slice
 *   stored at a time; the caller decodes them, decode.ts, into COPY text and fold input); a slice
 *   holding an event the table already has (a message delivered twice) fails its COPY on the
 *   unique event id and is stored again by the projection's own insert, which skips what is there;
 * - summaries are folded in memory and written once, when the load ends — or, when there are more
 *   cases than the window holds, written out whenever the window is full and read back when more
 *   events of their case come (a case's events are spread over three topics and many batches).
 * The tables are fresh and nobody else writes them, so a batch needs no transaction of its own: a
 * rebuild that fails is started again from empty tables.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getHeapStatistics } from 'node:v8';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SqlClient } from '@complaints/eventstore';
import type { CaseSummary, SummaryInput } from '../domain/case-summary';
import {
  caseKey,
  caseKeyColumns,
  foldSummaries,
  HISTORY_COLUMNS,
  storeNewEvents,
  type ProjectedEvent,
} from '../read-models/case-timeline/case-timeline.projection';
import { copyLine } from './copy-text';

/** Summaries take ~1.3 KB of heap each: a quarter of the heap limit, and never more than 100,000 cases. */
export function defaultSummaryWindow(): number {
  return Math.min(100_000, Math.floor(getHeapStatistics().heap_size_limit / 4 / 2048));
}

const UNIQUE_VIOLATION = '23505';
const ROWS_PER_CHUNK = 1000;

function* summaryChunks(summaries: Iterable<CaseSummary>): Generator<string> {
  let chunk = '';
  let rows = 0;
  for (const s of summaries) {
    chunk += copyLine([s.complaintId, s.tenant, s.status, s]);
    if (++rows % ROWS_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Some messages, decoded (decode.ts): what is stored and folded of their valid events. */
export interface LoadSlice {
  /** The valid events' `case_history` rows as COPY text (HISTORY_COLUMNS), in message order. */
  copy: Buffer | string;
  /** A JSON array of the valid events as `SummaryInput`s, in the same order. */
  summaryInputs: string;
  /** Messages the slice came from, valid or not. */
  messages: number;
  /** The valid events in full, decoded again: only for a slice whose COPY meets an event already stored. */
  events: () => ProjectedEvent[];
}

export interface BulkLoadOptions {
  url: string;
  /** The schema of the fresh tables. */
  schema: string;
  /** Case summaries kept in memory at most (default: `defaultSummaryWindow()`). */
  summaryWindow?: number;
  /** Called with the number of messages stored so far, after each batch. */
  onStored?: (messages: number) => void | Promise<void>;
  /**
   * Whether each slice waits for its WAL to reach the disk when it commits (default false: only
   * the switch does, and it flushes every slice's WAL before it). True keeps the server's setting.
   */
  flushEachSlice?: boolean;
}

export class BulkLoad {
  private inFlight: Promise<void> = Promise.resolve();
  private storedMessages = 0;
  /** Summaries being folded, and which of them already have a row (written out before), by `caseKey`. */
  private readonly summaries = new Map<string, CaseSummary>();
  private readonly written = new Set<string>();
  private spilled = false;

  private constructor(
    private readonly client: Client,
    private readonly options: BulkLoadOptions,
    private readonly window: number,
  ) {}

  static async open(options: BulkLoadOptions): Promise<BulkLoad> {
    const client = new Client({
      connectionString: options.url,
      application_name: 'analytics-rebuild',
      // Each slice commits without waiting for its WAL to reach the disk: the fresh tables are
      // thrown away if the rebuild fails, and the switch, which commits as usual, flushes the WAL
      // of every slice before it. Saves a WAL flush a slice (IO:WALSync in pg_stat_activity).
      options: `-c search_path=${options.schema},public${options.flushEachSlice ? '' : ' -c synchronous_commit=off'}`,
    });
    await client.connect();
    return new BulkLoad(client, options, Math.max(1, options.summaryWindow ?? defaultSummaryWindow()));
  }

  private readonly sql: SqlClient = {
    query: async <Row>(text: string, params?: unknown[]) => {
      const result = await this.client.query(text, params);
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
  };

  /**
   * Starts storing a slice once the slice before it is stored, and resolves then: the next slices
   * are decoded while this one is written.
   */
  async add(slice: LoadSlice): Promise<void> {
    await this.inFlight;
    this.inFlight = this.store(slice);
    this.inFlight.catch(() => undefined); // the error surfaces at the next add or at finish
  }

  /**
   * Waits for the last batch, then writes the summaries still in memory; `meanwhile` runs from the
   * moment the history is complete (on other connections).
   */
  async finish(meanwhile: () => Promise<void> = async () => undefined): Promise<void> {
    await this.inFlight;
    await Promise.all([this.writeSummaries(), meanwhile()]);
  }

  async close(): Promise<void> {
    await this.inFlight.catch(() => undefined);
    await this.client.end();
  }

  private async store(slice: LoadSlice): Promise<void> {
    const fresh = await this.storeHistory(slice);
    if (this.spilled) await this.readBack(fresh);
    foldSummaries(this.summaries, fresh);
    if (this.summaries.size >= this.window) await this.writeSummaries();
    this.storedMessages += slice.messages;
    await this.options.onStored?.(this.storedMessages);
  }

  /** The events newly stored, to fold: all of them when the COPY went through. */
  private async storeHistory(slice: LoadSlice): Promise<SummaryInput[]> {
    if (slice.copy.length === 0) return [];
    try {
      await this.copy(`COPY case_history (${HISTORY_COLUMNS.join(', ')}) FROM STDIN`, [slice.copy]);
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      return storeNewEvents(slice.events(), this.sql);
    }
    return JSON.parse(slice.summaryInputs) as SummaryInput[];
  }

  /** Summaries of the events' cases that were written out earlier come back into memory. */
  private async readBack(events: readonly SummaryInput[]): Promise<void> {
    const missing = [...new Set(events.map((e) => caseKey(e.tenant, e.subject)))].filter(
      (key) => !this.summaries.has(key),
    );
    if (missing.length === 0) return;
    const { rows } = await this.sql.query<{ tenant: string; complaint_id: string; summary: CaseSummary }>(
      `SELECT tenant, complaint_id, summary FROM case_summaries
        WHERE (tenant, complaint_id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))`,
      caseKeyColumns(missing),
    );
    for (const { tenant, complaint_id, summary } of rows) {
      const key = caseKey(tenant, complaint_id);
      this.summaries.set(key, summary);
      this.written.add(key);
    }
  }

  /** Writes the summaries in memory (replacing the rows of those written before) and forgets them. */
  private async writeSummaries(): Promise<void> {
    if (this.summaries.size === 0) return;
    await this.client.query('BEGIN');
    try {
      if (this.written.size > 0)
        await this.client.query(
          'DELETE FROM case_summaries WHERE (tenant, complaint_id) IN (SELECT * FROM unnest($1::text[], $2::uuid[]))',
          caseKeyColumns(this.written),
        );
      await this.copy(
        'COPY case_summaries (complaint_id, tenant, status, summary) FROM STDIN',
        summaryChunks(this.summaries.values()),
      );
      await this.client.query('COMMIT');
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    this.summaries.clear();
    this.written.clear();
    this.spilled = true;
  }

  private async copy(statement: string, text: Iterable<Buffer | string>): Promise<void> {
    await pipeline(Readable.from(text), this.client.query(copyFrom(statement)));
  }
}
