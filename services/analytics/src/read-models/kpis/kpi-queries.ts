/**
 * What every KPI and report endpoint shares: reading the period and format from the query (a bad
 * value is a 400 naming the parameter), the caller's tenant and departments, loading the case
 * summaries or case events of that scope, and answering in JSON or CSV.
 */
import { applyDecorators, BadRequestException } from '@nestjs/common';
import { csvLine, departmentScope, isoInstant, ownTenant, strictQuery, type RequestMeta } from '@complaints/kit';
import { ApiQuery } from '@nestjs/swagger';
import type { Response } from 'express';
import type { SqlClient } from '@complaints/eventstore';
import { SlaCatalogue } from '@complaints/sla';
import type { CaseSummary } from '../../domain/case-summary';
import type { CaseEventRow } from '../../domain/department-time';
import type { CalendarOf } from '../../domain/kpi-figures';

export type RawQuery = Record<string, string | undefined>;

const FORMATS = ['json', 'csv'] as const;

export interface ReportScope {
  from: string;
  to: string;
  tenant: string;
  /** The departments whose cases the figures cover (a department head's, from its token); null: every department. */
  departments: string[] | null;
}

/** The query parameters every KPI and report takes, for the OpenAPI docs. */
export const ScopeQueries = (what: string) =>
  applyDecorators(
    ApiQuery({
      name: 'from',
      type: String,
      format: 'date-time',
      required: false,
      description: `ISO 8601, inclusive: ${what} from this instant`,
    }),
    ApiQuery({
      name: 'to',
      type: String,
      format: 'date-time',
      required: false,
      description: `ISO 8601, exclusive: ${what} before this instant`,
    }),
    ApiQuery({
      name: 'tenant',
      type: String,
      required: false,
      description: "the caller's own tenant only (it comes from the token)",
    }),
    ApiQuery({ name: 'format', required: false, enum: FORMATS }),
  );

/** The built-in calendars (no tenant's calendar versions: analytics holds no policy copy yet). */
const builtIn = new SlaCatalogue();
/** Working calendars by id, built once per year and kept. */
export const calendars: CalendarOf = (id, at) => builtIn.calendar('built-in', id, at);
const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);

/**
 * The time zone periods are counted in: `timeZone` (an IANA zone) when given, else the time zone
 * of the tenant's working calendar (its SLA seed's default policy: SLA_POLICY_DIR, SLA_TENANT_REGIMES), so a complaint received on a
 * Monday morning in Shanghai counts on that Monday, not on the Sunday UTC says.
 */
export function periodTimeZone(query: RawQuery, tenant: string | undefined, sla: SlaCatalogue): string {
  const given = query.timeZone;
  if (given !== undefined) {
    if (!TIME_ZONES.has(given))
      throw new BadRequestException('timeZone must be an IANA time zone such as Asia/Shanghai');
    return given;
  }
  const now = new Date();
  const policy = sla.policyFor({
    tenant: tenant ?? '',
    channel: 'web',
    category: 'unclassified',
    priority: 'normal',
  });
  return sla.calendar(tenant ?? '', policy.calendarId, now).timeZone;
}

/**
 * from (inclusive) and to (exclusive), open-ended when absent, the caller's tenant and, for a
 * department-scoped role, its token's departments (none named: no cases); the format, and that
 * no parameter is unknown (`also`: the endpoint's own) or given twice, are checked here too,
 * before any work.
 */
export function parseScope(raw: RawQuery, meta: RequestMeta, also: string[] = []): ReportScope {
  const query = strictQuery(raw, ['from', 'to', 'tenant', 'format', ...also]);
  enumParam(query, 'format', FORMATS);
  const scope = {
    from: isoInstant(query, 'from') ?? '1970-01-01T00:00:00.000Z',
    to: isoInstant(query, 'to') ?? '9999-12-31T00:00:00.000Z',
  };
  if (scope.from > scope.to) throw new BadRequestException('from must not be after to');
  const departments = departmentScope(meta.principal, meta.actor.role) ?? null;
  return { ...scope, tenant: ownTenant(meta, query.tenant), departments };
}

/** A whole-number parameter within bounds, or its default when absent. */
export function intParam(query: RawQuery, name: string, fallback: number, min: number, max: number): number {
  const raw = query[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || value < min || value > max)
    throw new BadRequestException(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}

/** One of the allowed values, or the first of them when absent. */
export function enumParam<T extends string>(query: RawQuery, name: string, allowed: readonly T[]): T {
  const value = query[name] ?? allowed[0]!;
  if (!allowed.includes(value as T)) throw new BadRequestException(`${name} must be one of ${allowed.join(', ')}`);
  return value as T;
}

const RECEIVED = `(summary->>'receivedAt')::timestamptz`;

/**
 * A case of the scope's departments, given as the text[] parameter `param` (every case when it is
 * null): the department the case is with now, as for reading a case.
 */
export const OF_DEPARTMENTS = (param: string) =>
  `(${param}::text[] IS NULL OR summary->>'department' = ANY(${param}::text[]))`;

const ANSWERED = `coalesce(summary->>'resolvedAt', summary->>'closedAt')::timestamptz`;

/**
 * The summaries of cases received in the period; with `touching`, also those received earlier
 * and answered in the period or not answered by its start (what a return over the period needs).
 */
export async function loadCases(client: SqlClient, scope: ReportScope, touching = false): Promise<CaseSummary[]> {
  const inPeriod = touching
    ? `${RECEIVED} < $2 AND (${RECEIVED} >= $1 OR ${ANSWERED} IS NULL OR ${ANSWERED} >= $1)`
    : `${RECEIVED} >= $1 AND ${RECEIVED} < $2`;
  const { rows } = await client.query<{ summary: CaseSummary }>(
    `SELECT summary FROM case_summaries
      WHERE summary ? 'receivedAt' AND ${inPeriod} AND ($3::text IS NULL OR tenant = $3) AND ${OF_DEPARTMENTS('$4')}
      ORDER BY complaint_id`,
    [scope.from, scope.to, scope.tenant ?? null, scope.departments],
  );
  return rows.map((r) => r.summary);
}

/**
 * The resolution events that move a case between departments, of the cases received in the period,
 * in stream order; for a department-scoped caller, of the cases its departments held at some time
 * (opened in or reassigned to one of them), with all their moves, so each spell there has its end.
 */
export async function loadDepartmentEvents(client: SqlClient, scope: ReportScope): Promise<CaseEventRow[]> {
  const { rows } = await client.query<{ complaint_id: string; type: string; occurred_at: Date; data: object }>(
    `SELECT h.complaint_id, h.type, h.occurred_at, h.data
       FROM case_history h JOIN case_summaries s ON s.tenant = h.tenant AND s.complaint_id = h.complaint_id
      WHERE s.summary ? 'receivedAt' AND (s.summary->>'receivedAt')::timestamptz >= $1
        AND (s.summary->>'receivedAt')::timestamptz < $2 AND ($3::text IS NULL OR s.tenant = $3)
        AND h.type IN ('case.opened.v1', 'case.reassigned.v1', 'case.resolved.v1', 'case.closed.v1', 'case.reopened.v1')
        AND ($4::text[] IS NULL OR EXISTS (
              SELECT 1 FROM case_history held
               WHERE held.tenant = s.tenant AND held.complaint_id = s.complaint_id AND held.type IN ('case.opened.v1', 'case.reassigned.v1')
                 AND held.data->>'department' = ANY($4::text[])))
      ORDER BY h.complaint_id, h.stream_version, h.seq`,
    [scope.from, scope.to, scope.tenant ?? null, scope.departments],
  );
  return rows.map((r) => ({
    complaintId: r.complaint_id,
    type: r.type,
    time: r.occurred_at.toISOString(),
    data: r.data as Record<string, unknown>,
  }));
}

/** Nested figures as one flat record: { a: { b: 1 } } → { 'a.b': 1 }; lists stay as values. */
function flatten(value: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).flatMap(([key, inner]) =>
      inner !== null && typeof inner === 'object' && !Array.isArray(inner)
        ? Object.entries(flatten(inner as Record<string, unknown>, `${prefix}${key}.`))
        : [[`${prefix}${key}`, inner]],
    ),
  );
}

/**
 * A report as CSV: its `rows` table when it has one (then its `total`, if any, as a last row
 * named "total"), else its figures as one row; columns in order of first appearance.
 */
export function toCsv(report: Record<string, unknown>): string {
  const rows = Array.isArray(report.rows) ? (report.rows as Record<string, unknown>[]).map((row) => flatten(row)) : [];
  const firstColumn = Object.keys(rows[0] ?? {})[0];
  const total =
    firstColumn && report.total && typeof report.total === 'object'
      ? [{ [firstColumn]: 'total', ...flatten(report.total as Record<string, unknown>) }]
      : [];
  const records = Array.isArray(report.rows) ? [...rows, ...total] : [flatten(report)];
  const columns = [...new Set(records.flatMap((record) => Object.keys(record)))];
  const cell = (v: unknown) => (Array.isArray(v) ? v.join('; ') : v);
  return [csvLine(columns), ...records.map((record) => csvLine(columns.map((c) => cell(record[c]))))]
    .map((line) => `${line}\n`)
    .join('');
}

/** The report as JSON, or with `format=csv` as a CSV attachment named after it. */
export function reply<T extends object>(query: RawQuery, response: Response, name: string, report: T): T | string {
  if (enumParam(query, 'format', FORMATS) === 'json') return report;
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
  return toCsv(report as Record<string, unknown>);
}
