/**
 * A bulk load runs faster into tables without their secondary indexes, and one index built over the
 * loaded rows costs less than keeping it up to date row by row. The definitions come from the
 * catalog, so the rebuilt tables get exactly the indexes the migrations made.
 */
import type { SqlClient } from '@complaints/eventstore';

/**
 * Drops the indexes of the schema's tables that back no constraint (primary keys and unique
 * constraints stay: the load relies on them) and returns the statements that make them again.
 */
export async function dropSecondaryIndexes(db: SqlClient, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ name: string; definition: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_namespace n ON n.oid = i.relnamespace
      WHERE n.nspname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
      ORDER BY i.relname`,
    [schema],
  );
  for (const { name } of rows) await db.query(`DROP INDEX "${schema}"."${name}"`);
  return rows.map((r) => r.definition);
}
