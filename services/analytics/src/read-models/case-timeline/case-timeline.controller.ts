/** What auditors and managers read: a case's current summary and its full, ordered history. */
import { Controller, Get, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@complaints/decider';
import type { Database } from '@complaints/eventstore';
import { DATABASE } from '@complaints/kit';
import type { CaseSummary } from '../../domain/case-summary';

interface HistoryRow {
  event_id: string;
  source: string;
  type: string;
  occurred_at: Date;
  actor: { id: string; role: string };
  correlation_id: string;
  causation_id: string | null;
  stream_version: number;
  data: unknown;
  recorded_at: Date;
}

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
    const { rows } = await this.db.query<HistoryRow>(
      `SELECT event_id, source, type, occurred_at, actor, correlation_id, causation_id, stream_version, data, recorded_at
         FROM case_history WHERE complaint_id = $1 ORDER BY occurred_at, seq`,
      [id],
    );
    if (rows.length === 0) throw new NotFoundError('Case', id);
    return {
      complaintId: id,
      events: rows.map((row) => ({
        eventId: row.event_id,
        source: row.source,
        type: row.type,
        time: row.occurred_at.toISOString(),
        actor: row.actor,
        correlationId: row.correlation_id,
        causationId: row.causation_id,
        data: row.data,
        recordedAt: row.recorded_at.toISOString(),
      })),
    };
  }
}
