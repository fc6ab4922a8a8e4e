/**
 * Durable SLA wake-ups: one row per case holding the next instant the monitor must look at it.
 * Rewritten in the same transaction as every change to the case (by the case write path), so a
 * restart loses nothing; claimed with FOR UPDATE SKIP LOCKED, so several resolution instances never
 * fire the same thing. A case whose evaluation fails is put off on its own (exponential back-off,
 * capped), so it neither holds back the other cases nor is claimed at every poll.
 */
import type { SqlClient } from '@complaints/eventstore';
import type { WorkingCalendar } from '@complaints/sla';
import type { CaseState } from '../domain/case';
import { nextSlaCheck } from '../domain/case-sla';
import { calendarPinOf, type SlaSettings } from './sla-settings';

/**
 * The working calendar a case's SLA clocks count in (a case not opened yet: the default one): the
 * tenant's calendar version its clocks name, the one they were counted on at open, whatever the
 * tenant publishes since (a running clock keeps its rules).
 */
export function caseCalendar(settings: SlaSettings, state: CaseState, tenant: string, now: Date): WorkingCalendar {
  if (state.status === 'none') return settings.calendar(tenant, 'CN', now);
  const { opened, sla } = state.facts;
  return settings.calendar(tenant, sla.calendarId, new Date(opened.openedAt), calendarPinOf(sla.clocks));
}

/** Writes the case's next wake-up (none when nothing can fire any more); a fresh one has no failures. */
export async function scheduleSlaCheck(
  tx: SqlClient,
  settings: SlaSettings,
  state: CaseState,
  tenant: string,
  now: Date,
): Promise<void> {
  if (state.status === 'none') return;
  const { facts } = state;
  const next = nextSlaCheck(caseCalendar(settings, state, tenant, now), facts, now);
  if (!next) {
    await tx.query('DELETE FROM sla_checks WHERE tenant = $1 AND case_id = $2', [tenant, facts.opened.caseId]);
    return;
  }
  await tx.query(
    `INSERT INTO sla_checks (case_id, tenant, due_at) VALUES ($1, $2, $3)
     ON CONFLICT (tenant, case_id) DO UPDATE SET due_at = EXCLUDED.due_at, failures = 0, updated_at = now()`,
    [facts.opened.caseId, tenant, next.toISOString()],
  );
}

/**
 * Takes the case's wake-up row before a write of its own transaction touches the case's stream: the
 * monitor claims the row first and then appends, so a writer that appended first and then waited on
 * the row would deadlock with it. Taken in the same order, one waits for the other.
 */
export async function lockSlaCheck(tx: SqlClient, tenant: string, caseId: string): Promise<void> {
  await tx.query('SELECT 1 FROM sla_checks WHERE tenant = $1 AND case_id = $2 FOR UPDATE', [tenant, caseId]);
}

export interface DueCheck {
  caseId: string;
  tenant: string;
  /** Evaluations of this case that failed in a row. */
  failures: number;
}

/** The earliest wake-up due by `now` that no other instance holds, locked until the transaction ends. */
export async function claimDueCheck(tx: SqlClient, now: Date): Promise<DueCheck | undefined> {
  const { rows } = await tx.query<{ case_id: string; tenant: string; failures: number }>(
    `SELECT case_id, tenant, failures FROM sla_checks WHERE due_at <= $1 ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [now.toISOString()],
  );
  const due = rows[0];
  return due && { caseId: due.case_id, tenant: due.tenant, failures: due.failures };
}

/** The first retry of a failing evaluation comes after 30 s, each next one twice as late, never over an hour. */
export const SLA_BACKOFF = { firstMs: 30_000, maxMs: 3_600_000 } as const;

export function backoffDelay(failures: number): number {
  return Math.min(SLA_BACKOFF.maxMs, SLA_BACKOFF.firstMs * 2 ** Math.max(0, failures - 1));
}

/** Counts one more failed evaluation of the case and puts its wake-up off accordingly; returns when it comes. */
export async function backOffSlaCheck(tx: SqlClient, due: DueCheck, now: Date): Promise<Date> {
  const failures = due.failures + 1;
  const retryAt = new Date(now.getTime() + backoffDelay(failures));
  await tx.query(
    'UPDATE sla_checks SET failures = $3, due_at = $4, updated_at = now() WHERE tenant = $1 AND case_id = $2',
    [due.tenant, due.caseId, failures, retryAt.toISOString()],
  );
  return retryAt;
}

/** How many cases' evaluations are failing now (backing off). */
export async function checksBackingOff(client: SqlClient): Promise<number> {
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM sla_checks WHERE failures > 0');
  return rows[0]?.n ?? 0;
}
