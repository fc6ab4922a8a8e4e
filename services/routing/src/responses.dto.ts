/** What routing answers, as OpenAPI schemas: clients generated from the document get typed data. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PolicyRefDto } from '@complaints/policy';

const PRIORITIES = ['urgent', 'high', 'normal', 'low'];

export class PlacementDto {
  @ApiProperty()
  department!: string;
  @ApiProperty()
  queue!: string;
  @ApiProperty()
  category!: string;
  @ApiProperty({ enum: PRIORITIES })
  priority!: string;
  @ApiPropertyOptional()
  agentId?: string;
}

export class RoutingViewDto {
  @ApiProperty({ format: 'uuid' })
  complaintId!: string;
  @ApiProperty()
  reference!: string;
  @ApiProperty({ description: 'The engine’s department' })
  department!: string;
  @ApiProperty()
  queue!: string;
  @ApiProperty()
  category!: string;
  @ApiProperty({ enum: PRIORITIES })
  priority!: string;
  @ApiProperty()
  channel!: string;
  @ApiPropertyOptional({
    example: 'en',
    description: 'The complaint’s language (primary tag): a skill its agent must have; absent on older decisions',
  })
  language?: string;
  @ApiProperty({ description: 'The rule file(s) the decision was taken with (the seed), or `routing-rules vN`' })
  ruleTable!: string;
  @ApiPropertyOptional({
    type: PolicyRefDto,
    description: 'The routing-rules version in force at receipt (absent on older decisions)',
  })
  rulesPolicy?: PolicyRefDto;
  @ApiPropertyOptional({
    type: PolicyRefDto,
    description: 'The department-directory version in force at receipt (absent on older decisions)',
  })
  directoryPolicy?: PolicyRefDto;
  @ApiProperty({ format: 'date-time' })
  routedAt!: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true } })
  explanation?: Record<string, unknown>[];
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'The agent chosen, and why' })
  assignment?: Record<string, unknown>;
  @ApiProperty({ type: PlacementDto, description: 'Where the complaint is now, after any reroute' })
  current!: PlacementDto;
  @ApiProperty()
  version!: number;
}

export class RoutingEntryDto {
  @ApiProperty()
  version!: number;
  @ApiProperty({ enum: ['ComplaintRouted', 'ComplaintRerouted'] })
  type!: string;
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Who: id and role' })
  actor!: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true })
  data!: Record<string, unknown>;
}

export class RoutingHistoryDto {
  @ApiProperty({ format: 'uuid' })
  complaintId!: string;
  @ApiProperty({ type: [RoutingEntryDto] })
  history!: RoutingEntryDto[];
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'The cursor of the next page (pass as `cursor`; also in the `Link` header); null on the last page',
  })
  next!: string | null;
}

export class RerouteResultDto extends PlacementDto {
  @ApiProperty({ format: 'uuid' })
  complaintId!: string;
  @ApiProperty()
  version!: number;
}

export class RuleTableDto {
  @ApiProperty()
  tenant!: string;
  @ApiProperty({ description: 'The rule files of the seed, or `routing-rules vN`' })
  source!: string;
  @ApiProperty({ type: PolicyRefDto, description: 'The routing-rules version in force now' })
  policy!: PolicyRefDto;
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true } })
  rules!: Record<string, unknown>[];
}

export class DepartmentDto {
  @ApiProperty()
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true } })
  agents?: Record<string, unknown>[];
}

export class DepartmentListDto {
  @ApiProperty({ type: [DepartmentDto] })
  departments!: DepartmentDto[];
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'The cursor of the next page (pass as `cursor`; also in the `Link` header); null on the last page',
  })
  next!: string | null;
}
