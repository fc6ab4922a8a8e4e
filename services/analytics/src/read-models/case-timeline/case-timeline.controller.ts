/** What auditors and managers read: a case's current summary and its full, ordered history. */
import { Controller, Get, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import type { Database } from '@complaints/eventstore';
import { DATABASE } from '@complaints/kit';
import type { CaseSummary } from '../../domain/case-summary';
import { readHistory } from './case-history.query';

@ApiTags('cases')
@Controller('cases')
export class CaseTimelineController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  @Get(':id')
  async summary(@Param('id', new ParseUUIDPipe()) id: string): Promise<CaseSummary> {
    const { rows } = await this.db.query<{ summary: CaseSummary }>(
      'SELECT summary FROM case_summaries WHERE complaint_id = $1',
      [id],
    );
    if (!rows[0]) throw new NotFoundError('Case', id);
    return rows[0].summary;
  }

  @Get(':id/history')
  async history(@Param('id', new ParseUUIDPipe()) id: string) {
    const events = await readHistory(this.db, id);
    if (events.length === 0) throw new NotFoundError('Case', id);
    return { complaintId: id, events };
  }
}
