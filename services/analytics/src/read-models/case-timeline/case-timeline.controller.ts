/** What auditors and managers read: a case's current summary and its full, ordered history. */
import { Controller, Get, Inject, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
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
import type { KeyVault } from '@complaints/privacy';
import type { CaseSummary } from '../../domain/case-summary';
import { readHistory, visibleSummary } from './case-history.query';
import { CaseHistoryDto, CaseSummaryDto } from '../../responses.dto';

@ApiTags('cases')
@Roles(...CAN.readCases)
@Controller('cases')
export class CaseTimelineController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
  ) {}

  @ApiEndpoint('Read a case summary', 'The case’s current summary from the read model.', [400, 404], {
    type: CaseSummaryDto,
  })
  @Get(':id')
  async summary(@Param('id', new ParseUUIDPipe()) id: string, @Meta() meta: RequestMeta): Promise<CaseSummary> {
    return this.vault.reveal(meta.tenant, await visibleSummary(this.db, meta, id));
  }

  @ApiEndpoint('Read a case’s history', 'Every event of the case in order, a page at a time.', [400, 404], {
    type: CaseHistoryDto,
    paged: true,
  })
  @Get(':id/history')
  @Paged(HISTORY_PAGE)
  async history(@Param('id', new ParseUUIDPipe()) id: string, @Query() raw: unknown, @Meta() meta: RequestMeta) {
    const query = strictQuery(raw, ['limit', 'cursor']);
    await visibleSummary(this.db, meta, id);
    const { items, next } = pageOf(await readHistory(this.db, meta.tenant, id), (e) => e.eventId, query, HISTORY_PAGE);
    // Personal fields are stored sealed; shown in plain text while their subject's key lives, else "[erased]".
    return { complaintId: id, events: await this.vault.reveal(meta.tenant, items), next };
  }
}
