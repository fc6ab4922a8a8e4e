/** Asking for more time: the reason given to the customer is recorded, and a supervisor decides. */
import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, ParseEnumPipe } from '@nestjs/common';
import { ApiProperty, ApiTags, ApiParam } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { newId } from '@complaints/eventstore';
import { CAN, Meta, Roles, type RequestMeta, ApiEndpoint } from '@complaints/kit';
import { CaseCommands } from '../infrastructure/case-commands';
import { CommentDto, DECISIONS, type Decision } from '../infrastructure/request-bodies';
import { CaseViewDto } from '../responses.dto';

export class RequestExtensionDto {
  @ApiProperty({ enum: ['acknowledgement', 'first-contact', 'resolution', 'follow-up', 'regulatory'] })
  @IsIn(['acknowledgement', 'first-contact', 'resolution', 'follow-up', 'regulatory'])
  clock!: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(4000) reason!: string;
  @ApiProperty({ description: 'What the customer is told' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  customerExplanation!: string;
}

const CaseId = () => Param('id', new ParseUUIDPipe());

@ApiTags('cases')
@Roles(...CAN.workCases)
@Controller('cases/:id/extensions')
export class DeadlineExtensionController {
  constructor(private readonly cases: CaseCommands) {}

  @ApiEndpoint(
    'Request a deadline extension',
    'Asks for more time on a clock, with the reason; a supervisor decides.',
    [400, 404, 409, 422],
    { type: CaseViewDto },
  )
  @Post()
  @HttpCode(200)
  request(@CaseId() caseId: string, @Body() body: RequestExtensionDto, @Meta() meta: RequestMeta) {
    return this.cases.run(caseId, { type: 'RequestExtension', data: { caseId, extensionId: newId(), ...body } }, meta);
  }

  @ApiEndpoint(
    'Decide a deadline extension',
    '`approve` or `reject` the pending extension, with a comment.',
    [400, 404, 409, 422],
    { type: CaseViewDto },
  )
  @ApiParam({ name: 'decision', enum: ['approve', 'reject'] })
  @Post(':extensionId/:decision')
  @HttpCode(200)
  decide(
    @CaseId() caseId: string,
    @Param('extensionId') extensionId: string,
    @Param('decision', new ParseEnumPipe(DECISIONS)) decision: Decision,
    @Body() body: CommentDto,
    @Meta() meta: RequestMeta,
  ) {
    const data = { caseId, extensionId, approved: decision === 'approve', comment: body.comment };
    return this.cases.run(caseId, { type: 'DecideExtension', data }, meta);
  }
}
