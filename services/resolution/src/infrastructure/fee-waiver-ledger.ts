/**
 * The fee-waiver ledger: every waiver granted to a customer, across their cases, so the
 * once-per-period rule can be decided. Read under a per-customer lock and written in the same
 * transaction as the case's ResolutionExecuted (by the case write path), so two cases of one
 * customer never both grant one.
 */
import type { SqlClient, StoredEvent } from '@complaints/eventstore';
import type { CaseEventData } from '../domain/case';
import type { GrantedWaiver } from '../domain/policy-limits';

/** The customer's waivers, read under a lock held until the deciding transaction ends. */
export async function grantedFeeWaivers(tx: SqlClient, tenant: string, customerId: string): Promise<GrantedWaiver[]> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`fee-waiver:${tenant}:${customerId}`]);
  const { rows } = await tx.query<{ case_id: string; reference: string; granted_at: Date }>(
    'SELECT case_id, reference, granted_at FROM fee_waivers WHERE tenant = $1 AND customer_id = $2',
    [tenant, customerId],
  );
  return rows.map((r) => ({ caseId: r.case_id, reference: r.reference, grantedAt: r.granted_at.toISOString() }));
}

/** Enters the fee waivers among `appended` (a case's events just written) in the ledger. */
export async function recordFeeWaivers(tx: SqlClient, tenant: string, appended: StoredEvent[]): Promise<void> {
  for (const event of appended) {
    const data = event.data as CaseEventData['ResolutionExecuted'];
    if (event.type !== 'ResolutionExecuted' || data.kind !== 'fee-waiver') continue;
    const { rows } = await tx.query<{ customer_id: string | null; reference: string }>(
      `SELECT data->>'customerId' AS customer_id, data->>'reference' AS reference FROM events
        WHERE stream_id = $1 AND type = 'CaseOpened'`,
      [event.streamId],
    );
    const opened = rows[0];
    if (!opened?.customer_id) continue;
    await tx.query(
      'INSERT INTO fee_waivers (event_id, tenant, customer_id, case_id, reference, granted_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [event.eventId, tenant, opened.customer_id, data.caseId, opened.reference, data.executedAt],
    );
  }
}
