/** Remedies: propose one to three options, approve what exceeds authority, the customer's choice, execution. */
import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, ParseEnumPipe } from '@nestjs/common';
import { ApiTags, ApiParam } from '@nestjs/swagger';
import { newId } from '@complaints/eventstore';
import { CAN, Meta, Roles, type RequestMeta, ApiEndpoint } from '@complaints/kit';
import { ResolutionPolicies } from '../infrastructure/policies';
import { CaseCommands } from '../infrastructure/case-commands';
import { CommentDto, DECISIONS, type Decision } from '../infrastructure/request-bodies';
import { CustomerDecisionDto, ExecuteResolutionDto, ProposeResolutionDto } from './resolution-options.dto';
import { CaseViewDto } from '../responses.dto';

const CaseId = () => Param('id', new ParseUUIDPipe());

@ApiTags('cases')
@Roles(...CAN.workCases)
@Controller('cases/:id')
export class ResolutionOptionsController {
  constructor(
    private readonly cases: CaseCommands,
    private readonly policies: ResolutionPolicies,
  ) {}

  @ApiEndpoint(
    'Propose a resolution',
    'Proposes one to three options; options beyond the proposer’s authority need approval.',
    [400, 404, 409, 422],
    { type: CaseViewDto },
  )
  @Post('proposals')
  @HttpCode(200)
  propose(@CaseId() caseId: string, @Body() body: ProposeResolutionDto, @Meta() meta: RequestMeta) {
    const options = body.options.map((option, index) => ({ ...option, optionId: `option-${index + 1}` }));
    return this.cases.run(
      caseId,
      this.cases.withFeeWaivers(meta.tenant, (feeWaiversGranted) => ({
        type: 'ProposeResolution',
        data: { caseId, proposalId: newId(), options, feeWaiversGranted, limits: this.policies.limitsFor(meta.tenant) },
      })),
      meta,
    );
  }

  /** `approve` or `reject`, with a comment, by a role whose authority covers the options. */
  @ApiEndpoint(
    'Decide a proposal',
    '`approve` or `reject`, with a comment, by a role whose authority covers the options.',
    [400, 404, 409, 422],
    { type: CaseViewDto },
  )
  @ApiParam({ name: 'decision', enum: ['approve', 'reject'] })
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

  @ApiEndpoint(
    'Record the customer’s decision',
    'The customer accepts one option, or rejects them all with the reason.',
    [400, 404, 409, 422],
    { type: CaseViewDto },
  )
  @Post('customer-decision')
  @HttpCode(200)
  customerDecision(@CaseId() caseId: string, @Body() body: CustomerDecisionDto, @Meta() meta: RequestMeta) {
    return this.cases.run(
      caseId,
      body.decision === 'accept'
        ? { type: 'AcceptOption', data: { caseId, optionId: body.optionId! } }
        : {
            type: 'RejectOptions',
            data: { caseId, reason: body.reason!, directory: this.policies.directoryFor(meta.tenant) },
          },
      meta,
    );
  }

  @ApiEndpoint(
    'Execute the resolution',
    'Records that the accepted option was carried out; the case is resolved.',
    [400, 404, 409, 422],
    { type: CaseViewDto },
  )
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
