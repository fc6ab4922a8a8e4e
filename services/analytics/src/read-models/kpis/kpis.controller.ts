/**
 * Management figures over the case summaries: volumes by period and dimension, and handling times
 * and SLA compliance. Calendar time here; business-time figures come with the KPI work.
 */
import { BadRequestException, Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Database } from '@complaints/eventstore';
import { DATABASE } from '@complaints/kit';

const DIMENSIONS = {
  category: 'category',
  channel: 'channel',
  department: 'department',
  priority: 'priority',
  tenant: 'tenant',
} as const;
const PERIODS = ['day', 'week', 'month'] as const;

function range(from?: string, to?: string): [string, string] {
  const start = from ?? '1970-01-01T00:00:00Z';
  const end = to ?? '9999-12-31T00:00:00Z';
  for (const [name, value] of [
    ['from', start],
    ['to', end],
  ] as const) {
    if (Number.isNaN(Date.parse(value))) throw new BadRequestException(`${name} must be an ISO 8601 date`);
  }
  return [start, end];
}

interface HandlingRow {
  cases: string;
  acknowledged: string;
  resolved: string;
  ack_median: string | null;
  ack_p90: string | null;
  resolve_median: string | null;
  resolve_p90: string | null;
  breached: string;
  escalated: string;
  reopened: string;
}

@ApiTags('kpis')
@Controller('kpis')
export class KpisController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Complaints received per period and dimension value, counted by receipt time (UTC periods). */
  @Get('volumes')
  @ApiQuery({ name: 'by', enum: Object.keys(DIMENSIONS) })
  @ApiQuery({ name: 'period', enum: PERIODS })
  async volumes(
    @Query('by') by = 'category',
    @Query('period') period = 'day',
    @Query('from') from?: string,
    @Query('to') to?: string,
  ) {
    if (!(by in DIMENSIONS)) throw new BadRequestException(`by must be one of ${Object.keys(DIMENSIONS).join(', ')}`);
    if (!PERIODS.includes(period as (typeof PERIODS)[number]))
      throw new BadRequestException(`period must be one of ${PERIODS.join(', ')}`);
    const [start, end] = range(from, to);
    const { rows } = await this.db.query<{ period: Date; value: string | null; complaints: string }>(
      `SELECT date_trunc($1, (summary->>'receivedAt')::timestamptz AT TIME ZONE 'UTC') AS period,
              summary->>$2 AS value, count(*) AS complaints
         FROM case_summaries
        WHERE summary ? 'receivedAt' AND (summary->>'receivedAt')::timestamptz >= $3 AND (summary->>'receivedAt')::timestamptz < $4
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [period, DIMENSIONS[by as keyof typeof DIMENSIONS], start, end],
    );
    return {
      by,
      period,
      rows: rows.map((r) => ({
        period: `${r.period.toISOString().slice(0, 10)}`,
        [by]: r.value ?? 'unknown',
        complaints: Number(r.complaints),
      })),
    };
  }

  /** Time to acknowledge and to resolve (median, p90, in hours), and the share of cases with a breached clock. */
  @Get('handling')
  async handling(@Query('from') from?: string, @Query('to') to?: string) {
    const [start, end] = range(from, to);
    const { rows } = await this.db.query<HandlingRow>(
      `WITH cases AS (
         SELECT (summary->>'receivedAt')::timestamptz AS received,
                (summary->>'acknowledgedAt')::timestamptz AS acknowledged,
                (summary->>'resolvedAt')::timestamptz AS resolved,
                jsonb_array_length(coalesce(summary->'breachedClocks', '[]'::jsonb)) > 0 AS breached,
                coalesce((summary->>'escalationLevel')::int, 0) > 0 AS escalated,
                coalesce((summary->>'reopenCount')::int, 0) > 0 AS reopened
           FROM case_summaries
          WHERE summary ? 'receivedAt' AND (summary->>'receivedAt')::timestamptz >= $1 AND (summary->>'receivedAt')::timestamptz < $2)
       SELECT count(*) AS cases,
              count(acknowledged) AS acknowledged, count(resolved) AS resolved,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged - received) / 3600) AS ack_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged - received) / 3600) AS ack_p90,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM resolved - received) / 3600) AS resolve_median,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM resolved - received) / 3600) AS resolve_p90,
              count(*) FILTER (WHERE breached) AS breached, count(*) FILTER (WHERE escalated) AS escalated, count(*) FILTER (WHERE reopened) AS reopened
         FROM cases`,
      [start, end],
    );
    const r = rows[0]!;
    const n = Number(r.cases);
    const num = (v: string | null) => (v === null ? null : Math.round(Number(v) * 100) / 100);
    const share = (v: string | null) => (n === 0 ? null : Math.round((Number(v) / n) * 10000) / 10000);
    return {
      cases: n,
      acknowledged: Number(r.acknowledged),
      resolved: Number(r.resolved),
      hoursToAcknowledge: { median: num(r.ack_median), p90: num(r.ack_p90) },
      hoursToResolve: { median: num(r.resolve_median), p90: num(r.resolve_p90) },
      slaBreachRate: share(r.breached),
      escalationRate: share(r.escalated),
      reopenRate: share(r.reopened),
    };
  }
}
