/**
 * What a registration reads before it decides, and what it records besides its events, one
 * statement each. Before: the SQL function `registration_context` (migrations.ts) returns the
 * registration an earlier request made under the same de-duplication key, or else — under the
 * per-customer lock — the customer's history and the reference number. After: the complaint's
 * entry in the customer index and, for a de-duplicated request, the record a repeat is answered from.
 */
import type { SqlClient } from '@complaints/eventstore';
import {
  customerHistoryOf,
  DUPLICATE_SIMILARITY,
  repeatWindowStart,
  type CustomerHistory,
  type SimilarComplaint,
} from '../customer-history';

export type RegistrationContext =
  { earlier: { requestHash: string; response: unknown } } | { history: CustomerHistory; reference: string };

interface ContextRow {
  earlier_request_hash: string | null;
  earlier_response: unknown;
  similar_complaints: SimilarComplaint[] | null;
  complaints_in_window: string | null;
  reference_number: string | null;
}

/** What a registration is read for: `trigrams` are its description's, tagged with its subject's key (trigrams.ts). */
export interface Registering {
  tenant: string;
  dedup?: { key: string; client: string };
  subjectId: string;
  trigrams: string[];
  now: Date;
}

export async function registrationContext(tx: SqlClient, registration: Registering): Promise<RegistrationContext> {
  const { tenant, dedup, subjectId, trigrams, now } = registration;
  const year = now.getUTCFullYear();
  const { rows } = await tx.query<ContextRow>('SELECT * FROM registration_context($1, $2, $3, $4, $5, $6, $7, $8)', [
    tenant,
    dedup?.client ?? '',
    dedup?.key ?? null,
    subjectId,
    trigrams,
    repeatWindowStart(now).toISOString(),
    DUPLICATE_SIMILARITY,
    year,
  ]);
  const row = rows[0]!;
  if (row.earlier_request_hash !== null) {
    return { earlier: { requestHash: row.earlier_request_hash, response: row.earlier_response } };
  }
  return {
    history: customerHistoryOf(row.similar_complaints ?? [], row.complaints_in_window ?? 0),
    reference: referenceOf(year, row.reference_number!),
  };
}

/**
 * CMP-<year>-<number>: unique and increasing within the tenant's year, from the tenant's sequence for
 * the year (migrations.ts: one per tenant, so no tenant can count another's complaints),
 * so registrations do not queue behind each other's commits. A registration that fails after taking
 * its number leaves a gap: the event log, not the numbering, is the complete record.
 */
function referenceOf(year: number, number: string): string {
  return `CMP-${year}-${number.padStart(6, '0')}`;
}

/**
 * Every complaint is indexed under its subject with its tagged trigrams (matching reads them, and
 * erasure finds the subject's complaints); with `dedup`, the response is recorded for repeats of
 * the request by the same client, in the same statement.
 */
export async function recordRegistration(
  tx: SqlClient,
  tenant: string,
  subjectId: string,
  complaint: { complaintId: string; reference: string; trigrams: string[]; receivedAt: string },
  dedup?: { key: string; client: string; requestHash: string; response: unknown },
): Promise<void> {
  const indexed = [
    complaint.complaintId,
    tenant,
    subjectId,
    complaint.reference,
    complaint.trigrams,
    complaint.receivedAt,
  ];
  const insertIndex =
    'INSERT INTO complaint_index (complaint_id, tenant, subject_id, reference, description_trigrams, received_at) VALUES ($1, $2, $3, $4, $5, $6)';
  if (!dedup) {
    await tx.query(insertIndex, indexed);
    return;
  }
  await tx.query(
    `WITH indexed AS (${insertIndex})
     INSERT INTO idempotency_keys (tenant, client, key, request_hash, complaint_id, response)
     VALUES ($2, $7, $8, $9, $1, $10::jsonb)`,
    [...indexed, dedup.client, dedup.key, dedup.requestHash, JSON.stringify(dedup.response)],
  );
}
