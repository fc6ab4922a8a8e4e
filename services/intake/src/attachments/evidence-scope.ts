/**
 * Department scope for evidence: an attachment belongs to the cases of the complaints that sent it,
 * and an agent or department head reads it only while one of those cases is with one of its
 * departments — the rule resolution applies to reading the case. Intake learns where each case is
 * from resolution's events; a complaint whose case is not opened yet is no department's.
 */
import type { SqlClient } from '@complaints/eventstore';
import type { IntegrationEvent } from '@complaints/contracts';
import { complaintStream } from '../domain/complaint.decide';

/** Keeps complaint_departments current: idempotent, and an older placement never overwrites a newer one. */
export async function placeComplaint(event: IntegrationEvent, tx: SqlClient): Promise<void> {
  if (event.type === 'case.opened.v1') {
    const { complaintId, department, openedAt } = event.data;
    await tx.query(
      `INSERT INTO complaint_departments (tenant, complaint_id, department, placed_at, attachments)
       SELECT $1, $2, $3, $4, ARRAY(
                SELECT a->>'sha256' FROM events e, jsonb_array_elements(coalesce(e.data->'attachments', '[]')) a
                 WHERE e.stream_id = $5 AND e.stream_version = 1)
       ON CONFLICT (tenant, complaint_id) DO UPDATE SET department = EXCLUDED.department, placed_at = EXCLUDED.placed_at
        WHERE complaint_departments.placed_at <= EXCLUDED.placed_at`,
      [event.tenant, complaintId, department, openedAt, complaintStream(complaintId)],
    );
  } else if (event.type === 'case.reassigned.v1') {
    await tx.query(
      `UPDATE complaint_departments SET department = $3, placed_at = $4
        WHERE tenant = $1 AND complaint_id::text = $2 AND placed_at <= $4`,
      [event.tenant, event.subject, event.data.department, event.data.reassignedAt],
    );
  }
}

/** Whether a case that sent `sha256` is with one of `departments` now (the caller's tenant: row-level security). */
export async function isEvidenceOf(db: SqlClient, sha256: string, departments: string[]): Promise<boolean> {
  const { rows } = await db.query(
    'SELECT 1 FROM complaint_departments WHERE attachments @> ARRAY[$1::text] AND department = ANY($2::text[]) LIMIT 1',
    [sha256, departments],
  );
  return rows.length > 0;
}
