/**
 * Case commands over REST: each passes the case's one write path (case-writer.ts) as the user who
 * sent it; a refusal that policy recorded is answered 422, and the case it answers is revealed
 * through the key vault. Also the builders of commands that need facts read in the writing
 * transaction (the customer's fee waivers, the case's working calendar). Controllers stay a few lines each.
 */
import { Inject, Injectable } from '@nestjs/common';
import { RuleRejectedError } from '@complaints/decider';
import type { SqlClient, StoredEvent } from '@complaints/eventstore';
import { CLOCK, KEY_VAULT, type Clock, type RequestMeta } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import type { WorkingCalendar } from '@complaints/sla';
import type { CaseEventData, CaseState } from '../domain/case';
import type { CaseCommand } from '../domain/case.decide';
import type { GrantedWaiver } from '../domain/policy-limits';
import { CaseWriter, type CaseInput } from './case-writer';
import { grantedFeeWaivers } from './fee-waiver-ledger';
import { SlaSettings } from './sla-settings';
import { caseCalendar } from './sla-schedule';

/** A refusal that policy wants on the record: appended as an event, answered with 422. */
export class RecordedRefusal extends RuleRejectedError {}

export function presentCase(state: CaseState, version: number) {
  if (state.status === 'none') return { status: 'none', version };
  const { opened, ...facts } = state.facts;
  return { status: state.status, version, ...opened, ...facts };
}

/** The limit decision: an option refused by policy, with nothing proposed, is a 422 naming the refusal. */
export function throwIfRefused(appended: StoredEvent[]): void {
  const refusal = appended.find((e) => e.type === 'ResolutionOptionRefused');
  if (refusal && !appended.some((e) => e.type === 'ResolutionProposed')) {
    const { reason, kind } = refusal.data as CaseEventData['ResolutionOptionRefused'];
    throw new RecordedRefusal(
      `${reason}. The ${kind} option is refused and nothing was proposed or executed; the refusal is recorded on the case.`,
      { refused: kind, refusalEventId: refusal.eventId },
    );
  }
}

@Injectable()
export class CaseCommands {
  constructor(
    private readonly writer: CaseWriter,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
    private readonly sla: SlaSettings,
  ) {}

  async run(caseId: string, command: CaseInput, meta: RequestMeta) {
    const result = await this.writer.write(caseId, command, meta);
    throwIfRefused(result.appended);
    return this.vault.reveal(meta.tenant, presentCase(result.state, result.version));
  }

  /** Builds a command that needs the customer's fee waivers, read under a per-customer lock. */
  withFeeWaivers(tenant: string, build: (granted: GrantedWaiver[]) => CaseCommand) {
    return async (state: CaseState, tx: SqlClient): Promise<CaseCommand> => {
      const customerId = state.status === 'none' ? undefined : state.facts.opened.customerId;
      return build(customerId ? await grantedFeeWaivers(tx, tenant, customerId) : []);
    };
  }

  /** Builds a command that needs the working calendar the case's SLA clocks count in. */
  withCalendar(tenant: string, build: (calendar: WorkingCalendar) => CaseCommand) {
    // An unknown case still gets a calendar: the decider answers it with a 404.
    return (state: CaseState): Promise<CaseCommand> =>
      Promise.resolve(build(caseCalendar(this.sla, state, tenant, this.clock.now())));
  }
}
