/**
 * Bounded de-duplication tables. The inbox (one row per consumed event and consumer group) and a
 * service's other dedup tables (intake's Idempotency-Keys) only need a row while the same message
 * or request can still arrive again; past that, rows are deleted by age in small batches, so the
 * tables stop growing with the history and no delete holds long locks.
 */
import { forAllTenants, type Database } from '@complaints/eventstore';

/** A dedup table and the column holding when its row was written. */
export interface DedupTable {
  table: string;
  writtenAt: string;
  /** A fixed SQL condition limiting which rows age out (never user input). */
  only?: string;
}

export const INBOX_TABLE: DedupTable = { table: 'inbox', writtenAt: 'processed_at' };

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
const BATCH = 5_000;

/**
 * Deletes the rows older than `retentionMs` (by the database's clock, which wrote them) from each
 * table; returns how many went per table. Runs outside any tenant scope: the rows of every tenant age alike.
 */
export async function pruneDedupTables(
  db: Database,
  tables: readonly DedupTable[],
  retentionMs: number,
): Promise<Record<string, number>> {
  const pruned: Record<string, number> = {};
  for (const { table, writtenAt, only } of tables) {
    if (!IDENTIFIER.test(table) || !IDENTIFIER.test(writtenAt))
      throw new Error(`not a table or column name: ${table}.${writtenAt}`);
    pruned[table] = 0;
    for (;;) {
      const { rowCount } = await forAllTenants(() =>
        db.query(
          `DELETE FROM ${table} WHERE ctid IN (
             SELECT ctid FROM ${table} WHERE ${writtenAt} < now() - make_interval(secs => $1::float8 / 1000)
              ${only ? `AND (${only})` : ''} LIMIT ${BATCH})`,
          [retentionMs],
        ),
      );
      pruned[table] += rowCount;
      if (rowCount < BATCH) break;
    }
  }
  return pruned;
}
