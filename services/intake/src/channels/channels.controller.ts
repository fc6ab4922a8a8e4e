/**
 * Channel adapters: each turns what its channel sends into the one canonical complaint, keeps the
 * channel's own identifiers, and de-duplicates on the channel's native id where it has one.
 */
import {
  BadRequestException,
  Body,
  Controller,
  Headers,
  HttpCode,
  Inject,
  Post,
  Req,
  Res,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { ApiConsumes, ApiTags, ApiBody } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { Request, Response } from 'express';
import {
  CAN,
  CLOCK,
  Meta,
  Roles,
  assertChannel,
  clientOf,
  flattenViolations,
  unstorableText,
  type Clock,
  type RequestMeta,
  ApiEndpoint,
  ApiIdempotencyKey,
} from '@complaints/kit';
import { MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, type IncomingFile } from '../infrastructure/attachment-store';
import type { ComplaintDetails } from '../domain/complaint';
import { RegisterComplaintDto } from '../complaint.dto';
import {
  RegisterComplaintHandler,
  type DedupKey,
  type Registration,
} from '../infrastructure/registration/register-complaint.handler';
import { BranchComplaintDto, HotlineCallDto, RegulatorReferralDto } from './channel.dto';
import { emailToComplaint } from './email';
import { hotlineToComplaint } from './hotline';
import { RegistrationDto } from '../responses.dto';

/** The form's parts as OpenAPI describes them (the handler validates the complaint part itself). */
const FORM_BODY = {
  type: 'object',
  required: ['complaint'],
  properties: {
    complaint: { type: 'string', description: 'The complaint in the canonical JSON shape of POST /complaints' },
    attachments: {
      type: 'array',
      maxItems: MAX_ATTACHMENTS,
      items: { type: 'string', format: 'binary' },
      description: `Up to ${MAX_ATTACHMENTS} files`,
    },
  },
};

const plain = <T>(dto: T): T => JSON.parse(JSON.stringify(dto)) as T;
/** An Idempotency-Key is the client's own (IntakeIdempotencyPerClient); a channel's native id is the tenant's. */
const idempotency = (key: string | undefined, meta: RequestMeta): DedupKey | undefined =>
  key ? { key: `idempotency:${key}`, strict: true, client: clientOf(meta) } : undefined;

@ApiTags('channels')
@Roles(...CAN.submit)
@Controller('channels')
export class ChannelsController {
  constructor(
    private readonly handler: RegisterComplaintHandler,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private async register(
    response: Response,
    details: ComplaintDetails,
    meta: RequestMeta,
    dedup?: DedupKey,
    files: IncomingFile[] = [],
  ): Promise<Registration> {
    assertChannel(meta, details.channel);
    const { replayed, ...registration } = await this.handler.register(
      details,
      { ...meta, now: this.clock.now() },
      dedup,
      files,
    );
    if (replayed) response.setHeader('Idempotent-Replayed', 'true');
    response.setHeader('Location', `/complaints/${registration.complaintId}`);
    return registration;
  }

  /** A raw RFC 5322 / MIME message from the mail gateway; Message-ID de-duplicates. */
  @ApiEndpoint(
    'Submit a complaint by email',
    'A raw RFC 5322 / MIME message from the mail gateway (attachments included, up to 25 MB); its Message-ID de-duplicates.',
    [400, 409, 413, 415, 422],
    { type: RegistrationDto, status: 201 },
  )
  @ApiBody({ description: 'The whole message as received', schema: { type: 'string', format: 'binary' } })
  @Post('email')
  @HttpCode(201)
  @ApiConsumes('message/rfc822')
  async email(@Req() request: Request, @Meta() meta: RequestMeta, @Res({ passthrough: true }) response: Response) {
    if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
      throw new BadRequestException('Post the raw message with Content-Type: message/rfc822');
    }
    const { details, messageId, files } = await emailToComplaint(request.body, this.clock.now());
    return this.register(response, details, meta, { key: `email:${messageId}`, strict: false }, files);
  }

  /** A 95598 / 95599 style call record from the CTI system; the call id de-duplicates. */
  @ApiEndpoint(
    'Submit a hotline call record',
    'A 95598 / 95599 style call record from the CTI system; the call id de-duplicates.',
    [400, 409, 413, 415, 422],
    { type: RegistrationDto, status: 201 },
  )
  @Post('hotline')
  @HttpCode(201)
  async hotline(
    @Body() call: HotlineCallDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) response: Response,
  ) {
    const details = hotlineToComplaint(call, this.clock.now());
    return this.register(response, details, meta, { key: `hotline:${call.hotline}:${call.callId}`, strict: false });
  }

  /** Branch counter app: the canonical complaint plus branch code and staff id. */
  @ApiEndpoint(
    'Submit a complaint from a branch',
    'The canonical complaint plus the branch code and staff id, from the branch counter app.',
    [400, 409, 413, 415, 422],
    { type: RegistrationDto, status: 201 },
  )
  @ApiIdempotencyKey()
  @Post('branch')
  @HttpCode(201)
  async branch(
    @Body() body: BranchComplaintDto,
    @Meta() meta: RequestMeta,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { branchCode, staffId, ...complaint } = plain(body);
    return this.register(
      response,
      { ...complaint, channel: 'branch', channelDetails: { branchCode, staffId } },
      meta,
      idempotency(key, meta),
    );
  }

  /** A referral from a regulator or consumer association, with its reference and the deadline it set. */
  @ApiEndpoint(
    'Submit a regulator referral',
    'A referral from a regulator or consumer association, with its reference and the deadline it set; the reference de-duplicates.',
    [400, 409, 413, 415, 422],
    { type: RegistrationDto, status: 201 },
  )
  @Post('regulator')
  @HttpCode(201)
  async regulator(
    @Body() body: RegulatorReferralDto,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { regulator, regulatorReference, regulatorDeadline, ...complaint } = plain(body);
    const details: ComplaintDetails = {
      ...complaint,
      channel: 'regulator',
      regulatorDeadline: new Date(regulatorDeadline).toISOString(),
      channelDetails: { regulator, regulatorReference },
    };
    return this.register(response, details, meta, {
      key: `regulator:${regulator}:${regulatorReference}`,
      strict: false,
    });
  }

  /** Web and app forms: a `complaint` part (the canonical JSON) and up to ten `attachments`. */
  @ApiEndpoint(
    'Submit a web or app form',
    'Multipart form: a `complaint` part holding the canonical complaint as JSON and up to ten `attachments`.',
    [400, 409, 413, 415, 422],
    { type: RegistrationDto, status: 201 },
  )
  @ApiIdempotencyKey()
  @ApiBody({ schema: FORM_BODY })
  @Post('form')
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @UseInterceptors(FilesInterceptor('attachments', MAX_ATTACHMENTS, { limits: { fileSize: MAX_ATTACHMENT_BYTES } }))
  async form(
    @Body('complaint') raw: string | undefined,
    @UploadedFiles() uploads: { originalname: string; mimetype: string; buffer: Buffer }[] | undefined,
    @Meta() meta: RequestMeta,
    @Headers('idempotency-key') key: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw ?? '');
    } catch {
      throw new BadRequestException('The form needs a "complaint" field holding the complaint as JSON');
    }
    const unstorable = unstorableText(parsed, 'complaint');
    if (unstorable.length > 0) throw new BadRequestException(`The complaint part is invalid: ${unstorable.join('; ')}`);
    const dto = plainToInstance(RegisterComplaintDto, parsed);
    const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length > 0) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'The complaint part is invalid',
        violations: flattenViolations(errors).map((v) => ({ ...v, field: `complaint.${v.field}` })),
      });
    }
    const files = (uploads ?? []).map((f) => ({ filename: f.originalname, mediaType: f.mimetype, content: f.buffer }));
    return this.register(response, plain(dto), meta, idempotency(key, meta), files);
  }
}
