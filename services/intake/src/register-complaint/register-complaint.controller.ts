import { Body, Controller, Headers, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { BadRequestException } from '@nestjs/common';
import {
  CAN,
  CLOCK,
  Meta,
  Roles,
  assertChannel,
  clientOf,
  type Clock,
  type RequestMeta,
  ApiEndpoint,
} from '@complaints/kit';
import { RegisterComplaintDto } from '../complaint.dto';
import { RegisterComplaintHandler, type Registration } from '../infrastructure/registration/register-complaint.handler';
import { RegistrationDto } from '../responses.dto';

@ApiTags('complaints')
@Controller('complaints')
export class RegisterComplaintController {
  constructor(
    private readonly handler: RegisterComplaintHandler,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @ApiEndpoint(
    'Register a complaint',
    'Registers a complaint in the canonical shape and answers its reference and the time limit to tell the customer. An Idempotency-Key makes retries safe.',
    [400, 409, 413, 415, 422],
    { type: RegistrationDto, status: 201 },
  )
  @Post()
  @HttpCode(201)
  @Roles(...CAN.submit)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retries with the same key return the first result',
  })
  async register(
    @Body() body: RegisterComplaintDto,
    @Meta() meta: RequestMeta,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Registration> {
    if (idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(idempotencyKey)) {
      throw new BadRequestException('Idempotency-Key must be 1-200 visible ASCII characters');
    }
    assertChannel(meta, body.channel);
    const { replayed, ...registration } = await this.handler.register(
      JSON.parse(JSON.stringify(body)) as RegisterComplaintDto,
      { ...meta, now: this.clock.now() },
      idempotencyKey === undefined
        ? undefined
        : { key: `idempotency:${idempotencyKey}`, strict: true, client: clientOf(meta) },
    );
    if (replayed) response.setHeader('Idempotent-Replayed', 'true');
    response.setHeader('Location', `/complaints/${registration.complaintId}`);
    return registration;
  }
}
