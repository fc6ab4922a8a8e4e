/** The body a channel adapter posts to register a complaint. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { CHANNELS, SUPPLY_AREAS, TARGET_KINDS, TARGET_KINDS_BY_SECTOR, type SupplyArea } from '@complaints/contracts';
import type { Channel, TargetKind } from './domain/complaint';

export class ContactDto {
  @ApiPropertyOptional({ example: '13800000000' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional({ example: 'wang@example.com' })
  @IsOptional()
  @IsEmail()
  email?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  address?: string;
}

export class ComplainantDto {
  @ApiProperty({ example: '王女士' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ description: "The enterprise's own customer id" })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  customerId?: string;

  @ApiProperty({ type: ContactDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ContactDto)
  contact!: ContactDto;
}

export class TargetDto {
  @ApiProperty({
    enum: TARGET_KINDS,
    description: `What the complaint is about, by sector: ${Object.entries(TARGET_KINDS_BY_SECTOR)
      .map(([sector, kinds]) => `${sector}: ${kinds.join(', ')}`)
      .join('; ')}`,
  })
  @IsIn(TARGET_KINDS as string[])
  kind!: TargetKind;

  @ApiProperty({ example: 'Credit card annual fee' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(300)
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  id?: string;
}

export class RegisterComplaintDto {
  @ApiProperty({ enum: CHANNELS })
  @IsIn(CHANNELS)
  channel!: Channel;

  @ApiProperty({ type: ComplainantDto })
  @IsObject()
  @ValidateNested()
  @Type(() => ComplainantDto)
  complainant!: ComplainantDto;

  @ApiProperty({ example: 'I was charged an annual fee although the card was cancelled.' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(20000)
  description!: string;

  @ApiProperty({ type: [String], example: ['Refund the fee'] })
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(2000, { each: true })
  demands!: string[];

  @ApiProperty({ type: TargetDto })
  @IsObject()
  @ValidateNested()
  @Type(() => TargetDto)
  target!: TargetDto;

  @ApiProperty({ example: '2026-03-01T10:00:00+08:00' })
  @IsISO8601({ strict: true })
  occurredAt!: string;

  @ApiProperty({ example: 'zh', description: 'BCP 47 language tag' })
  @IsString()
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { message: 'language must be a BCP 47 tag such as zh or en-GB' })
  language!: string;

  @ApiPropertyOptional({
    example: 'GB',
    description:
      'Where the service was provided, ISO 3166-1 alpha-2: the tenant’s SLA rules may choose regimes by it (e.g. PSD2 for payments in DE, FCA DISP in GB; docs/sla.md)',
  })
  @IsOptional()
  @Matches(/^[A-Z]{2}$/, { message: 'market must be an ISO 3166-1 alpha-2 country code such as GB or DE' })
  market?: string;

  @ApiPropertyOptional({
    enum: SUPPLY_AREAS,
    description:
      'A utility’s supply area: the repair-arrival commitment depends on it (urban 45 min, rural 90 min, remote 2 h)',
  })
  @IsOptional()
  @IsIn(SUPPLY_AREAS)
  area?: SupplyArea;
}
