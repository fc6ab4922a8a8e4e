/** What intake answers, as OpenAPI schemas: clients generated from the document get typed data. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class TimeLimitDto {
  @ApiProperty({ format: 'date-time', description: 'When the customer is promised an answer' })
  respondBy!: string;
  @ApiProperty({ description: 'The SLA target the promise comes from', type: 'object', additionalProperties: true })
  target!: Record<string, unknown>;
  @ApiProperty({ description: 'The clock that runs (e.g. final-response)' })
  clock!: string;
  @ApiProperty({ description: 'The SLA policy id' })
  policy!: string;
  @ApiProperty({ description: 'What to read or send to the customer, in the complaint’s language' })
  message!: string;
}

export class RegistrationDto {
  @ApiProperty({ format: 'uuid' })
  complaintId!: string;
  @ApiProperty({ description: 'The reference to tell the customer', example: 'CMP-2026-000001' })
  reference!: string;
  @ApiProperty({ format: 'date-time' })
  receivedAt!: string;
  @ApiProperty({ type: TimeLimitDto })
  timeLimit!: TimeLimitDto;
}

export class ComplaintViewDto {
  @ApiProperty({ enum: ['received'] })
  status!: string;
  @ApiProperty({ description: 'The complaint stream’s version' })
  version!: number;
  @ApiProperty({ format: 'uuid' })
  complaintId!: string;
  @ApiProperty()
  reference!: string;
  @ApiProperty({ format: 'date-time' })
  receivedAt!: string;
  @ApiProperty()
  channel!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Name, customer id, contact and `subjectId` (the data subject); personal fields read "[erased]" after erasure',
  })
  complainant!: Record<string, unknown>;
  @ApiProperty()
  description!: string;
  @ApiProperty({ type: [String] })
  demands!: string[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'kind, name and id of what the complaint is about',
  })
  target!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;
  @ApiProperty()
  language!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  channelDetails?: Record<string, string>;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object', additionalProperties: true } })
  attachments?: Record<string, unknown>[];
  @ApiPropertyOptional({ format: 'date-time' })
  regulatorDeadline?: string;
  @ApiProperty({ type: [String], description: 'Earlier complaints this one duplicates' })
  duplicateOf!: string[];
  @ApiProperty()
  repeatComplainant!: boolean;
  @ApiPropertyOptional({ format: 'date-time' })
  erasedAt?: string;
}

export class ErasureDto {
  @ApiProperty({ example: 'ds-0123456789abcdef0123456789abcdef' })
  subjectId!: string;
  @ApiProperty({ format: 'date-time' })
  erasedAt!: string;
  @ApiProperty({ description: 'How many data keys were destroyed' })
  keysDestroyed!: number;
  @ApiProperty({ type: [String], description: 'The complaints whose personal data now reads "[erased]"' })
  complaints!: string[];
}
