/**
 * The one write path of a case. Every change of a case — a command over REST, routing's events, the
 * SLA monitor, a follow-on case opened by a reopening — passes here, so the rules every change must
 * obey are attached once: load and fold the stream; build the command from the state when it needs
 * facts read in the transaction; check the department scope of a user acting; seal the command's
 * free text with the case's subject key; decide; append with the expected version; and then, in
 * the same transaction, enter fee waivers in the ledger, open follow-on cases (through this same
 * path) and reschedule the case's SLA wake-up. Publishing follows from the outbox after commit.
 */
import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, type Actor, type CommandMetadata } from '@complaints/decider';
import {
  decideAndAppend,
  handleCommand,
  type CommandHooks,
  type CommandResult,
  type Database,
  type EventStore,
  type SqlClient,
  type StoredEvent,
} from '@complaints/eventstore';
import { CLOCK, DATABASE, EVENT_STORE, KEY_VAULT, mayAccess, type Clock, type RequestMeta } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import type { SlaPolicy } from '@complaints/sla';
import type { CaseEventData, CaseState } from '../domain/case';
import { caseDecider, caseStream, type CaseCommand } from '../domain/case.decide';
import { recordFeeWaivers } from './fee-waiver-ledger';
import { hasFreeText, sealFreeText } from './personal-data';
import { calendarPinOf, SlaSettings } from './sla-settings';
import { lockSlaCheck, scheduleSlaCheck } from './sla-schedule';

/** A command, or a function building it from the case's state inside the writing transaction. */
export type CaseInput = CaseCommand | ((state: CaseState, tx: SqlClient) => Promise<CaseCommand>);

/** The system acting on the case: on an event (routing's), on a timer (the SLA monitor), or as a follow-on. */
export interface SystemAuthor {
  actor: Actor;
  tenant: string;
  correlationId: string;
  causationId?: string | null;
}

/** Who changes the case: a user over REST (confined to their departments' cases) or the system. */
export type CaseAuthor = RequestMeta | SystemAuthor;

/** A change of the case caused by an integration event (routing's), made by `actor`. */
export const causedBy = (event: { tenant: string; correlationId: string; id: string }, actor: Actor): SystemAuthor => ({
  actor,
  tenant: event.tenant,
  correlationId: event.correlationId,
  causationId: event.id,
});

const isUser = (author: CaseAuthor): author is RequestMeta => 'principal' in author;

@Injectable()
export class CaseWriter {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
    private readonly sla: SlaSettings,
  ) {}

  /** Writes in a transaction of its own, deciding again when a concurrent writer won the race. */
  write(caseId: string, input: CaseInput, author: CaseAuthor): Promise<CommandResult<CaseState>> {
    const meta = this.metaOf(author);
    return handleCommand(
      this.db,
      this.store,
      caseDecider,
      caseStream(caseId),
      async (state, tx) => {
        // The wake-up row before the stream, in the monitor's order (sla-schedule.ts lockSlaCheck).
        await lockSlaCheck(tx, meta.tenant, caseId);
        return this.prepare(caseId, input, author)(state, tx);
      },
      meta,
      {
        afterAppend: this.afterAppend(meta),
      },
    );
  }

  /** Writes within the caller's transaction (a consumer's inbox record, the monitor's claim). */
  async writeIn(
    tx: SqlClient,
    caseId: string,
    input: CaseInput,
    author: CaseAuthor,
  ): Promise<CommandResult<CaseState>> {
    const meta = this.metaOf(author);
    const hooks: CommandHooks = { afterAppend: this.afterAppend(meta) };
    const result = await decideAndAppend(
      tx,
      this.store,
      caseDecider,
      caseStream(caseId),
      this.prepare(caseId, input, author),
      meta,
      hooks,
    );
    // A look that changed nothing (e.g. nothing was due after all) still moves the wake-up on.
    if (result.appended.length === 0) await scheduleSlaCheck(tx, this.sla, result.state, meta.tenant, meta.now);
    return result;
  }

  private metaOf(author: CaseAuthor): CommandMetadata {
    const { actor, tenant, correlationId } = author;
    const causationId = isUser(author) ? undefined : author.causationId;
    return { now: this.clock.now(), actor, tenant, correlationId, ...(causationId ? { causationId } : {}) };
  }

  /** Scope, then the command, then its free text sealed: what the decider sees. */
  private prepare(caseId: string, input: CaseInput, author: CaseAuthor) {
    return async (state: CaseState, tx: SqlClient): Promise<CaseCommand> => {
      // Department-scoped roles act only on their departments' cases; to them the others don't exist.
      if (isUser(author) && state.status !== 'none' && !mayAccess(author, author.tenant, state.facts.department)) {
        throw new NotFoundError('Case', caseId);
      }
      const command = typeof input === 'function' ? await input(state, tx) : input;
      return this.sealed(author.tenant, state, command);
    };
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

  /** What every append brings along, in its transaction: the ledger, follow-on cases, the SLA wake-up. */
  private afterAppend(meta: CommandMetadata) {
    return async (tx: SqlClient, appended: StoredEvent[], after: unknown): Promise<void> => {
      const state = after as CaseState;
      await recordFeeWaivers(tx, meta.tenant, appended);
      for (const event of appended) {
        if (event.type !== 'FollowOnCaseOpened' || state.status === 'none') continue;
        const { followOnCaseId } = event.data as CaseEventData['FollowOnCaseOpened'];
        await this.writeIn(tx, followOnCaseId, this.followOn(state, followOnCaseId, meta.tenant, meta.now), meta);
      }
      await scheduleSlaCheck(tx, this.sla, state, meta.tenant, meta.now);
    };
  }

  /** Past the reopen window the matter continues in a new case, under the closed one's SLA policy. */
  private followOn(
    state: Exclude<CaseState, { status: 'none' }>,
    followOnCaseId: string,
    tenant: string,
    now: Date,
  ): CaseCommand {
    const { opened, sla, department } = state.facts;
    const policy: SlaPolicy = {
      id: sla.policyId,
      regime: sla.regime,
      calendarId: sla.calendarId,
      clocks: sla.clocks,
      description: `as on ${opened.reference}`,
      applies: {},
    };
    return {
      type: 'OpenCase',
      data: {
        caseId: followOnCaseId,
        complaintId: opened.complaintId,
        reference: `${opened.reference}-F${state.facts.followOnCaseIds?.length ?? 1}`,
        department,
        queue: opened.queue,
        category: opened.category,
        priority: opened.priority,
        receivedAt: now.toISOString(),
        linkedCaseId: opened.caseId,
        policy,
        // The closed case's clocks run on the calendar version they name.
        calendar: this.sla.calendar(tenant, sla.calendarId, now, calendarPinOf(sla.clocks)),
        ...(opened.customerId ? { customerId: opened.customerId } : {}),
        ...(opened.subjectId ? { subjectId: opened.subjectId } : {}),
      },
    };
  }
}
