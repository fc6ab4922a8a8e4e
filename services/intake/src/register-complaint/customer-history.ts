/**
 * What intake knows of a customer's earlier complaints: similar ones (pg_trgm similarity of the
 * description) to link as possible duplicates, and how many arrived in the repeat window. Read
 * under a per-customer lock, in the registering transaction, so two simultaneous complaints of
 * one customer see each other.
 */
import type { SqlClient } from '@complaints/eventstore';
import type { ComplaintDetails, SimilarComplaint } from '../domain/complaint';
import { REPEAT_COMPLAINANT } from '../domain/complaint.decide';

/** Descriptions at least this alike (0..1, trigram similarity) are linked as possible duplicates. */
export const DUPLICATE_SIMILARITY = 0.3;
const DAY_MS = 86_400_000;

/** Who the customer is, as far as intake can tell: their id, else their phone, else their email. */
export function customerKey(details: ComplaintDetails): string | undefined {
  const { customerId, contact } = details.complainant;
  if (customerId) return `id:${customerId}`;
  if (contact.phone) return `phone:${contact.phone.replace(/\D/g, '')}`;
  if (contact.email) return `email:${contact.email.trim().toLowerCase()}`;
  return undefined;
}

export async function customerHistory(tx: SqlClient, tenant: string, details: ComplaintDetails, now: Date) {
  const key = customerKey(details);
  if (!key) return { similar: [] as SimilarComplaint[], earlierInWindow: 0 };
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`customer:${tenant}:${key}`]);
  const since = new Date(now.getTime() - REPEAT_COMPLAINANT.windowDays * DAY_MS).toISOString();
  const { rows: similar } = await tx.query<{ complaint_id: string; reference: string; similarity: number }>(
    `SELECT complaint_id, reference, similarity(description, $3)::float AS similarity FROM complaint_index
      WHERE tenant = $1 AND customer_key = $2 AND received_at > $4 AND similarity(description, $3) >= $5
      ORDER BY similarity DESC LIMIT 3`,
    [tenant, key, details.description, since, DUPLICATE_SIMILARITY],
  );
  const { rows: count } = await tx.query<{ n: string }>(
    'SELECT count(*) AS n FROM complaint_index WHERE tenant = $1 AND customer_key = $2 AND received_at > $3',
    [tenant, key, since],
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

export async function indexComplaint(
  tx: SqlClient,
  tenant: string,
  details: ComplaintDetails,
  complaintId: string,
  reference: string,
  now: Date,
) {
  const key = customerKey(details);
  if (!key) return;
  await tx.query(
    'INSERT INTO complaint_index (complaint_id, tenant, customer_key, reference, description, received_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [complaintId, tenant, key, reference, details.description, now.toISOString()],
  );
}
