import { Controller, Get, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import { loadState, type Database, type EventStore } from '@complaints/eventstore';
import { DATABASE, EVENT_STORE } from '@complaints/kit';
import { complaintDecider, complaintStream } from '../domain/complaint.decide';

@ApiTags('complaints')
@Controller('complaints')
export class GetComplaintController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get(':id')
  async get(@Param('id', new ParseUUIDPipe()) id: string) {
    const loaded = await loadState(this.db, this.store, complaintDecider, complaintStream(id));
    if (!loaded || loaded.state.status !== 'received') throw new NotFoundError('Complaint', id);
    return { status: loaded.state.status, version: loaded.version, ...loaded.state.complaint };
  }
}
