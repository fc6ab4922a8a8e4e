import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export const CONTACT_CHANNELS = ['phone', 'sms', 'email', 'letter', 'in-person', 'app'] as const;

export class AcknowledgeCaseDto {
  @ApiProperty({ enum: CONTACT_CHANNELS })
  @IsIn(CONTACT_CHANNELS)
  channel!: (typeof CONTACT_CHANNELS)[number];

  @ApiProperty({ example: 'Called the customer, explained the time limit' })
  @IsString()
  @MaxLength(4000)
  summary!: string;
}

export class ResolveCaseDto {
  @ApiProperty({ example: 'Annual fee refunded' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  summary!: string;
}

export class CloseCaseDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  rootCause?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  improvementAction?: string;
}
