import { Controller, Get, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import { loadState, type Database, type EventStore } from '@complaints/eventstore';
import { DATABASE, EVENT_STORE } from '@complaints/kit';
import { routingDecider, routingStream } from '../domain/routing';
import { DEFAULT_RULES } from '../domain/rules';

@ApiTags('routing')
@Controller()
export class RoutingQueriesController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  /** The rule table in force, so supervisors can see why a complaint went where it went. */
  @Get('routing/rules')
  rules() {
    return { rules: DEFAULT_RULES };
  }

  @Get('routings/:complaintId')
  async routing(@Param('complaintId', new ParseUUIDPipe()) complaintId: string) {
    const loaded = await loadState(this.db, this.store, routingDecider, routingStream(complaintId));
    if (!loaded || loaded.state.status !== 'routed') throw new NotFoundError('Routing of complaint', complaintId);
    return loaded.state.routing;
  }
}
