/**
 * Durable SLA wake-ups: one row per case holding the next instant the monitor must look at it.
 * Rewritten in the same transaction as every change to the case, so a restart loses nothing;
 * claimed with FOR UPDATE SKIP LOCKED, so several resolution instances never fire the same thing.
 */
import type { SqlClient, StoredEvent } from '@complaints/eventstore';
import type { CaseState } from '../domain/case';
import { nextSlaCheck } from '../domain/case-sla';
import type { SlaSettings } from './sla-settings';

export async function scheduleSlaCheck(
  tx: SqlClient,
  settings: SlaSettings,
  state: CaseState,
  tenant: string,
  now: Date,
): Promise<void> {
  if (state.status === 'none') return;
  const { facts } = state;
  const calendar = settings.calendar(facts.sla.calendarId, new Date(facts.opened.openedAt));
  const next = nextSlaCheck(calendar, facts, now);
  if (!next) {
    await tx.query('DELETE FROM sla_checks WHERE case_id = $1', [facts.opened.caseId]);
    return;
  }
  await tx.query(
    `INSERT INTO sla_checks (case_id, tenant, due_at) VALUES ($1, $2, $3)
     ON CONFLICT (case_id) DO UPDATE SET due_at = EXCLUDED.due_at, updated_at = now()`,
    [facts.opened.caseId, tenant, next.toISOString()],
  );
}

/** The hook every case command runs after its append. */
export const rescheduleAfter =
  (settings: SlaSettings, tenant: string, now: Date) =>
  (tx: SqlClient, _appended: StoredEvent[], state: unknown): Promise<void> =>
    scheduleSlaCheck(tx, settings, state as CaseState, tenant, now);
