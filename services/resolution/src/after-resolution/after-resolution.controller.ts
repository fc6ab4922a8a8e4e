/** After the remedy: the follow-up callback (回访), satisfaction, closure with root cause, reopening. */
import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { newId } from '@complaints/eventstore';
import { CAN, Meta, Roles, type RequestMeta, ApiEndpoint } from '@complaints/kit';
import { CaseCommands } from '../infrastructure/case-commands';
import { ReasonDto } from '../infrastructure/request-bodies';
import { CloseCaseDto, RecordSatisfactionDto, ScheduleFollowUpDto } from './after-resolution.dto';
import { CaseViewDto } from '../responses.dto';

const CaseId = () => Param('id', new ParseUUIDPipe());

@ApiTags('cases')
@Roles(...CAN.workCases)
@Controller('cases/:id')
export class AfterResolutionController {
  constructor(private readonly cases: CaseCommands) {}

  @ApiEndpoint('Schedule a follow-up', 'Schedules a follow-up contact after resolution.', [400, 404, 409, 422], {
    type: CaseViewDto,
  })
  @Post('follow-up')
  @Roles(...CAN.workCases, 'quality-inspector')
  @HttpCode(200)
  followUp(@CaseId() caseId: string, @Body() body: ScheduleFollowUpDto, @Meta() meta: RequestMeta) {
    const schedule = this.cases.withCalendar(meta.tenant, (calendar) => ({
      type: 'ScheduleFollowUp',
      data: { caseId, dueAt: body.dueAt, calendar },
    }));
    return this.cases.run(caseId, schedule, meta);
  }

  @ApiEndpoint('Record satisfaction', 'Records the customer’s satisfaction score and comment.', [400, 404, 409, 422], {
    type: CaseViewDto,
  })
  @Post('satisfaction')
  @Roles(...CAN.workCases, 'quality-inspector')
  @HttpCode(200)
  satisfaction(@CaseId() caseId: string, @Body() body: RecordSatisfactionDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'RecordSatisfaction', data: { caseId, ...body } }, meta);
  }

  @ApiEndpoint('Close a case', 'Closes a resolved case with its outcome.', [400, 404, 409, 422], { type: CaseViewDto })
  @Post('close')
  @HttpCode(200)
  close(@CaseId() caseId: string, @Body() body: CloseCaseDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'CloseCase', data: { caseId, ...body } }, meta);
  }

  @ApiEndpoint(
    'Reopen a case',
    'Reopens a closed case within the reopen window, with the reason.',
    [400, 404, 409, 422],
    { type: CaseViewDto },
  )
  @Post('reopen')
  @HttpCode(200)
  reopen(@CaseId() caseId: string, @Body() body: ReasonDto, @Meta() meta: RequestMeta) {
    return this.cases.run(
      caseId,
      { type: 'ReopenCase', data: { caseId, reason: body.reason, followOnCaseId: newId() } },
      meta,
    );
  }
}
