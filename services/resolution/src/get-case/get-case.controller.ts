import { Controller, Get, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import { loadState, type Database, type EventStore } from '@complaints/eventstore';
import { DATABASE, EVENT_STORE } from '@complaints/kit';
import { caseDecider, caseStream } from '../domain/case.decide';
import { presentCase } from '../infrastructure/case-commands';

@ApiTags('cases')
@Controller('cases')
export class GetCaseController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const loaded = await loadState(this.db, this.store, caseDecider, caseStream(id));
    if (!loaded) throw new NotFoundError('Case', id);
    return presentCase(loaded.state, loaded.version);
  }
}
