/**
 * Management figures over the case projections: volumes by period and dimension; handling times
 * (calendar and business hours) and headline rates; SLA compliance per clock; outcomes; root
 * causes; repeat complainants; time in each department's hands. Every endpoint takes from/to
 * (receipt time, [from, to)), an optional tenant, and format=json|csv.
 */
import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Database } from '@complaints/eventstore';
import { DATABASE } from '@complaints/kit';
import { departmentTime } from '../../domain/department-time';
import {
  handlingFigures,
  outcomeFigures,
  repeatComplainants,
  rootCauseFigures,
  slaCompliance,
} from '../../domain/kpi-figures';
import {
  ScopeQueries,
  calendars,
  enumParam,
  intParam,
  loadCases,
  loadDepartmentEvents,
  parseScope,
  reply,
  type RawQuery,
} from './kpi-queries';

const DIMENSIONS = ['category', 'channel', 'department', 'priority', 'tenant'] as const;
const PERIODS = ['day', 'week', 'month'] as const;

@ApiTags('kpis')
@ScopeQueries('complaints received')
@Controller('kpis')
export class KpisController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Complaints received per period and dimension value, counted by receipt time (UTC periods). */
  @Get('volumes')
  @ApiQuery({ name: 'by', required: false, enum: DIMENSIONS })
  @ApiQuery({ name: 'period', required: false, enum: PERIODS })
  async volumes(@Query() query: RawQuery, @Res({ passthrough: true }) response: Response) {
    const by = enumParam(query, 'by', DIMENSIONS);
    const period = enumParam(query, 'period', PERIODS);
    const scope = parseScope(query);
    const { rows } = await this.db.query<{ period: Date; value: string | null; complaints: string }>(
      `SELECT date_trunc($1, (summary->>'receivedAt')::timestamptz AT TIME ZONE 'UTC') AS period,
              summary->>$2 AS value, count(*) AS complaints
         FROM case_summaries
        WHERE summary ? 'receivedAt' AND (summary->>'receivedAt')::timestamptz >= $3 AND (summary->>'receivedAt')::timestamptz < $4
          AND ($5::text IS NULL OR tenant = $5)
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [period, by, scope.from, scope.to, scope.tenant ?? null],
    );
    return reply(query, response, 'volumes', {
      by,
      period,
      rows: rows.map((r) => ({
        period: r.period.toISOString().slice(0, 10),
        [by]: r.value ?? 'unknown',
        complaints: Number(r.complaints),
      })),
    });
  }

  /** Hours to acknowledge and to resolve from receipt (median, p90; calendar and business), breach, escalation and reopen rates. */
  @Get('handling')
  async handling(@Query() query: RawQuery, @Res({ passthrough: true }) response: Response) {
    const cases = await loadCases(this.db, parseScope(query));
    return reply(query, response, 'handling', handlingFigures(cases, calendars));
  }

  /** Per SLA clock type: cases running it, breached, and the compliance rate. */
  @Get('sla')
  async sla(@Query() query: RawQuery, @Res({ passthrough: true }) response: Response) {
    return reply(query, response, 'sla', slaCompliance(await loadCases(this.db, parseScope(query))));
  }

  /** Escalation rate and level reached, reopen rate, first-contact resolution, validity rate, satisfaction. */
  @Get('outcomes')
  async outcomes(@Query() query: RawQuery, @Res({ passthrough: true }) response: Response) {
    return reply(query, response, 'outcomes', outcomeFigures(await loadCases(this.db, parseScope(query))));
  }

  /** The commonest root causes of closed cases with their improvement actions, and the commonest actions. */
  @Get('root-causes')
  @ApiQuery({ name: 'limit', required: false, description: '1 to 100, default 10' })
  async rootCauses(@Query() query: RawQuery, @Res({ passthrough: true }) response: Response) {
    const limit = intParam(query, 'limit', 10, 1, 100);
    return reply(query, response, 'root-causes', rootCauseFigures(await loadCases(this.db, parseScope(query)), limit));
  }

  /** Customers with at least `minComplaints` complaints received in the period, and intake's repeat flags. */
  @Get('repeat-complainants')
  @ApiQuery({ name: 'minComplaints', required: false, description: '2 to 1000, default 2' })
  async repeatComplainants(@Query() query: RawQuery, @Res({ passthrough: true }) response: Response) {
    const minimum = intParam(query, 'minComplaints', 2, 2, 1000);
    const cases = await loadCases(this.db, parseScope(query));
    return reply(query, response, 'repeat-complainants', repeatComplainants(cases, minimum));
  }

  /** Hours each department held cases (calendar and business), and the hand-offs between departments. */
  @Get('departments')
  async departments(@Query() query: RawQuery, @Res({ passthrough: true }) response: Response) {
    const events = await loadDepartmentEvents(this.db, parseScope(query));
    return reply(query, response, 'departments', departmentTime(events, calendars));
  }
}
