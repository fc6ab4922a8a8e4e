/** Reading a registered complaint (personal data revealed through the key vault), and undoing a duplicate link a supervisor judged wrong. */
import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { NotFoundError } from '@complaints/decider';
import { handleCommand, loadState, type Database, type EventStore } from '@complaints/eventstore';
import {
  CAN,
  CLOCK,
  DATABASE,
  EVENT_STORE,
  KEY_VAULT,
  Meta,
  Roles,
  type Clock,
  type RequestMeta,
  ApiEndpoint,
} from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import type { ComplaintState } from '../domain/complaint';
import { complaintDecider, complaintStream } from '../domain/complaint.decide';
import { ComplaintViewDto } from '../responses.dto';

export class UnlinkDuplicateDto {
  @ApiProperty({ example: 'Different card and a different month' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(4000)
  reason!: string;
}

/** The complaint as stored, its personal fields revealed (or "[erased]"); `complainant.subjectId` names its data subject. */
function present(vault: KeyVault, tenant: string, state: ComplaintState, version: number, id: string) {
  if (state.status === 'none') throw new NotFoundError('Complaint', id);
  return vault.reveal(tenant, {
    status: state.status,
    version,
    ...state.complaint,
    duplicateOf: state.duplicateOf,
    repeatComplainant: state.repeatComplainant,
    ...(state.erasedAt ? { erasedAt: state.erasedAt } : {}),
  });
}

@ApiTags('complaints')
@Controller('complaints')
export class GetComplaintController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
  ) {}

  /**
   * Channel adapters follow what they submitted themselves (the same API key name or token
   * subject), and no other adapter's complaint: to them it does not exist. Case readers other
   * than department-scoped ones read every complaint of their tenant.
   */
  @ApiEndpoint(
    'Read a complaint',
    'The complaint as registered, personal fields revealed (or "[erased]"). A channel adapter reads only the complaints it submitted.',
    [400, 404],
    { type: ComplaintViewDto },
  )
  @Get(':id')
  @Roles('channel', 'supervisor', 'complaints-officer', 'quality-inspector', 'auditor')
  async get(@Param('id', new ParseUUIDPipe()) id: string, @Meta() meta: RequestMeta) {
    if (meta.actor.role === 'channel' && (await this.submitter(id)) !== meta.actor.id)
      throw new NotFoundError('Complaint', id);
    const loaded = await loadState(this.db, this.store, complaintDecider, complaintStream(id), meta.tenant);
    if (!loaded) throw new NotFoundError('Complaint', id);
    return present(this.vault, meta.tenant, loaded.state, loaded.version, id);
  }

  /** Who registered the complaint: the actor of its first event (row-level security keeps it to the tenant). */
  private async submitter(id: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ actor: string }>(
      `SELECT metadata->'actor'->>'id' AS actor FROM events WHERE stream_id = $1 ORDER BY stream_version LIMIT 1`,
      [complaintStream(id)],
    );
    return rows[0]?.actor;
  }

  @ApiEndpoint(
    'Remove a duplicate link',
    'Undoes a duplicate link a supervisor judged wrong, with the reason.',
    [400, 404, 409, 422],
    { type: ComplaintViewDto },
  )
  @Post(':id/duplicate-links/:otherId/remove')
  @Roles(...CAN.supervise)
  @HttpCode(200)
  async unlink(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('otherId', new ParseUUIDPipe()) otherId: string,
    @Body() body: UnlinkDuplicateDto,
    @Meta() meta: RequestMeta,
  ) {
    const command = {
      type: 'UnlinkDuplicate' as const,
      data: { complaintId: id, duplicateOf: otherId, reason: body.reason },
    };
    const { state, version } = await handleCommand(
      this.db,
      this.store,
      complaintDecider,
      complaintStream(id),
      command,
      { ...meta, now: this.clock.now() },
    );
    return present(this.vault, meta.tenant, state, version, id);
  }
}
