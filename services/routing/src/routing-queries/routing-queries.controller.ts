import { Controller, Get, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import { loadState, type Database, type EventStore } from '@complaints/eventstore';
import { DATABASE, EVENT_STORE, Meta, type RequestMeta } from '@complaints/kit';
import { routingDecider, routingStream } from '../domain/routing';
import { RoutingData } from '../rule-tables/rule-files';

@ApiTags('routing')
@Controller()
export class RoutingQueriesController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly data: RoutingData,
  ) {}

  /** The rule table in force for the caller's tenant (X-Tenant-Id), so supervisors can see why a complaint went where it went. */
  @Get('routing/rules')
  rules(@Meta() meta: RequestMeta) {
    return { tenant: meta.tenant, ...this.data.tableFor(meta.tenant) };
  }

  /** The routing in force: the engine's decision with its explanation, and where any reroute has put it since. */
  @Get('routings/:complaintId')
  async routing(@Param('complaintId', new ParseUUIDPipe()) complaintId: string) {
    const loaded = await loadState(this.db, this.store, routingDecider, routingStream(complaintId));
    if (!loaded || loaded.state.status !== 'routed') throw new NotFoundError('Routing of complaint', complaintId);
    return { ...loaded.state.routing, current: loaded.state.current, version: loaded.version };
  }

  /** Every routing decision in order: the engine's, then each reroute with who made it and why. */
  @Get('routings/:complaintId/history')
  async history(@Param('complaintId', new ParseUUIDPipe()) complaintId: string) {
    const events = await this.store.readStream(this.db, routingStream(complaintId));
    if (events.length === 0) throw new NotFoundError('Routing of complaint', complaintId);
    return {
      complaintId,
      history: events.map((e) => ({
        version: e.streamVersion,
        type: e.type,
        at: e.metadata.time,
        actor: e.metadata.actor,
        data: e.data,
      })),
    };
  }
}
