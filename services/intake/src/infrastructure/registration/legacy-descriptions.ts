/**
 * Complaints indexed before IntakeKeyedTrigrams (migrations.ts) kept their description in clear
 * for matching. At start-up, once, each is replaced by its trigrams tagged with its subject's key
 * — SQL cannot do it: the keys are wrapped by the master key, which only the services hold — and
 * the plain column is dropped, in one transaction holding the table, so two instances starting
 * together do it once. A subject erased meanwhile has no live key: its row gets tags nothing will
 * ever match, as if erased again.
 */
import type { Database, SqlClient } from '@complaints/eventstore';
import type { KeyVault } from '@complaints/privacy';
import { trigramsOf } from './trigrams';

const hasPlainColumn = async (db: SqlClient, schema: string) =>
  (
    await db.query(
      `SELECT 1 FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = 'complaint_index' AND column_name = 'description'`,
      [schema],
    )
  ).rows.length > 0;

export async function tagLegacyDescriptions(db: Database, vault: KeyVault): Promise<number> {
  if (!(await hasPlainColumn(db, db.schema))) return 0;
  return db.transaction(async (tx) => {
    await tx.query('LOCK TABLE complaint_index IN ACCESS EXCLUSIVE MODE');
    if (!(await hasPlainColumn(tx, db.schema))) return 0; // another instance did it while we waited
    const { rows } = await tx.query<{ complaint_id: string; tenant: string; subject_id: string; description: string }>(
      `SELECT complaint_id, tenant, subject_id, description FROM complaint_index
        WHERE description IS NOT NULL AND subject_id IS NOT NULL`,
    );
    for (const row of rows) {
      const key = await vault.dataKeyFor(row.tenant, row.subject_id); // read only: never kept here
      await tx.query('UPDATE complaint_index SET description_trigrams = $3 WHERE tenant = $1 AND complaint_id = $2', [
        row.tenant,
        row.complaint_id,
        key.tags(trigramsOf(row.description)),
      ]);
    }
    await tx.query('ALTER TABLE complaint_index DROP COLUMN description');
    return rows.length;
  });
}
