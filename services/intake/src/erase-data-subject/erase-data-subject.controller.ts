/** `POST /data-subjects/:subjectId/erasure`: a complainant's right to erasure. The subject id is on the complaint (`complainant.subjectId`). */
import { BadRequestException, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CAN, CLOCK, Meta, Roles, type Clock, type RequestMeta, ApiEndpoint } from '@complaints/kit';
import { SUBJECT_ID } from '@complaints/privacy';
import { EraseDataSubjectHandler } from './erase-data-subject.handler';
import { ErasureDto } from '../responses.dto';

@ApiTags('data subjects')
@Roles(...CAN.administer)
@Controller('data-subjects')
export class EraseDataSubjectController {
  constructor(
    private readonly handler: EraseDataSubjectHandler,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @ApiEndpoint(
    'Erase a data subject',
    'Destroys the data subject’s keys: their personal data in every complaint, case and summary reads "[erased]" from now on, in backups too.',
    [400, 404],
    { type: ErasureDto },
  )
  @Post(':subjectId/erasure')
  @HttpCode(200)
  async erase(@Param('subjectId') subjectId: string, @Meta() meta: RequestMeta) {
    if (!SUBJECT_ID.test(subjectId)) {
      throw new BadRequestException(
        `subjectId must be a data subject id ("ds-" and 32 hex digits), got "${subjectId}"`,
      );
    }
    return this.handler.erase(subjectId, { ...meta, now: this.clock.now() });
  }
}
