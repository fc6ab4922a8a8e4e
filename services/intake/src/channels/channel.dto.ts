/** Bodies of the channel adapters: each is the canonical complaint plus what its channel knows. */
import { ApiProperty, ApiPropertyOptional, OmitType, PartialType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { ComplainantDto, RegisterComplaintDto, TargetDto } from '../complaint.dto';

const ID = /^[\x21-\x7e]{1,120}$/;

export class BranchComplaintDto extends OmitType(RegisterComplaintDto, ['channel'] as const) {
  @ApiProperty({ example: 'SH-PD-0031' })
  @Matches(ID, { message: 'branchCode must be 1-120 visible ASCII characters' })
  branchCode!: string;
  @ApiProperty({ example: 'E-20931' })
  @Matches(ID, { message: 'staffId must be 1-120 visible ASCII characters' })
  staffId!: string;
}

export class RegulatorReferralDto extends OmitType(RegisterComplaintDto, ['channel'] as const) {
  @ApiProperty({
    example: 'NFRA Shanghai',
    description: 'The regulator or consumer association that referred the complaint',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  regulator!: string;
  @ApiProperty({ example: 'SH-2026-11-00412' })
  @Matches(ID, { message: 'regulatorReference must be 1-120 visible ASCII characters' })
  regulatorReference!: string;
  @ApiProperty({ example: '2026-12-10T00:00:00+08:00', description: 'The deadline the regulator set' })
  @IsISO8601({ strict: true })
  regulatorDeadline!: string;
}

class OptionalComplainantDto extends PartialType(ComplainantDto) {}

/** A CTI record may say where the service was provided and, for a utility, the caller's supply area. */
export class HotlineCallDto extends PickType(RegisterComplaintDto, ['market', 'area'] as const) {
  @ApiProperty({ example: '95598', description: 'The hotline that took the call' })
  @Matches(/^[0-9A-Za-z-]{2,20}$/, { message: 'hotline must be a hotline number or code' })
  hotline!: string;
  @ApiProperty({ example: 'CALL-20261122-000317' })
  @Matches(ID, { message: 'callId must be 1-120 visible ASCII characters' })
  callId!: string;
  @ApiProperty({ example: '13800000000' }) @IsString() @IsNotEmpty() @MaxLength(40) callerNumber!: string;
  @ApiProperty({ example: 'A-1042' }) @IsString() @IsNotEmpty() @MaxLength(120) agentId!: string;
  @ApiProperty({ description: "The agent's notes of the call: what the caller complained about" })
  @IsString()
  @IsNotEmpty()
  @MaxLength(20000)
  agentNotes!: string;
  @ApiPropertyOptional({ description: 'Reference of the call recording in the CTI system' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  recordingRef?: string;
  @ApiProperty({ example: '2026-11-22T09:15:00+08:00' }) @IsISO8601({ strict: true }) callStartedAt!: string;
  @ApiPropertyOptional({ description: 'When the matter happened, if not during the call' })
  @IsOptional()
  @IsISO8601({ strict: true })
  occurredAt?: string;
  @ApiPropertyOptional({ type: OptionalComplainantDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => OptionalComplainantDto)
  complainant?: OptionalComplainantDto;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @IsString({ each: true }) demands?: string[];
  @ApiPropertyOptional({ type: TargetDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TargetDto)
  target?: TargetDto;
  @ApiPropertyOptional({ example: 'zh' })
  @IsOptional()
  @Matches(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, { message: 'language must be a BCP 47 tag such as zh or en-GB' })
  language?: string;
}
