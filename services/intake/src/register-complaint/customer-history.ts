/**
 * What intake knows of a customer's earlier complaints: similar ones (pg_trgm similarity of the
 * description) to link as possible duplicates, and how many arrived in the repeat window, by the
 * complainant's data subject id (personal-data.ts). Read under a per-customer lock, in the registering transaction, so two simultaneous complaints of
 * one customer see each other.
 */
import type { SqlClient } from '@complaints/eventstore';
import { REPEAT_COMPLAINANT } from '../domain/complaint.decide';

/** Descriptions at least this alike (0..1, trigram similarity) are linked as possible duplicates. */
export const DUPLICATE_SIMILARITY = 0.3;
const DAY_MS = 86_400_000;

/** The subject's earlier complaints (the subject id is a pseudonym: the index holds no plain identity). */
export async function customerHistory(tx: SqlClient, subjectId: string, description: string, now: Date) {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`customer:${subjectId}`]);
  const since = new Date(now.getTime() - REPEAT_COMPLAINANT.windowDays * DAY_MS).toISOString();
  const { rows: similar } = await tx.query<{ complaint_id: string; reference: string; similarity: number }>(
    `SELECT complaint_id, reference, similarity(description, $2)::float AS similarity FROM complaint_index
      WHERE subject_id = $1 AND received_at > $3 AND similarity(description, $2) >= $4
      ORDER BY similarity DESC LIMIT 3`,
    [subjectId, description, since, DUPLICATE_SIMILARITY],
  );
  const { rows: count } = await tx.query<{ n: string }>(
    'SELECT count(*) AS n FROM complaint_index WHERE subject_id = $1 AND received_at > $2',
    [subjectId, since],
  );
  return {
    similar: similar.map((r) => ({
      complaintId: r.complaint_id,
      reference: r.reference,
      similarity: Math.round(r.similarity * 100) / 100,
    })),
    earlierInWindow: Number(count[0]!.n),
  };
}

/** Every complaint is indexed under its subject: matching reads it, and erasure finds the subject's complaints. */
export async function indexComplaint(
  tx: SqlClient,
  tenant: string,
  subjectId: string,
  complaint: { complaintId: string; reference: string; description: string },
  now: Date,
) {
  await tx.query(
    'INSERT INTO complaint_index (complaint_id, tenant, subject_id, reference, description, received_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [complaint.complaintId, tenant, subjectId, complaint.reference, complaint.description, now.toISOString()],
  );
}

/** Erasure: the plain text kept for matching goes; the row stays so the subject's complaints can be found. */
export async function forgetDescriptions(tx: SqlClient, subjectId: string): Promise<string[]> {
  const { rows } = await tx.query<{ complaint_id: string }>(
    'UPDATE complaint_index SET description = NULL WHERE subject_id = $1 RETURNING complaint_id',
    [subjectId],
  );
  return rows.map((r) => r.complaint_id);
}
