import { Controller, Get, Inject, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import { loadState, type Database, type EventStore } from '@complaints/eventstore';
import {
  ApiEndpoint,
  CAN,
  DATABASE,
  EVENT_STORE,
  HISTORY_PAGE,
  Meta,
  Paged,
  Roles,
  mayAccess,
  pageOf,
  strictQuery,
  type RequestMeta,
} from '@complaints/kit';
import { routingDecider, routingStream } from '../domain/routing';
import { RoutingPolicies } from '../infrastructure/policies';
import { RoutingHistoryDto, RoutingViewDto, RuleTableDto } from '../responses.dto';

@ApiTags('routing')
@Controller()
export class RoutingQueriesController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly data: RoutingPolicies,
  ) {}

  /** The rule table in force for the caller's tenant, so supervisors can see why a complaint went where it went. */
  @ApiEndpoint(
    'Read the rule table',
    'The rule table in force for the caller’s tenant, so supervisors can see why a complaint went where it went.',
    [],
    { type: RuleTableDto },
  )
  @Get('routing/rules')
  @Roles('supervisor', 'department-head', 'complaints-officer', 'quality-inspector', 'auditor', 'admin')
  rules(@Meta() meta: RequestMeta) {
    const { table, policy } = this.data.tableAt(meta.tenant);
    return { tenant: meta.tenant, ...table, policy };
  }

  /** The routing in force: the engine's decision with its explanation, and where any reroute has put it since. */
  @ApiEndpoint(
    'Read a routing',
    'The engine’s decision with its explanation, and where any reroute has put the complaint since.',
    [400, 404],
    { type: RoutingViewDto },
  )
  @Get('routings/:complaintId')
  @Roles(...CAN.readCases)
  async routing(@Param('complaintId', new ParseUUIDPipe()) complaintId: string, @Meta() meta: RequestMeta) {
    const loaded = await this.visible(complaintId, meta);
    return { ...loaded.state.routing, current: loaded.state.current, version: loaded.version };
  }

  /** Every routing decision in order: the engine's, then each reroute with who made it and why. */
  @ApiEndpoint(
    'Read a routing’s history',
    'Every routing decision in order: the engine’s, then each reroute with who made it and why.',
    [400, 404],
    { type: RoutingHistoryDto, paged: true },
  )
  @Get('routings/:complaintId/history')
  @Roles(...CAN.readCases)
  @Paged(HISTORY_PAGE)
  async history(
    @Param('complaintId', new ParseUUIDPipe()) complaintId: string,
    @Query() raw: unknown,
    @Meta() meta: RequestMeta,
  ) {
    const query = strictQuery(raw, ['limit', 'cursor']);
    await this.visible(complaintId, meta);
    const events = await this.store.readStream(this.db, routingStream(complaintId));
    const history = events.map((e) => ({
      version: e.streamVersion,
      type: e.type,
      at: e.metadata.time,
      actor: e.metadata.actor,
      data: e.data,
    }));
    const { items, next } = pageOf(history, (h) => String(h.version), query, HISTORY_PAGE);
    return { complaintId, history: items, next };
  }

  /** The routing, when it is the caller's tenant's and (for department-scoped roles) department's. */
  private async visible(complaintId: string, meta: RequestMeta) {
    const loaded = await loadState(this.db, this.store, routingDecider, routingStream(complaintId), meta.tenant);
    if (!loaded || loaded.state.status !== 'routed' || !mayAccess(meta, meta.tenant, loaded.state.current.department)) {
      throw new NotFoundError('Routing of complaint', complaintId);
    }
    return { ...loaded, state: loaded.state };
  }
}
