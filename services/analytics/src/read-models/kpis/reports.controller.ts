/**
 * Regulator-style complaint returns over a reporting period [from, to): FCA DISP 1.10 style per
 * product and NFRA style per category (definitions in domain/regulatory-returns.ts). JSON, or
 * format=csv for the per-product / per-category table. The audit roles get their tenant's return;
 * a department head the same return over the cases its departments are responsible for now (the
 * rule of kpis.controller.ts), its share of the firm's return, not a filing of its own.
 */
import { Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Database } from '@complaints/eventstore';
import { CAN, DATABASE, Meta, Roles, type RequestMeta, ApiEndpoint, ApiFiguresResponse } from '@complaints/kit';
import type { CaseSummary } from '../../domain/case-summary';
import type { CalendarOf } from '../../domain/kpi-figures';
import { fcaReturn, nfraReturn, type Period } from '../../domain/regulatory-returns';
import { FcaReturnDto, NfraReturnDto } from './kpi-responses.dto';
import { calendars, loadCases, parseScope, reply, ScopeQueries, type RawQuery } from './kpi-queries';

@ApiTags('reports')
@ScopeQueries('the reporting period')
@Roles(...CAN.readReturns)
@Controller('reports')
export class ReportsController {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /** Opened, closed within 3 business days / 8 weeks / later, upheld %, open at period end — per product. */
  @ApiEndpoint(
    'FCA complaints return',
    'Opened, closed within 3 business days / 8 weeks / later, upheld %, open at period end — per product.',
    [400],
  )
  @ApiFiguresResponse('FCA complaints return', FcaReturnDto)
  @Get('fca')
  async fca(
    @Query() query: RawQuery,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) response: Response,
  ): Promise<FcaReturnDto | string> {
    return this.build('fca', fcaReturn, query, meta, response);
  }

  /** Received, handled within 15 / 30 / 60 days or later, open at period end — per complaint category. */
  @ApiEndpoint(
    'NFRA complaints return',
    'Received, handled within 15 / 30 / 60 days or later, open at period end — per complaint category.',
    [400],
  )
  @ApiFiguresResponse('NFRA complaints return', NfraReturnDto)
  @Get('nfra')
  async nfra(
    @Query() query: RawQuery,
    @Meta() meta: RequestMeta,
    @Res({ passthrough: true }) response: Response,
  ): Promise<NfraReturnDto | string> {
    return this.build('nfra', nfraReturn, query, meta, response);
  }

  private async build<T extends object>(
    name: string,
    figures: (cases: CaseSummary[], period: Period, calendarOf: CalendarOf) => T,
    query: RawQuery,
    meta: RequestMeta,
    response: Response,
  ): Promise<T | string> {
    const scope = parseScope(query, meta);
    const cases = await loadCases(this.db, scope, true);
    return reply(query, response, `${name}-return`, figures(cases, { from: scope.from, to: scope.to }, calendars));
  }
}
