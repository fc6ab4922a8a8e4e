import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { RESOLUTION_KINDS, type ResolutionKind } from '../domain/authority';

export class ResolutionOptionDto {
  @ApiProperty({ enum: RESOLUTION_KINDS }) @IsIn(RESOLUTION_KINDS) kind!: ResolutionKind;
  @ApiProperty({ example: 'Refund the annual fee of 2024' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  description!: string;
  @ApiPropertyOptional({
    description:
      'Required for refund, fee-waiver and compensation; no more decimal places than the currency has (JPY 0, KWD 3): 422 otherwise',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  amount?: number;
  @ApiPropertyOptional({
    example: 'CNY',
    description: 'ISO 4217 code, required with an amount; a code ISO 4217 does not list is a 422',
  })
  @ValidateIf((o: ResolutionOptionDto) => o.amount !== undefined)
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code: three capital letters' })
  currency?: string;
}

export class ProposeResolutionDto {
  @ApiProperty({ type: [ResolutionOptionDto], description: 'One to three options for the customer to choose from' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @ValidateNested({ each: true })
  @Type(() => ResolutionOptionDto)
  options!: ResolutionOptionDto[];
}

export class CustomerDecisionDto {
  @ApiProperty({ enum: ['accept', 'reject'] }) @IsIn(['accept', 'reject']) decision!: 'accept' | 'reject';
  @ApiPropertyOptional({ description: 'The accepted option (decision = accept)' })
  @ValidateIf((o: CustomerDecisionDto) => o.decision === 'accept')
  @IsString()
  @IsNotEmpty()
  optionId?: string;
  @ApiPropertyOptional({ description: 'What the customer wants instead (decision = reject)' })
  @ValidateIf((o: CustomerDecisionDto) => o.decision === 'reject')
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  reason?: string;
}

export class ExecuteResolutionDto {
  @ApiProperty({ example: 'Fee of CNY 200 refunded to card ending 1234' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  summary!: string;
}
