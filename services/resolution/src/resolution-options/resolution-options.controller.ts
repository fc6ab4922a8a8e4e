/** Remedies: propose one to three options, approve what exceeds authority, the customer's choice, execution. */
import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { newId } from '@complaints/eventstore';
import { Meta, type RequestMeta } from '@complaints/kit';
import { CaseCommands } from '../infrastructure/case-commands';
import { CommentDto, CustomerDecisionDto, ExecuteResolutionDto, ProposeResolutionDto } from './resolution-options.dto';

const CaseId = () => Param('id', new ParseUUIDPipe());

@ApiTags('cases')
@Controller('cases/:id')
export class ResolutionOptionsController {
  constructor(private readonly cases: CaseCommands) {}

  @Post('proposals')
  @HttpCode(200)
  propose(@CaseId() caseId: string, @Body() body: ProposeResolutionDto, @Meta() meta: RequestMeta) {
    const options = body.options.map((option, index) => ({ ...option, optionId: `option-${index + 1}` }));
    return this.cases.run(
      caseId,
      this.cases.withFeeWaivers(meta.tenant, (feeWaiversGranted) => ({
        type: 'ProposeResolution',
        data: { caseId, proposalId: newId(), options, feeWaiversGranted },
      })),
      meta,
    );
  }

  @Post('proposals/:proposalId/approve')
  @HttpCode(200)
  approve(
    @CaseId() caseId: string,
    @Param('proposalId') proposalId: string,
    @Body() body: CommentDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.cases.run(
      caseId,
      { type: 'ApproveProposal', data: { caseId, proposalId, comment: body.comment } },
      meta,
    );
  }

  @Post('proposals/:proposalId/reject')
  @HttpCode(200)
  reject(
    @CaseId() caseId: string,
    @Param('proposalId') proposalId: string,
    @Body() body: CommentDto,
    @Meta() meta: RequestMeta,
  ) {
    return this.cases.run(
      caseId,
      { type: 'RejectProposal', data: { caseId, proposalId, comment: body.comment } },
      meta,
    );
  }

  @Post('customer-decision')
  @HttpCode(200)
  customerDecision(@CaseId() caseId: string, @Body() body: CustomerDecisionDto, @Meta() meta: RequestMeta) {
    return this.cases.run(
      caseId,
      body.decision === 'accept'
        ? { type: 'AcceptOption', data: { caseId, optionId: body.optionId! } }
        : { type: 'RejectOptions', data: { caseId, reason: body.reason! } },
      meta,
    );
  }

  @Post('execute')
  @HttpCode(200)
  execute(@CaseId() caseId: string, @Body() body: ExecuteResolutionDto, @Meta() meta: RequestMeta) {
    return this.cases.run(
      caseId,
      this.cases.withFeeWaivers(meta.tenant, (feeWaiversGranted) => ({
        type: 'ExecuteResolution',
        data: { caseId, summary: body.summary, feeWaiversGranted },
      })),
      meta,
    );
  }
}
