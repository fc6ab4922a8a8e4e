/** Reading a case: its current state, and its SLA clocks as they stand now. */
import { Controller, Get, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import { loadState, type Database, type EventStore } from '@complaints/eventstore';
import { CLOCK, DATABASE, EVENT_STORE, type Clock } from '@complaints/kit';
import { readClocks } from '../domain/case-sla';
import { caseDecider, caseStream } from '../domain/case.decide';
import { presentCase } from '../infrastructure/case-commands';
import { SlaSettings } from '../infrastructure/sla-settings';

@ApiTags('cases')
@Controller('cases')
export class GetCaseController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly sla: SlaSettings,
  ) {}

  private async load(id: string) {
    const loaded = await loadState(this.db, this.store, caseDecider, caseStream(id));
    if (!loaded || loaded.state.status === 'none') throw new NotFoundError('Case', id);
    return { ...loaded, state: loaded.state };
  }

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const { state, version } = await this.load(id);
    return presentCase(state, version);
  }

  /** Each clock with its policy, due time, elapsed and remaining (business and calendar), state and escalation level. */
  @Get(':id/clocks')
  async clocks(@Param('id', new ParseUUIDPipe()) id: string) {
    const { state } = await this.load(id);
    const now = this.clock.now();
    const { sla } = state.facts;
    return {
      caseId: id,
      at: now.toISOString(),
      policy: { id: sla.policyId, regime: sla.regime, calendar: sla.calendarId },
      escalationLevel: state.facts.escalationLevel,
      clocks: readClocks(this.sla.calendar(sla.calendarId, new Date(state.facts.opened.openedAt)), state.facts, now),
    };
  }
}
