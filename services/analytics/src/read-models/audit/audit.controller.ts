/**
 * For compliance auditors: a case's full history with causation, and the case exactly as it stood
 * at any instant, folded from the events up to that instant (by the time each event happened).
 */
import { BadRequestException, Controller, Get, Inject, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import type { Database } from '@complaints/eventstore';
import {
  ApiEndpoint,
  CAN,
  DATABASE,
  HISTORY_PAGE,
  KEY_VAULT,
  Meta,
  Paged,
  Roles,
  pageOf,
  strictQuery,
  type RequestMeta,
} from '@complaints/kit';
import { CaseHistoryDto, CaseStateAtDto } from '../../responses.dto';
import type { KeyVault } from '@complaints/privacy';
import { evolveSummary, type CaseSummary } from '../../domain/case-summary';
import { readHistory } from '../case-timeline/case-history.query';

@ApiTags('audit')
@Roles(...CAN.audit)
@Controller('audit/cases')
export class AuditController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
  ) {}

  @ApiEndpoint(
    'Read a case’s audit history',
    'Every event of the case with its actor, correlation and causation, in order (personal fields revealed, or "[erased]").',
    [400, 404],
    { type: CaseHistoryDto, paged: true },
  )
  @Get(':id/history')
  @Paged(HISTORY_PAGE)
  async history(@Param('id', new ParseUUIDPipe()) id: string, @Query() raw: unknown, @Meta() meta: RequestMeta) {
    const query = strictQuery(raw, ['limit', 'cursor']);
    const events = await readHistory(this.db, meta.tenant, id);
    if (events.length === 0) throw new NotFoundError('Case', id);
    const { items, next } = pageOf(events, (e) => e.eventId, query, HISTORY_PAGE);
    // Personal fields are stored sealed; shown in plain text while their subject's key lives, else "[erased]".
    return { complaintId: id, events: await this.vault.reveal(meta.tenant, items), next };
  }

  @ApiEndpoint(
    'Read a case as it stood at an instant',
    'The case summary folded from the events up to `at` (by the time each event happened); now when absent.',
    [400, 404],
    { type: CaseStateAtDto },
  )
  @Get(':id/state')
  @ApiQuery({
    name: 'at',
    type: String,
    required: false,
    description: 'ISO 8601 instant',
    example: '2026-11-22T10:00:00+08:00',
  })
  async stateAt(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('at') at: string | undefined,
    @Meta() meta: RequestMeta,
  ) {
    const instant = at === undefined ? new Date() : new Date(at);
    if (Number.isNaN(instant.getTime())) throw new BadRequestException(`"at" must be an ISO 8601 instant, got "${at}"`);
    const events = await readHistory(this.db, meta.tenant, id, instant);
    if (events.length === 0) throw new NotFoundError(`Case as of ${instant.toISOString()}`, id);
    // What the fold reads, named: spreading every entry into a copy cost more than the fold itself.
    const state = events.reduce<CaseSummary | undefined>(
      (summary, { type, tenant, time, streamVersion, data }) =>
        evolveSummary(summary, { type, subject: id, tenant, time, streamVersion, data }),
      undefined,
    );
    return {
      complaintId: id,
      at: instant.toISOString(),
      eventsApplied: events.length,
      lastEventId: events.at(-1)!.eventId,
      state: await this.vault.reveal(meta.tenant, state),
    };
  }
}
