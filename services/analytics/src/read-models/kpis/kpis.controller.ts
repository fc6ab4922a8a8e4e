/**
 * Management figures over the case projections: volumes by period and dimension; handling times
 * (calendar and business hours) and headline rates; SLA compliance per clock; outcomes; root
 * causes; repeat complainants; time in each department's hands. Every endpoint takes from/to
 * (receipt time, [from, to)), an optional tenant, and format=json|csv.
 *
 * Who sees which cases: the oversight roles every case of their tenant. A department head the
 * cases of the departments in its token, and no others (none named: empty figures): a case
 * counts for the department responsible for it, the one it is with now (routing's placement,
 * then the last reassignment), which is also the rule for reading a case. So a case handed from
 * cards to fraud is all fraud's, its time in cards included, and each case counts for exactly one
 * department: the heads' figures add up to the tenant's. Department time is the exception, as
 * it is about the hands a case passed through: a head sees the rows of its own departments only,
 * made of the spells the cases spent in them (of every case received in the period that one of
 * them held, wherever it is now), and the hand-offs into and out of them, counterpart named.
 * The regulator returns (reports.controller.ts) follow the same case rule.
 */
import { SlaCatalogue } from '@complaints/sla';
import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Database } from '@complaints/eventstore';
import { CAN, DATABASE, Meta, Roles, type RequestMeta, ApiEndpoint, ApiFiguresResponse } from '@complaints/kit';
import { departmentTime } from '../../domain/department-time';
import {
  DepartmentTimeDto,
  HandlingDto,
  OutcomesDto,
  RepeatComplainantsDto,
  RootCausesDto,
  SlaComplianceDto,
  VolumesDto,
  type VolumeRowDto,
} from './kpi-responses.dto';
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
  OF_DEPARTMENTS,
  parseScope,
  periodTimeZone,
  reply,
  type RawQuery,
} from './kpi-queries';

const DIMENSIONS = ['category', 'channel', 'department', 'priority', 'tenant'] as const;
const PERIODS = ['day', 'week', 'month'] as const;

@ApiTags('kpis')
@ScopeQueries('complaints received')
@Roles(...CAN.readKpis)
@Controller('kpis')
export class KpisController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly slaCatalogue: SlaCatalogue,
  ) {}

  /** Complaints received per period and dimension value, by receipt time in the tenant's time zone (or `timeZone`). */
  @ApiEndpoint(
    'Complaint volumes',
    "Complaints received per period and dimension value, counted by receipt time in the tenant's time zone (or `timeZone`, an IANA zone).",
    [400],
  )
  @ApiFiguresResponse('Complaint volumes', VolumesDto)
  @Get('volumes')
  @ApiQuery({ name: 'by', required: false, enum: DIMENSIONS })
  @ApiQuery({ name: 'period', required: false, enum: PERIODS })
  async volumes(
    @Query() query: RawQuery,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) response: Response,
  ): Promise<VolumesDto | string> {
    const by = enumParam(query, 'by', DIMENSIONS);
    const period = enumParam(query, 'period', PERIODS);
    const scope = parseScope(query, meta, ['by', 'period', 'timeZone']);
    const timeZone = periodTimeZone(query, scope.tenant, this.slaCatalogue);
    const { rows } = await this.db.query<{ period: string; value: string | null; complaints: string }>(
      `SELECT to_char(date_trunc($1, (summary->>'receivedAt')::timestamptz AT TIME ZONE $7), 'YYYY-MM-DD') AS period,
              summary->>$2 AS value, count(*) AS complaints
         FROM case_summaries
        WHERE summary ? 'receivedAt' AND (summary->>'receivedAt')::timestamptz >= $3 AND (summary->>'receivedAt')::timestamptz < $4
          AND ($5::text IS NULL OR tenant = $5) AND ${OF_DEPARTMENTS('$6')}
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [period, by, scope.from, scope.to, scope.tenant ?? null, scope.departments, timeZone],
    );
    return reply(query, response, 'volumes', {
      by,
      period,
      timeZone,
      rows: rows.map((r): VolumeRowDto => ({
        period: r.period,
        ...({ [by]: r.value ?? 'unknown' } as Pick<VolumeRowDto, (typeof DIMENSIONS)[number]>),
        complaints: Number(r.complaints),
      })),
    });
  }

  /** Hours to acknowledge and to resolve from receipt (median, p90; calendar and business), breach, escalation and reopen rates. */
  @ApiEndpoint(
    'Handling times',
    'Hours to acknowledge and to resolve from receipt (median, p90; calendar and business), breach, escalation and reopen rates.',
    [400],
  )
  @ApiFiguresResponse('Handling times', HandlingDto)
  @Get('handling')
  async handling(
    @Query() query: RawQuery,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) response: Response,
  ): Promise<HandlingDto | string> {
    const cases = await loadCases(this.db, parseScope(query, meta));
    return reply(query, response, 'handling', handlingFigures(cases, calendars));
  }

  /** Per SLA clock type: its clocks met, breached and still running; compliance over those that ended. */
  @ApiEndpoint(
    'SLA compliance',
    'Per SLA clock type: its clocks met, breached and still running; compliance over the clocks that ended.',
    [400],
  )
  @ApiFiguresResponse('SLA compliance', SlaComplianceDto)
  @Get('sla')
  async sla(
    @Query() query: RawQuery,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SlaComplianceDto | string> {
    return reply(query, response, 'sla', slaCompliance(await loadCases(this.db, parseScope(query, meta))));
  }

  /** Escalation rate and level reached, reopen rate, first-contact resolution, validity rate, satisfaction. */
  @ApiEndpoint(
    'Outcomes',
    'Escalation rate and level reached, reopen rate, first-contact resolution, validity rate, satisfaction.',
    [400],
  )
  @ApiFiguresResponse('Outcomes', OutcomesDto)
  @Get('outcomes')
  async outcomes(
    @Query() query: RawQuery,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OutcomesDto | string> {
    return reply(query, response, 'outcomes', outcomeFigures(await loadCases(this.db, parseScope(query, meta))));
  }

  /** The commonest root causes of closed cases with their improvement actions, and the commonest actions. */
  @ApiEndpoint(
    'Root causes',
    'The commonest root causes of closed cases with their improvement actions, and the commonest actions.',
    [400],
  )
  @ApiFiguresResponse('Root causes', RootCausesDto)
  @Get('root-causes')
  @ApiQuery({ name: 'limit', type: 'integer', required: false, description: '1 to 100, default 10' })
  async rootCauses(
    @Query() query: RawQuery,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RootCausesDto | string> {
    const limit = intParam(query, 'limit', 10, 1, 100);
    return reply(
      query,
      response,
      'root-causes',
      rootCauseFigures(await loadCases(this.db, parseScope(query, meta, ['limit'])), limit),
    );
  }

  /** Customers with at least `minComplaints` complaints received in the period, and intake's repeat flags. */
  @ApiEndpoint(
    'Repeat complainants',
    'Customers with at least `minComplaints` complaints received in the period, and intake’s repeat flags.',
    [400],
  )
  @ApiFiguresResponse('Repeat complainants', RepeatComplainantsDto)
  @Get('repeat-complainants')
  @ApiQuery({ name: 'minComplaints', type: 'integer', required: false, description: '2 to 1000, default 2' })
  async repeatComplainants(
    @Query() query: RawQuery,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) response: Response,
  ): Promise<RepeatComplainantsDto | string> {
    const minimum = intParam(query, 'minComplaints', 2, 2, 1000);
    const cases = await loadCases(this.db, parseScope(query, meta, ['minComplaints']));
    return reply(query, response, 'repeat-complainants', repeatComplainants(cases, minimum));
  }

  /** Hours each department held cases (calendar and business), and the hand-offs between departments. */
  @ApiEndpoint(
    'Time per department',
    'Hours each department held cases (calendar and business), and the hand-offs between departments.',
    [400],
  )
  @ApiFiguresResponse('Time per department', DepartmentTimeDto)
  @Get('departments')
  async departments(
    @Query() query: RawQuery,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) response: Response,
  ): Promise<DepartmentTimeDto | string> {
    const scope = parseScope(query, meta);
    const events = await loadDepartmentEvents(this.db, scope);
    return reply(query, response, 'departments', departmentTime(events, calendars, scope.departments ?? undefined));
  }
}
