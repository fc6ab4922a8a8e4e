/** The agent's everyday steps on a case: contact, investigate, judge, inform, wait, hand over. */
import { Body, Controller, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CAN, Meta, Roles, type RequestMeta } from '@complaints/kit';
import { CaseCommands } from '../infrastructure/case-commands';
import { Departments } from '../infrastructure/department-directory';
import {
  AcknowledgeCaseDto,
  AssignAccountabilityDto,
  JudgeValidityDto,
  NotifyCustomerDto,
  ReasonDto,
  ReassignCaseDto,
  RecordInvestigationDto,
} from './work-case.dto';

const CaseId = () => Param('id', new ParseUUIDPipe());

@ApiTags('cases')
@Roles(...CAN.workCases)
@Controller('cases/:id')
export class WorkCaseController {
  constructor(
    private readonly cases: CaseCommands,
    private readonly departments: Departments,
  ) {}

  @Post('acknowledge')
  @HttpCode(200)
  acknowledge(@CaseId() caseId: string, @Body() body: AcknowledgeCaseDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'AcknowledgeCase', data: { caseId, ...body } }, meta);
  }

  @Post('investigation')
  @HttpCode(200)
  investigate(@CaseId() caseId: string, @Body() body: RecordInvestigationDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'RecordInvestigation', data: { caseId, ...body } }, meta);
  }

  @Post('accountability')
  @HttpCode(200)
  accountability(@CaseId() caseId: string, @Body() body: AssignAccountabilityDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'AssignAccountability', data: { caseId, ...body } }, meta);
  }

  @Post('validity')
  @HttpCode(200)
  validity(@CaseId() caseId: string, @Body() body: JudgeValidityDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'JudgeValidity', data: { caseId, ...body } }, meta);
  }

  @Post('notifications')
  @HttpCode(200)
  notify(@CaseId() caseId: string, @Body() body: NotifyCustomerDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'NotifyCustomer', data: { caseId, ...body } }, meta);
  }

  @Post('wait')
  @HttpCode(200)
  wait(@CaseId() caseId: string, @Body() body: ReasonDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'WaitOnCustomer', data: { caseId, reason: body.reason } }, meta);
  }

  @Post('resume')
  @HttpCode(200)
  resume(@CaseId() caseId: string, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'ResumeCase', data: { caseId } }, meta);
  }

  @Post('reassign')
  @HttpCode(200)
  reassign(@CaseId() caseId: string, @Body() body: ReassignCaseDto, @Meta() meta: RequestMeta) {
    const directory = this.departments.for(meta.tenant);
    return this.cases.run(caseId, { type: 'ReassignCase', data: { caseId, ...body, directory } }, meta);
  }

  @Post('escalations/:level/acknowledge')
  @HttpCode(200)
  acknowledgeEscalation(
    @CaseId() caseId: string,
    @Param('level', new ParseIntPipe()) level: number,
    @Meta() meta: RequestMeta,
  ) {
    return this.cases.run(caseId, { type: 'AcknowledgeEscalation', data: { caseId, level } }, meta);
  }

  @Post('escalate')
  @HttpCode(200)
  escalate(@CaseId() caseId: string, @Body() body: ReasonDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'EscalateCase', data: { caseId, reason: body.reason } }, meta);
  }
}
