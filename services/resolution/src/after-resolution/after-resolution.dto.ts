import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsISO8601, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class ScheduleFollowUpDto {
  @ApiPropertyOptional({ description: 'Defaults to one week after resolution' })
  @IsOptional()
  @IsISO8601({ strict: true })
  dueAt?: string;
}

export class RecordSatisfactionDto {
  @ApiProperty({ minimum: 1, maximum: 5 }) @IsInt() @Min(1) @Max(5) score!: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) comment?: string;
}

/** Not sealed like the rest of a case's free text: the root-cause KPI counts these by their text. */
const KPI_TEXT = 'Stored in plain text and counted by the root-cause KPI: name the failing, not the customer';

export class CloseCaseDto {
  @ApiProperty({ example: 'Waiver flag not applied by the batch job', description: KPI_TEXT })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  rootCause!: string;
  @ApiProperty({ example: 'Batch job now checks the waiver register', description: KPI_TEXT })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  improvementAction!: string;
}
