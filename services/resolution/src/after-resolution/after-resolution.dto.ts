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

export class CloseCaseDto {
  @ApiProperty({ example: 'Waiver flag not applied by the batch job' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  rootCause!: string;
  @ApiProperty({ example: 'Batch job now checks the waiver register' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  improvementAction!: string;
}
