/** What analytics answers, as OpenAPI schemas: clients generated from the document get typed data. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const OBJECT = { type: 'object', additionalProperties: true } as const;

/** A case's summary as the read model holds it (free text revealed, or "[erased]"). */
export class PolicyUseDto {
  @ApiProperty({ example: 'sla', description: 'The policy kind (docs/policy.md)' })
  kind!: string;
  @ApiProperty({ description: 'Its version: 0 is the seed (the shipped file)' })
  version!: number;
  @ApiProperty({ description: "sha-256 (hex) of the version's document" })
  digest!: string;
  @ApiProperty({ example: 'case.opened.v1', description: 'The event that first used it on this case' })
  event!: string;
  @ApiProperty({ format: 'date-time' })
  at!: string;
}

export class CaseSummaryDto {
  @ApiProperty({ format: 'uuid' })
  complaintId!: string;
  @ApiProperty()
  tenant!: string;
  @ApiProperty({ description: 'received, routed, open, … closed' })
  status!: string;
  @ApiProperty({ description: 'streamVersion of the last resolution event applied' })
  caseVersion!: number;
  @ApiPropertyOptional()
  reference?: string;
  @ApiPropertyOptional()
  channel?: string;
  @ApiPropertyOptional({ description: 'The pseudonymous customer key (data subject id)' })
  customerId?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  personalDataErasedAt?: string;
  @ApiPropertyOptional()
  department?: string;
  @ApiPropertyOptional()
  queue?: string;
  @ApiPropertyOptional()
  category?: string;
  @ApiPropertyOptional()
  priority?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  receivedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  routedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  openedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  acknowledgeBy?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  resolveBy?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  acknowledgedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  resolvedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  closedAt?: string;
  @ApiPropertyOptional()
  escalationLevel?: number;
  @ApiPropertyOptional()
  waitingOnCustomer?: boolean;
  @ApiPropertyOptional()
  satisfactionScore?: number;
  @ApiPropertyOptional()
  reopenCount?: number;
  @ApiPropertyOptional({ type: [String] })
  breachedClocks?: string[];
  @ApiPropertyOptional({ type: [String] })
  possibleDuplicateOf?: string[];
  @ApiPropertyOptional({
    type: [PolicyUseDto],
    description: 'Every policy version a decision on the case was taken under, each at its first use',
  })
  policies?: PolicyUseDto[];
}

export class ActorDto {
  @ApiProperty()
  id!: string;
  @ApiProperty()
  role!: string;
}

/** One event of a case, with its causation. */
export class HistoryEntryDto {
  @ApiProperty({ format: 'uuid' })
  eventId!: string;
  @ApiProperty({ description: 'The service that recorded it' })
  source!: string;
  @ApiProperty({ example: 'case.acknowledged.v1' })
  type!: string;
  @ApiProperty({ format: 'date-time' })
  time!: string;
  @ApiProperty({ type: ActorDto })
  actor!: ActorDto;
  @ApiProperty()
  correlationId!: string;
  @ApiProperty({ type: 'string', nullable: true })
  causationId!: string | null;
  @ApiProperty()
  streamVersion!: number;
  @ApiProperty()
  tenant!: string;
  @ApiProperty(OBJECT)
  data!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' })
  recordedAt!: string;
}

export class CaseHistoryDto {
  @ApiProperty({ format: 'uuid' })
  complaintId!: string;
  @ApiProperty({ type: [HistoryEntryDto] })
  events!: HistoryEntryDto[];
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'The cursor of the next page (pass as `cursor`; also in the `Link` header); null on the last page',
  })
  next!: string | null;
}

export class CaseStateAtDto {
  @ApiProperty({ format: 'uuid' })
  complaintId!: string;
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty()
  eventsApplied!: number;
  @ApiProperty({ format: 'uuid' })
  lastEventId!: string;
  @ApiProperty({ type: CaseSummaryDto })
  state!: CaseSummaryDto;
}

export class CaseSearchPageDto {
  @ApiProperty({ type: [CaseSummaryDto] })
  cases!: CaseSummaryDto[];
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'The cursor of the next page (pass as `cursor`; also in the `Link` header); null on the last page',
  })
  next!: string | null;
}
