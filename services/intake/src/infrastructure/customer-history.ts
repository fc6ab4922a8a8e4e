/**
 * What intake knows of a customer's earlier complaints: similar ones (pg_trgm's similarity of the
 * description, on its trigrams tagged with the subject's key: trigrams.ts) to link as possible duplicates, and how many arrived in the repeat window, by the
 * complainant's data subject id (registration/personal-data.ts). Read under a per-customer lock, in the
 * registering transaction (registration/registration-context.ts), so two simultaneous complaints of one customer
 * see each other.
 */
import type { SqlClient } from '@complaints/eventstore';
import { REPEAT_COMPLAINANT } from '../domain/complaint.decide';

/** Descriptions at least this alike (0..1, trigram similarity) are linked as possible duplicates. */
export const DUPLICATE_SIMILARITY = 0.3;
const DAY_MS = 86_400_000;

export interface SimilarComplaint {
  complaintId: string;
  reference: string;
  similarity: number;
}

export interface CustomerHistory {
  /** The most similar earlier complaints in the repeat window, at most three, most similar first. */
  similar: SimilarComplaint[];
  earlierInWindow: number;
}

/** Where the repeat window that ends at `now` begins. */
export function repeatWindowStart(now: Date): Date {
  return new Date(now.getTime() - REPEAT_COMPLAINANT.windowDays * DAY_MS);
}

/** The history as the database found it, similarities to two places. */
export function customerHistoryOf(similar: SimilarComplaint[], earlierInWindow: number | string): CustomerHistory {
  return {
    similar: similar.map((s) => ({ ...s, similarity: Math.round(s.similarity * 100) / 100 })),
    earlierInWindow: Number(earlierInWindow),
  };
}

/**
 * Erasure: the tagged trigrams kept for matching go (unlinkable anyway once the key is destroyed);
 * the row stays so the subject's complaints can be found — by the caller's tenant only (row-level
 * security, and the tenant named besides).
 */
export async function forgetDescriptions(tx: SqlClient, tenant: string, subjectId: string): Promise<string[]> {
  const { rows } = await tx.query<{ complaint_id: string }>(
    `UPDATE complaint_index SET description_trigrams = NULL
      WHERE tenant = $1 AND subject_id = $2 RETURNING complaint_id`,
    [tenant, subjectId],
  );
  return rows.map((r) => r.complaint_id);
}
