/** What resolution answers, as OpenAPI schemas: clients generated from the document get typed data. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const OBJECT = { type: 'object', additionalProperties: true } as const;

/** A case as every command and GET /cases/{id} answer it (free text revealed, or "[erased]"). */
export class CaseViewDto {
  @ApiProperty({
    enum: ['open', 'in-progress', 'awaiting-approval', 'awaiting-customer', 'accepted', 'resolved', 'closed'],
    description: 'The case’s state',
    type: 'string',
  })
  status!: string;
  @ApiProperty({ description: 'The case stream’s version' })
  version!: number;
  @ApiProperty({ format: 'uuid' })
  caseId!: string;
  @ApiProperty({ format: 'uuid' })
  complaintId!: string;
  @ApiProperty({ description: 'The reference the customer was given' })
  reference!: string;
  @ApiProperty()
  department!: string;
  @ApiProperty()
  queue!: string;
  @ApiProperty()
  category!: string;
  @ApiProperty({ enum: ['urgent', 'high', 'normal', 'low'] })
  priority!: string;
  @ApiProperty({ format: 'date-time' })
  openedAt!: string;
  @ApiProperty({ format: 'date-time' })
  acknowledgeBy!: string;
  @ApiProperty({ format: 'date-time' })
  resolveBy!: string;
  @ApiProperty()
  slaPolicy!: string;
  @ApiPropertyOptional()
  agentId?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  acknowledgedAt?: string;
  @ApiPropertyOptional({ ...OBJECT, description: '`valid` and the reason' })
  validity?: { valid: boolean; reason?: string };
  @ApiProperty({ type: [String] })
  findings!: string[];
  @ApiPropertyOptional({ ...OBJECT, description: 'proposalId, options (each with optionId), approvalRequiredFrom' })
  proposal?: Record<string, unknown>;
  @ApiPropertyOptional({ ...OBJECT, description: 'The option the customer accepted' })
  accepted?: Record<string, unknown>;
  @ApiPropertyOptional(OBJECT)
  executed?: Record<string, unknown>;
  @ApiProperty()
  escalationLevel!: number;
  @ApiPropertyOptional({ format: 'date-time' })
  resolvedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  closedAt?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  followUpDueAt?: string;
  @ApiPropertyOptional(OBJECT)
  satisfaction?: { score: number; comment?: string };
  @ApiProperty({ description: 'Messages sent to the customer' })
  communications!: number;
}

export class CaseClocksDto {
  @ApiProperty({ format: 'uuid' })
  caseId!: string;
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty({ ...OBJECT, description: 'id, regime and calendar of the SLA policy' })
  policy!: Record<string, unknown>;
  @ApiProperty()
  escalationLevel!: number;
  @ApiProperty({
    type: 'array',
    items: OBJECT,
    description: 'Each clock: policy, due time, elapsed and remaining (business and calendar), state',
  })
  clocks!: Record<string, unknown>[];
}

export class CalendarYearWarningDto {
  @ApiProperty({ example: 'CN', description: 'The working calendar lacking the year' })
  calendarId!: string;
  @ApiProperty({ example: 2027 })
  year!: number;
  @ApiProperty({ description: 'What the deadlines in that year were counted without' })
  gap!: string;
}

export class SlaHealthDto {
  @ApiProperty({ enum: ['ok', 'warning'] })
  status!: 'ok' | 'warning';
  @ApiProperty({ type: [CalendarYearWarningDto] })
  missingCalendarYears!: CalendarYearWarningDto[];
}
