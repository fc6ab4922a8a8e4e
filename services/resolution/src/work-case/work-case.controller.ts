/** The agent's commands on a case. Each one: load, decide, append; refusals come back as 4xx. */
import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { handleCommand, type Database, type EventStore } from '@complaints/eventstore';
import { CLOCK, DATABASE, EVENT_STORE, Meta, type Clock, type RequestMeta } from '@complaints/kit';
import type { CaseState } from '../domain/case';
import { caseDecider, caseStream, type CaseCommand } from '../domain/case.decide';
import { AcknowledgeCaseDto, CloseCaseDto, ResolveCaseDto } from './work-case.dto';

@ApiTags('cases')
@Controller('cases/:id')
export class WorkCaseController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async run(command: CaseCommand & { data: { caseId: string } }, meta: RequestMeta) {
    const { state, version } = await handleCommand(
      this.db,
      this.store,
      caseDecider,
      caseStream(command.data.caseId),
      command,
      {
        ...meta,
        now: this.clock.now(),
      },
    );
    return present(state, version);
  }

  @Post('acknowledge')
  @HttpCode(200)
  acknowledge(
    @Param('id', new ParseUUIDPipe()) caseId: string,
    @Body() body: AcknowledgeCaseDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.run({ type: 'AcknowledgeCase', data: { caseId, channel: body.channel, summary: body.summary } }, meta);
  }

  @Post('resolve')
  @HttpCode(200)
  resolve(@Param('id', new ParseUUIDPipe()) caseId: string, @Body() body: ResolveCaseDto, @Meta() meta: RequestMeta) {
    return this.run({ type: 'ResolveCase', data: { caseId, summary: body.summary } }, meta);
  }

  @Post('close')
  @HttpCode(200)
  close(@Param('id', new ParseUUIDPipe()) caseId: string, @Body() body: CloseCaseDto, @Meta() meta: RequestMeta) {
    return this.run({ type: 'CloseCase', data: { caseId, ...body } }, meta);
  }
}

export function present(state: CaseState, version: number) {
  if (state.status === 'none') return { status: 'none', version };
  return { status: state.status, version, ...state.facts };
}
