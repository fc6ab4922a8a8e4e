/** Reading a case: its current state, and its SLA clocks as they stand now. */
import { Controller, Get, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import { loadState, type Database, type EventStore } from '@complaints/eventstore';
import {
  CAN,
  CLOCK,
  DATABASE,
  EVENT_STORE,
  KEY_VAULT,
  Meta,
  Roles,
  mayAccess,
  type Clock,
  type RequestMeta,
  ApiEndpoint,
} from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import { readClocks } from '../domain/case-sla';
import { caseDecider, caseStream } from '../domain/case.decide';
import { presentCase } from '../infrastructure/case-commands';
import { caseCalendar } from '../infrastructure/sla-schedule';
import { SlaSettings } from '../infrastructure/sla-settings';
import { CaseClocksDto, CaseViewDto } from '../responses.dto';

@ApiTags('cases')
@Roles(...CAN.readCases)
@Controller('cases')
export class GetCaseController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
    private readonly sla: SlaSettings,
  ) {}

  private async load(id: string, meta: RequestMeta) {
    const loaded = await loadState(this.db, this.store, caseDecider, caseStream(id), meta.tenant);
    if (!loaded || loaded.state.status === 'none' || !mayAccess(meta, meta.tenant, loaded.state.facts.department)) {
      throw new NotFoundError('Case', id);
    }
    return { ...loaded, state: loaded.state };
  }

  @ApiEndpoint('Read a case', 'The case with its facts, free text revealed (or "[erased]").', [400, 404], {
    type: CaseViewDto,
  })
  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @Meta() meta: RequestMeta) {
    const { state, version } = await this.load(id, meta);
    // Free text is stored sealed: shown in plain text while the subject's key lives, else "[erased]".
    return this.vault.reveal(meta.tenant, presentCase(state, version));
  }

  /** Each clock with its policy, due time, elapsed and remaining (business and calendar), state and escalation level. */
  @ApiEndpoint(
    'Read a case’s SLA clocks',
    'Each clock with its policy, due time, elapsed and remaining (business and calendar), state and escalation level.',
    [400, 404],
    { type: CaseClocksDto },
  )
  @Get(':id/clocks')
  async clocks(@Param('id', new ParseUUIDPipe()) id: string, @Meta() meta: RequestMeta) {
    const { state } = await this.load(id, meta);
    const now = this.clock.now();
    const { sla } = state.facts;
    return {
      caseId: id,
      at: now.toISOString(),
      policy: { id: sla.policyId, regime: sla.regime, calendar: sla.calendarId },
      escalationLevel: state.facts.escalationLevel,
      clocks: readClocks(caseCalendar(this.sla, state, meta.tenant, now), state.facts, now),
    };
  }
}
