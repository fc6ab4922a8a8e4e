/** A supervisor or above overrules the routing engine: another department, queue, category or priority, with a reason. */
import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { PRIORITIES } from '@complaints/contracts';
import { handleCommand, type Database, type EventStore } from '@complaints/eventstore';
import {
  CLOCK,
  DATABASE,
  EVENT_STORE,
  Meta,
  Roles,
  mayAccess,
  type Clock,
  type RequestMeta,
  ApiEndpoint,
} from '@complaints/kit';
import { NotFoundError } from '@complaints/decider';
import { REROUTING_ROLES, routingDecider, routingStream, type Priority, type RoutingCommand } from '../domain/routing';
import { DEGREES, type Degree } from '../domain/rules';
import { readWorkload, recordAssignments } from '../infrastructure/workload';
import { RoutingPolicies } from '../infrastructure/policies';
import { RerouteResultDto } from '../responses.dto';

export class RerouteDto {
  @ApiProperty({ example: 'billing' }) @IsString() @IsNotEmpty() @MaxLength(200) department!: string;
  @ApiPropertyOptional({ description: "The department's first queue when absent" })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  queue?: string;
  @ApiPropertyOptional({
    description:
      "One of the tenant's rule table; when absent, the one the new department's rules imply. Required out of triage when they imply none (else 422).",
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  category?: string;
  @ApiPropertyOptional({ enum: PRIORITIES }) @IsOptional() @IsIn(PRIORITIES) priority?: Priority;
  @ApiPropertyOptional({ enum: DEGREES }) @IsOptional() @IsIn(DEGREES) degree?: Degree;
  @ApiProperty({ example: 'Tariff question, not a meter fault' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  reason!: string;
}

@ApiTags('routing')
@Controller('routings/:complaintId/reroute')
export class RerouteController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly data: RoutingPolicies,
  ) {}

  @ApiEndpoint(
    'Reroute a complaint',
    'Moves a complaint to another department, queue, category or priority, with the reason; the case follows.',
    [400, 404, 409, 422],
    { type: RerouteResultDto },
  )
  @Post()
  @HttpCode(200)
  @Roles(...REROUTING_ROLES)
  async reroute(
    @Param('complaintId', new ParseUUIDPipe()) complaintId: string,
    @Body() body: RerouteDto,
    @Meta() meta: RequestMeta,
  ) {
    // Checked against the rules and directory in force now, named on the reroute.
    const now = this.clock.now();
    const rules = this.data.tableAt(meta.tenant, now);
    const { directory, policy: directoryPolicy } = this.data.directoryAt(meta.tenant, now);
    const result = await handleCommand(
      this.db,
      this.store,
      routingDecider,
      routingStream(complaintId),
      async (state, tx): Promise<RoutingCommand> => {
        // A department head moves only what is in a department of theirs.
        if (state.status === 'routed' && !mayAccess(meta, meta.tenant, state.current.department)) {
          throw new NotFoundError('Routing of complaint', complaintId);
        }
        return {
          type: 'RerouteComplaint',
          data: {
            complaintId,
            ...body,
            directory,
            rules: rules.table,
            workload: await readWorkload(tx, meta.tenant),
            policies: { rulesPolicy: rules.policy, directoryPolicy },
          },
        };
      },
      { ...meta, now },
      { afterAppend: (tx, appended) => recordAssignments(tx, meta.tenant, directory, appended) },
    );
    return { complaintId, version: result.version, ...(result.state.status === 'routed' ? result.state.current : {}) };
  }
}
