/** The admin API's bodies and answers for policy versions (docs/policy.md). */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { POLICY_KINDS } from '../policy';

const DOCUMENT = {
  type: 'object',
  additionalProperties: true,
  description: "The kind's document, in its files' format (docs/policy.md)",
} as const;

export class PublishPolicyVersionDto {
  @ApiProperty({ ...DOCUMENT, example: { limits: { agent: { CNY: 800 }, supervisor: { CNY: 8000 } } } })
  @IsObject()
  document!: Record<string, unknown>;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2030-01-01T00:00:00+08:00',
    description:
      'From when the version applies (default: now; not in the past). A decision takes the version in force when it is made.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  effectiveFrom?: string;

  @ApiProperty({ example: 'Board decision 2026-14: agents grant up to CNY 800', maxLength: 2000 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  reason!: string;
}

export class PolicyRefDto {
  @ApiProperty({ enum: POLICY_KINDS }) kind!: string;
  @ApiProperty({ description: '1, 2, 3… per tenant and kind; 0 is the seed (the shipped file)' }) version!: number;
  @ApiProperty({ description: "sha-256 (hex) of the document's canonical JSON" }) digest!: string;
}

export class PolicyVersionSummaryDto extends PolicyRefDto {
  @ApiProperty({ format: 'date-time' }) effectiveFrom!: string;
  @ApiProperty({ description: 'Who published it (the token subject; `seed` for version 0)' }) author!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiPropertyOptional({ description: 'The seed only: the file or preset it is' }) source?: string;
}

export class PolicyVersionDto extends PolicyVersionSummaryDto {
  @ApiProperty() tenant!: string;
  @ApiProperty(DOCUMENT) document!: Record<string, unknown>;
}

export class PolicyOverviewDto {
  @ApiProperty() tenant!: string;
  @ApiProperty({ enum: POLICY_KINDS }) kind!: string;
  @ApiProperty({
    description: 'The service that keeps the kind (publish there); the others apply its versions from the bus',
  })
  keptBy!: string;
  @ApiProperty({ type: PolicyVersionDto, description: 'The version in force now' }) current!: PolicyVersionDto;
  @ApiProperty({ type: [PolicyVersionSummaryDto], description: 'Every version, the seed (0) first' })
  versions!: PolicyVersionSummaryDto[];
}
