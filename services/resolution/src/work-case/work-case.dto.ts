import { CONTACT_CHANNELS, type ContactChannel } from '@complaints/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class AcknowledgeCaseDto {
  @ApiProperty({ enum: CONTACT_CHANNELS }) @IsIn(CONTACT_CHANNELS) channel!: ContactChannel;
  @ApiProperty({ example: 'Called the customer, explained the time limit' })
  @IsString()
  @MaxLength(4000)
  summary!: string;
}

export class RecordInvestigationDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(20000) findings!: string;
  @ApiProperty({ type: [String], description: 'References to evidence: bills, transaction records, call recordings' })
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  evidenceRefs!: string[];
}

export class AssignAccountabilityDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(4000) cause!: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) responsibleDepartment!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) responsibleStaff?: string;
}

export class JudgeValidityDto {
  @ApiProperty() @IsBoolean() valid!: boolean;
  @ApiPropertyOptional({ description: 'Required when not valid: told to the customer' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  reason?: string;
}

export class NotifyCustomerDto {
  @ApiProperty({ enum: CONTACT_CHANNELS }) @IsIn(CONTACT_CHANNELS) channel!: ContactChannel;
  @ApiProperty({ enum: ['progress', 'result', 'explanation', 'other'] })
  @IsIn(['progress', 'result', 'explanation', 'other'])
  purpose!: 'progress' | 'result' | 'explanation' | 'other';
  @ApiProperty({ description: 'Summary of what was said or sent' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  summary!: string;
}

export class ReassignCaseDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) department!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) agentId?: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(4000) reason!: string;
}
