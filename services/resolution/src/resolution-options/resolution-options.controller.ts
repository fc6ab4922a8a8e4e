/** Remedies: propose one to three options, approve what exceeds authority, the customer's choice, execution. */
import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, ParseEnumPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { newId } from '@complaints/eventstore';
import { CAN, Meta, Roles, type RequestMeta } from '@complaints/kit';
import { AuthorityLimits } from '../infrastructure/authority-limits';
import { CaseCommands } from '../infrastructure/case-commands';
import { CommentDto, CustomerDecisionDto, ExecuteResolutionDto, ProposeResolutionDto } from './resolution-options.dto';

const CaseId = () => Param('id', new ParseUUIDPipe());

export const DECISIONS = { approve: 'approve', reject: 'reject' } as const;
export type Decision = keyof typeof DECISIONS;

@ApiTags('cases')
@Roles(...CAN.workCases)
@Controller('cases/:id')
export class ResolutionOptionsController {
  constructor(
    private readonly cases: CaseCommands,
    private readonly limits: AuthorityLimits,
  ) {}

  @Post('proposals')
  @HttpCode(200)
  propose(@CaseId() caseId: string, @Body() body: ProposeResolutionDto, @Meta() meta: RequestMeta) {
    const options = body.options.map((option, index) => ({ ...option, optionId: `option-${index + 1}` }));
    return this.cases.run(
      caseId,
      this.cases.withFeeWaivers(meta.tenant, (feeWaiversGranted) => ({
        type: 'ProposeResolution',
        data: { caseId, proposalId: newId(), options, feeWaiversGranted, limits: this.limits.for(meta.tenant) },
      })),
      meta,
    );
  }

  /** `approve` or `reject`, with a comment, by a role whose authority covers the options. */
  @Post('proposals/:proposalId/:decision')
  @HttpCode(200)
  decide(
    @CaseId() caseId: string,
    @Param('proposalId') proposalId: string,
    @Param('decision', new ParseEnumPipe(DECISIONS)) decision: Decision,
    @Body() body: CommentDto,
    @Meta() meta: RequestMeta,
  ) {
    const type = decision === 'approve' ? 'ApproveProposal' : 'RejectProposal';
    return this.cases.run(caseId, { type, data: { caseId, proposalId, comment: body.comment } }, meta);
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
