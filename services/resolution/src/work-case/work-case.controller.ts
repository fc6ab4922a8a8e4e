/** The agent's everyday steps on a case: contact, investigate, judge, inform, wait, hand over. */
import { Body, Controller, HttpCode, Param, ParseIntPipe, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CAN, Meta, Roles, type RequestMeta, ApiEndpoint } from '@complaints/kit';
import { CaseCommands } from '../infrastructure/case-commands';
import { Departments } from '../infrastructure/department-directory';
import { ResolutionPolicies } from '../infrastructure/policies';
import {
  AcknowledgeCaseDto,
  AssignAccountabilityDto,
  JudgeValidityDto,
  NotifyCustomerDto,
  ReassignCaseDto,
  RecordInvestigationDto,
} from './work-case.dto';
import { ReasonDto } from '../infrastructure/request-bodies';
import { CaseViewDto } from '../responses.dto';

const CaseId = () => Param('id', new ParseUUIDPipe());

@ApiTags('cases')
@Roles(...CAN.workCases)
@Controller('cases/:id')
export class WorkCaseController {
  constructor(
    private readonly cases: CaseCommands,
    private readonly departments: Departments,
    private readonly policies: ResolutionPolicies,
  ) {}

  @ApiEndpoint(
    'Acknowledge a case',
    'Records the first contact with the customer; stops the acknowledgement clock.',
    [400, 404, 409, 422],
    { type: CaseViewDto },
  )
  @Post('acknowledge')
  @HttpCode(200)
  acknowledge(@CaseId() caseId: string, @Body() body: AcknowledgeCaseDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'AcknowledgeCase', data: { caseId, ...body } }, meta);
  }

  @ApiEndpoint('Record an investigation finding', 'Adds a finding to the case.', [400, 404, 409, 422], {
    type: CaseViewDto,
  })
  @Post('investigation')
  @HttpCode(200)
  investigate(@CaseId() caseId: string, @Body() body: RecordInvestigationDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'RecordInvestigation', data: { caseId, ...body } }, meta);
  }

  @ApiEndpoint('Assign accountability', 'Records who is accountable and the root cause.', [400, 404, 409, 422], {
    type: CaseViewDto,
  })
  @Post('accountability')
  @HttpCode(200)
  accountability(@CaseId() caseId: string, @Body() body: AssignAccountabilityDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'AssignAccountability', data: { caseId, ...body } }, meta);
  }

  @ApiEndpoint('Judge validity', 'Judges whether the complaint is valid, with the reason.', [400, 404, 409, 422], {
    type: CaseViewDto,
  })
  @Post('validity')
  @HttpCode(200)
  validity(@CaseId() caseId: string, @Body() body: JudgeValidityDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'JudgeValidity', data: { caseId, ...body } }, meta);
  }

  @ApiEndpoint('Notify the customer', 'Records a message sent to the customer.', [400, 404, 409, 422], {
    type: CaseViewDto,
  })
  @Post('notifications')
  @HttpCode(200)
  notify(@CaseId() caseId: string, @Body() body: NotifyCustomerDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'NotifyCustomer', data: { caseId, ...body } }, meta);
  }

  @ApiEndpoint(
    'Wait on the customer',
    'Pauses the clocks while the case waits on the customer, with the reason.',
    [400, 404, 409, 422],
    { type: CaseViewDto },
  )
  @Post('wait')
  @HttpCode(200)
  wait(@CaseId() caseId: string, @Body() body: ReasonDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'WaitOnCustomer', data: { caseId, reason: body.reason } }, meta);
  }

  @ApiEndpoint('Resume work', 'Ends the wait on the customer; the clocks run again.', [400, 404, 409, 422], {
    type: CaseViewDto,
  })
  @Post('resume')
  @HttpCode(200)
  resume(@CaseId() caseId: string, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'ResumeCase', data: { caseId } }, meta);
  }

  @ApiEndpoint('Reassign a case', 'Hands the case to another agent of the department.', [400, 404, 409, 422], {
    type: CaseViewDto,
  })
  @Post('reassign')
  @HttpCode(200)
  reassign(@CaseId() caseId: string, @Body() body: ReassignCaseDto, @Meta() meta: RequestMeta) {
    const directory = this.departments.for(meta.tenant);
    return this.cases.run(caseId, { type: 'ReassignCase', data: { caseId, ...body, directory } }, meta);
  }

  @ApiEndpoint(
    'Acknowledge an escalation',
    'The escalation’s owner acknowledges the level reached.',
    [400, 404, 409, 422],
    { type: CaseViewDto },
  )
  @Post('escalations/:level/acknowledge')
  @HttpCode(200)
  acknowledgeEscalation(
    @CaseId() caseId: string,
    @Param('level', new ParseIntPipe()) level: number,
    @Meta() meta: RequestMeta,
  ) {
    return this.cases.run(caseId, { type: 'AcknowledgeEscalation', data: { caseId, level } }, meta);
  }

  @ApiEndpoint('Escalate a case', 'Escalates the case one level, with the reason.', [400, 404, 409, 422], {
    type: CaseViewDto,
  })
  @Post('escalate')
  @HttpCode(200)
  escalate(@CaseId() caseId: string, @Body() body: ReasonDto, @Meta() meta: RequestMeta) {
    return this.cases.run(
      caseId,
      {
        type: 'EscalateCase',
        data: { caseId, reason: body.reason, directory: this.policies.directoryFor(meta.tenant) },
      },
      meta,
    );
  }
}
