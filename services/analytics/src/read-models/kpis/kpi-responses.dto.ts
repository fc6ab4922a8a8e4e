/**
 * What the KPI and regulator-return endpoints answer as JSON, as OpenAPI schemas: clients generated
 * from the document get typed figures. The controllers return these types, so the compiler holds
 * the domain's figures (domain/kpi-figures.ts, department-time.ts, regulatory-returns.ts) to them.
 * Rates and shares are fractions (0..1, four decimals) and null when there is nothing to divide by.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const RATE = {
  type: 'number',
  nullable: true,
  description: 'A fraction 0..1; null when nothing to divide by',
} as const;
const HOURS = { type: 'number', nullable: true } as const;
const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class VolumeRowDto {
  @ApiProperty({ description: 'First day of the period (YYYY-MM-DD) in `timeZone`' })
  period!: string;
  @ApiPropertyOptional({ description: 'The dimension value when by=category ("unknown" when none)' })
  category?: string;
  @ApiPropertyOptional({ description: 'The dimension value when by=channel' })
  channel?: string;
  @ApiPropertyOptional({ description: 'The dimension value when by=department' })
  department?: string;
  @ApiPropertyOptional({ description: 'The dimension value when by=priority' })
  priority?: string;
  @ApiPropertyOptional({ description: 'The dimension value when by=tenant' })
  tenant?: string;
  @ApiProperty({ type: 'integer' })
  complaints!: number;
}

export class VolumesDto {
  @ApiProperty({ enum: ['category', 'channel', 'department', 'priority', 'tenant'] })
  by!: string;
  @ApiProperty({ enum: ['day', 'week', 'month'] })
  period!: string;
  @ApiProperty({ description: 'The IANA time zone the periods are counted in', example: 'Asia/Shanghai' })
  timeZone!: string;
  @ApiProperty({ type: [VolumeRowDto] })
  rows!: VolumeRowDto[];
}

export class MedianP90Dto {
  @ApiProperty(HOURS)
  median!: number | null;
  @ApiProperty(HOURS)
  p90!: number | null;
}

export class HandlingDto {
  @ApiProperty({ type: 'integer' })
  cases!: number;
  @ApiProperty({ type: 'integer' })
  acknowledged!: number;
  @ApiProperty({ type: 'integer' })
  resolved!: number;
  @ApiProperty({ type: MedianP90Dto, description: 'Calendar hours from receipt' })
  hoursToAcknowledge!: MedianP90Dto;
  @ApiProperty({ type: MedianP90Dto, description: 'Calendar hours from receipt' })
  hoursToResolve!: MedianP90Dto;
  @ApiProperty({ type: MedianP90Dto, description: "Business hours on the case's working calendar" })
  businessHoursToAcknowledge!: MedianP90Dto;
  @ApiProperty({ type: MedianP90Dto, description: "Business hours on the case's working calendar" })
  businessHoursToResolve!: MedianP90Dto;
  @ApiProperty(RATE)
  slaBreachRate!: number | null;
  @ApiProperty(RATE)
  escalationRate!: number | null;
  @ApiProperty(RATE)
  reopenRate!: number | null;
}

export class SlaClockRowDto {
  @ApiProperty({ example: 'resolution' })
  clock!: string;
  @ApiProperty({ type: 'integer' })
  cases!: number;
  @ApiProperty({ type: 'integer' })
  met!: number;
  @ApiProperty({ type: 'integer' })
  breached!: number;
  @ApiProperty({ type: 'integer', description: 'Still running within their time (in neither met nor breached)' })
  running!: number;
  @ApiProperty({ ...RATE, description: 'met / (met + breached)' })
  compliance!: number | null;
}

export class SlaComplianceDto {
  @ApiProperty({ type: [SlaClockRowDto] })
  rows!: SlaClockRowDto[];
}

export class EscalationDto {
  @ApiProperty({ type: 'integer' })
  escalated!: number;
  @ApiProperty(RATE)
  rate!: number | null;
  @ApiProperty({ ...COUNTS, description: 'Cases per highest escalation level reached ("1", "2", …)' })
  highestLevelReached!: Record<string, number>;
}

export class ReopenDto {
  @ApiProperty({ type: 'integer' })
  reopened!: number;
  @ApiProperty(RATE)
  rate!: number | null;
}

export class FirstContactResolutionDto {
  @ApiProperty({ type: 'integer' })
  resolved!: number;
  @ApiProperty({ type: 'integer' })
  firstContact!: number;
  @ApiProperty(RATE)
  rate!: number | null;
}

export class ValidityDto {
  @ApiProperty({ type: 'integer' })
  judged!: number;
  @ApiProperty({ type: 'integer' })
  valid!: number;
  @ApiProperty(RATE)
  rate!: number | null;
}

export class SatisfactionDto {
  @ApiProperty({ type: 'integer' })
  responses!: number;
  @ApiProperty({ type: 'number', nullable: true, description: 'Mean score 1..5' })
  average!: number | null;
  @ApiProperty({ ...RATE, description: 'Share of scores 4 and 5' })
  satisfiedRate!: number | null;
  @ApiProperty({ ...COUNTS, description: 'Responses per score "1".."5"' })
  scores!: Record<string, number>;
}

export class OutcomesDto {
  @ApiProperty({ type: 'integer' })
  cases!: number;
  @ApiProperty({ type: EscalationDto })
  escalation!: EscalationDto;
  @ApiProperty({ type: ReopenDto })
  reopen!: ReopenDto;
  @ApiProperty({ type: FirstContactResolutionDto })
  firstContactResolution!: FirstContactResolutionDto;
  @ApiProperty({ type: ValidityDto })
  validity!: ValidityDto;
  @ApiProperty({ type: SatisfactionDto })
  satisfaction!: SatisfactionDto;
}

export class RootCauseRowDto {
  @ApiProperty()
  rootCause!: string;
  @ApiProperty({ type: 'integer' })
  cases!: number;
  @ApiProperty(RATE)
  share!: number | null;
  @ApiProperty({ type: [String] })
  improvementActions!: string[];
}

export class ImprovementActionRowDto {
  @ApiProperty()
  improvementAction!: string;
  @ApiProperty({ type: 'integer' })
  cases!: number;
}

export class RootCausesDto {
  @ApiProperty({ type: 'integer' })
  closed!: number;
  @ApiProperty({ type: 'integer' })
  withRootCause!: number;
  @ApiProperty({ type: [RootCauseRowDto] })
  rows!: RootCauseRowDto[];
  @ApiProperty({ type: [ImprovementActionRowDto] })
  improvementActions!: ImprovementActionRowDto[];
}

export class RepeatComplainantRowDto {
  @ApiProperty({ description: 'The pseudonymous customer key (data subject id)' })
  customerId!: string;
  @ApiProperty({ type: 'integer' })
  complaints!: number;
  @ApiProperty({ description: 'Whether intake flagged any of them as a repeat' })
  flagged!: boolean;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  firstReceivedAt!: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  lastReceivedAt!: string | null;
}

export class RepeatComplainantsDto {
  @ApiProperty({ type: 'integer' })
  complaints!: number;
  @ApiProperty({ type: 'integer' })
  customers!: number;
  @ApiProperty({ type: 'integer' })
  repeatCustomers!: number;
  @ApiProperty({ type: 'integer' })
  complaintsFromRepeatCustomers!: number;
  @ApiProperty({ type: 'integer' })
  flaggedByIntake!: number;
  @ApiProperty({ type: [RepeatComplainantRowDto] })
  rows!: RepeatComplainantRowDto[];
}

export class DepartmentRowDto {
  @ApiProperty()
  department!: string;
  @ApiProperty({ type: 'integer' })
  cases!: number;
  @ApiProperty({ type: 'integer' })
  spells!: number;
  @ApiProperty()
  hours!: number;
  @ApiProperty()
  businessHours!: number;
  @ApiProperty(HOURS)
  averageHoursPerCase!: number | null;
  @ApiProperty({ type: 'integer' })
  handOffsIn!: number;
  @ApiProperty({ type: 'integer' })
  handOffsOut!: number;
}

export class HandOffRowDto {
  @ApiProperty()
  from!: string;
  @ApiProperty()
  to!: string;
  @ApiProperty({ type: 'integer' })
  handOffs!: number;
}

export class DepartmentTimeDto {
  @ApiProperty({ type: [DepartmentRowDto] })
  rows!: DepartmentRowDto[];
  @ApiProperty({ type: [HandOffRowDto] })
  handOffs!: HandOffRowDto[];
}

export class PeriodDto {
  @ApiProperty({ format: 'date-time' })
  from!: string;
  @ApiProperty({ format: 'date-time' })
  to!: string;
}

export class FcaFiguresDto {
  @ApiProperty({ type: 'integer' })
  opened!: number;
  @ApiProperty({ type: 'integer' })
  closed!: number;
  @ApiProperty({ type: 'integer' })
  closedWithin3BusinessDays!: number;
  @ApiProperty({ type: 'integer' })
  closedAfter3BusinessDaysWithin8Weeks!: number;
  @ApiProperty({ type: 'integer' })
  closedAfter8Weeks!: number;
  @ApiProperty({ type: 'integer' })
  upheld!: number;
  @ApiProperty({ type: 'number', nullable: true, description: 'Percent 0..100; null when none closed' })
  upheldPercent!: number | null;
  @ApiProperty({ type: 'integer' })
  openAtPeriodEnd!: number;
}

export class FcaRowDto extends FcaFiguresDto {
  @ApiProperty({ description: 'The product complained about (else the category)' })
  product!: string;
}

export class FcaReturnDto {
  @ApiProperty({ example: 'FCA DISP 1.10 style' })
  return!: string;
  @ApiProperty({ type: PeriodDto })
  period!: PeriodDto;
  @ApiProperty({ type: FcaFiguresDto })
  total!: FcaFiguresDto;
  @ApiProperty({ type: [FcaRowDto] })
  rows!: FcaRowDto[];
}

export class NfraFiguresDto {
  @ApiProperty({ type: 'integer' })
  received!: number;
  @ApiProperty({ type: 'integer' })
  handled!: number;
  @ApiProperty({ type: 'integer' })
  handledWithin15Days!: number;
  @ApiProperty({ type: 'integer' })
  handledIn16To30Days!: number;
  @ApiProperty({ type: 'integer' })
  handledIn31To60Days!: number;
  @ApiProperty({ type: 'integer' })
  handledAfter60Days!: number;
  @ApiProperty({ type: 'integer' })
  openAtPeriodEnd!: number;
}

export class NfraRowDto extends NfraFiguresDto {
  @ApiProperty()
  category!: string;
}

export class NfraReturnDto {
  @ApiProperty({ example: 'NFRA consumer complaints style' })
  return!: string;
  @ApiProperty({ type: PeriodDto })
  period!: PeriodDto;
  @ApiProperty({ type: NfraFiguresDto })
  total!: NfraFiguresDto;
  @ApiProperty({ type: [NfraRowDto] })
  rows!: NfraRowDto[];
}
