/**
 * The one path every case command takes: load, seal its free text with the case's data subject
 * key, decide, append (retrying on a concurrent write), and keep the fee-waiver ledger in the same
 * transaction; the case it answers is revealed through the key vault. Controllers stay a few lines each.
 */
import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, RuleRejectedError, type CommandMetadata } from '@complaints/decider';
import {
  decideAndAppend,
  handleCommand,
  type Database,
  type EventStore,
  type SqlClient,
  type StoredEvent,
} from '@complaints/eventstore';
import { CLOCK, DATABASE, EVENT_STORE, KEY_VAULT, mayAccess, type Clock, type RequestMeta } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import type { CaseEventData, CaseState } from '../domain/case';
import { caseDecider, caseStream, type CaseCommand } from '../domain/case.decide';
import type { GrantedWaiver } from '../domain/policy-limits';
import type { SlaPolicy, WorkingCalendar } from '@complaints/sla';
import { hasFreeText, sealFreeText } from './personal-data';
import { SlaSettings } from './sla-settings';
import { scheduleSlaCheck } from './sla-schedule';

/** A refusal that policy wants on the record: appended as an event, answered with 422. */
export class RecordedRefusal extends RuleRejectedError {}

export function presentCase(state: CaseState, version: number) {
  if (state.status === 'none') return { status: 'none', version };
  const { opened, ...facts } = state.facts;
  return { status: state.status, version, ...opened, ...facts };
}

@Injectable()
export class CaseCommands {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
    private readonly sla: SlaSettings,
  ) {}

  async run(
    caseId: string,
    command: CaseCommand | ((state: CaseState, tx: SqlClient) => Promise<CaseCommand>),
    meta: RequestMeta,
  ) {
    const now = this.clock.now();
    // Department-scoped roles act only on their departments' cases; to them the others don't exist.
    const guarded = async (state: CaseState, tx: SqlClient): Promise<CaseCommand> => {
      if (state.status !== 'none' && !mayAccess(meta, meta.tenant, state.facts.department)) {
        throw new NotFoundError('Case', caseId);
      }
      return this.sealed(meta.tenant, state, typeof command === 'function' ? await command(state, tx) : command);
    };
    const result = await handleCommand(
      this.db,
      this.store,
      caseDecider,
      caseStream(caseId),
      guarded,
      { ...meta, now },
      {
        afterAppend: async (tx, appended, state) => {
          await this.recordFeeWaivers(tx, meta.tenant, appended);
          await scheduleSlaCheck(tx, this.sla, state as CaseState, meta.tenant, now);
          await this.openFollowOn(tx, appended, state as CaseState, { ...meta, now });
        },
      },
    );
    const refusal = result.appended.find((e) => e.type === 'ResolutionOptionRefused');
    if (refusal && !result.appended.some((e) => e.type === 'ResolutionProposed')) {
      const { reason, kind } = refusal.data as CaseEventData['ResolutionOptionRefused'];
      throw new RecordedRefusal(
        `${reason}. The ${kind} option is refused and nothing was proposed or executed; the refusal is recorded on the case.`,
        { refused: kind, refusalEventId: refusal.eventId },
      );
    }
    return this.vault.reveal(meta.tenant, presentCase(result.state, result.version));
  }

  /**
   * Free text sealed with the case's subject key (an erased subject's reads as "[erased]" at once).
   * A case opened before the subject id travelled has none: its text stays plain, as its complaint's did.
   */
  private async sealed(tenant: string, state: CaseState, command: CaseCommand): Promise<CaseCommand> {
    const subjectId = state.status === 'none' ? undefined : state.facts.opened.subjectId;
    if (!subjectId || !hasFreeText(command)) return command;
    return sealFreeText(command, await this.vault.sealerFor(tenant, subjectId));
  }

  /** Builds a command that needs the customer's fee waivers, read under a per-customer lock. */
  withFeeWaivers(tenant: string, build: (granted: GrantedWaiver[]) => CaseCommand) {
    return async (state: CaseState, tx: SqlClient): Promise<CaseCommand> => {
      const customerId = state.status === 'none' ? undefined : state.facts.opened.customerId;
      if (!customerId) return build([]);
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`fee-waiver:${tenant}:${customerId}`]);
      const { rows } = await tx.query<{ case_id: string; reference: string; granted_at: Date }>(
        'SELECT case_id, reference, granted_at FROM fee_waivers WHERE tenant = $1 AND customer_id = $2',
        [tenant, customerId],
      );
      return build(
        rows.map((r) => ({ caseId: r.case_id, reference: r.reference, grantedAt: r.granted_at.toISOString() })),
      );
    };
  }

  /** Builds a command that needs the working calendar the case's SLA clocks count in. */
  withCalendar(build: (calendar: WorkingCalendar) => CaseCommand) {
    return (state: CaseState): Promise<CaseCommand> => {
      const opened = state.status === 'none' ? undefined : state.facts;
      // An unknown case still gets a calendar: the decider answers it with a 404.
      return Promise.resolve(
        build(this.sla.calendar(opened?.sla.calendarId ?? 'CN', new Date(opened?.opened.openedAt ?? this.clock.now()))),
      );
    };
  }

  /** Past the reopen window the matter continues in a new case, opened in the same transaction. */
  private async openFollowOn(
    tx: SqlClient,
    appended: StoredEvent[],
    state: CaseState,
    meta: CommandMetadata,
  ): Promise<void> {
    const followOn = appended.find((e) => e.type === 'FollowOnCaseOpened');
    if (!followOn || state.status === 'none') return;
    const { followOnCaseId } = followOn.data as CaseEventData['FollowOnCaseOpened'];
    const { opened, sla, department } = state.facts;
    const policy: SlaPolicy = {
      id: sla.policyId,
      regime: sla.regime,
      calendarId: sla.calendarId,
      clocks: sla.clocks,
      description: `as on ${opened.reference}`,
      applies: {},
    };
    const data = {
      caseId: followOnCaseId,
      complaintId: opened.complaintId,
      reference: `${opened.reference}-F${state.facts.followOnCaseIds?.length ?? 1}`,
      department,
      queue: opened.queue,
      category: opened.category,
      priority: opened.priority,
      receivedAt: meta.now.toISOString(),
      linkedCaseId: opened.caseId,
      policy,
      calendar: this.sla.calendar(sla.calendarId, meta.now),
      ...(opened.customerId ? { customerId: opened.customerId } : {}),
      ...(opened.subjectId ? { subjectId: opened.subjectId } : {}),
    };
    await decideAndAppend(tx, this.store, caseDecider, caseStream(followOnCaseId), { type: 'OpenCase', data }, meta, {
      afterAppend: (inner, _events, opened) =>
        scheduleSlaCheck(inner, this.sla, opened as CaseState, meta.tenant, meta.now),
    });
  }

  private async recordFeeWaivers(tx: SqlClient, tenant: string, appended: StoredEvent[]): Promise<void> {
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
}
