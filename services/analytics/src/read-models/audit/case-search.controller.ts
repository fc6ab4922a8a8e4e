/** Auditors' search and export of cases; export streams NDJSON or CSV with no row cap. */
import { BadRequestException, Controller, Get, Inject, Query, Res, applyDecorators } from '@nestjs/common';
import { ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Database } from '@complaints/eventstore';
import {
  ApiEndpoint,
  CAN,
  Paged,
  decodeCursor,
  encodeCursor,
  DATABASE,
  KEY_VAULT,
  Meta,
  Roles,
  csvLine,
  isoInstant,
  ownTenant,
  strictQuery,
  type QueryParams,
  type RequestMeta,
} from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import { CaseSearchPageDto } from '../../responses.dto';
import { EXPORT_COLUMNS, exportPages, searchCases, type CaseSearch } from './case-search';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const FILTERS = [
  'tenant',
  'customerId',
  'reference',
  'receivedFrom',
  'receivedTo',
  'department',
  'category',
  'status',
  'regulatorReferral',
  'minEscalationLevel',
] as const;

/** Every filter checked before any query: a value PostgreSQL would refuse is a 400 naming it. */
function parseSearch(query: QueryParams, meta: RequestMeta): CaseSearch {
  const level = query.minEscalationLevel;
  if (level !== undefined && !/^\d{1,9}$/.test(level))
    throw new BadRequestException('minEscalationLevel must be a whole number below 1,000,000,000');
  const regulator = query.regulatorReferral;
  if (regulator !== undefined && regulator !== 'true' && regulator !== 'false')
    throw new BadRequestException('regulatorReferral must be true or false');
  const search: CaseSearch = {
    tenant: ownTenant(meta, query.tenant),
    customerId: query.customerId,
    reference: query.reference,
    receivedFrom: isoInstant(query, 'receivedFrom'),
    receivedTo: isoInstant(query, 'receivedTo'),
    department: query.department,
    category: query.category,
    status: query.status,
    regulatorReferral: regulator === undefined ? undefined : regulator === 'true',
    minEscalationLevel: level === undefined ? undefined : Number(level),
  };
  return Object.fromEntries(Object.entries(search).filter(([, v]) => v !== undefined));
}

const FILTER_DESCRIPTIONS: Record<(typeof FILTERS)[number], string> = {
  tenant: 'Your own tenant only (others are a 403); may be left out',
  customerId: 'The pseudonymous customer key (data subject id)',
  reference: 'The reference the customer was given',
  receivedFrom: 'ISO 8601, inclusive',
  receivedTo: 'ISO 8601, exclusive',
  department: 'Department id',
  category: 'Category id',
  status: 'Case status (received, routed, open, … closed)',
  regulatorReferral: 'true or false',
  minEscalationLevel: 'Escalation level reached, at least',
};

/** Every filter of the search and the export, as OpenAPI query parameters. */
const ApiFilters = () =>
  applyDecorators(
    ...FILTERS.map((name) => ApiQuery({ name, type: String, required: false, description: FILTER_DESCRIPTIONS[name] })),
  );

@ApiTags('audit')
@Roles(...CAN.audit)
@Controller('audit/cases')
export class CaseSearchController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
  ) {}

  /** Summaries hold free text sealed by resolution: shown in plain text while its subject's key lives, else "[erased]". */
  private readonly revealFor =
    (meta: RequestMeta) =>
    <T>(value: T): Promise<T> =>
      this.vault.reveal(meta.tenant, value);

  @ApiEndpoint(
    'Search cases',
    'Case summaries matching every filter given, oldest received first, a page at a time: `next` (also linked in the `Link` header) is the cursor of the following page.',
    [400],
    { type: CaseSearchPageDto, paged: true },
  )
  @Get()
  @ApiFilters()
  @Paged({ max: 500, default: 50 })
  @ApiQuery({
    name: 'after',
    required: false,
    deprecated: true,
    description: 'The last complaintId of the previous page; use `cursor`',
  })
  async search(@Query() raw: unknown, @Meta() meta: RequestMeta) {
    const query = strictQuery(raw, [...FILTERS, 'limit', 'cursor', 'after']);
    const search = parseSearch(query, meta);
    const limit = Number(query.limit ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new BadRequestException('limit must be a whole number from 1 to 500');
    const after = query.cursor !== undefined ? decodeCursor(query.cursor) : query.after;
    if (after !== undefined && !UUID.test(after))
      throw new BadRequestException('after must be the complaintId (a UUID) of the last case of the previous page');
    const cases = await this.revealFor(meta)(await searchCases(this.db, search, { after, limit }));
    return { cases, next: cases.length === limit ? encodeCursor(cases.at(-1)!.complaintId) : null };
  }

  @ApiEndpoint(
    'Export cases',
    'Every case summary matching the filters, streamed as NDJSON (one summary a line) or CSV, with no row cap.',
    [400],
  )
  @ApiResponse({
    status: 200,
    description: 'The summaries, streamed',
    content: {
      'application/x-ndjson': { schema: { type: 'string', description: 'One JSON case summary per line' } },
      'text/csv': { schema: { type: 'string', description: 'A header row, then one row per case' } },
    },
  })
  @Get('export')
  @ApiFilters()
  @ApiQuery({ name: 'format', required: false, enum: ['ndjson', 'csv'] })
  async export(@Query() raw: unknown, @Meta() meta: RequestMeta, @Res() response: Response): Promise<void> {
    const query = strictQuery(raw, [...FILTERS, 'format']);
    const format = query.format ?? 'ndjson';
    if (format !== 'ndjson' && format !== 'csv') throw new BadRequestException('format must be ndjson or csv');
    const pages = exportPages(this.db, parseSearch(query, meta), format, this.revealFor(meta));
    // The first page is read before the status goes out: a failing query is still an error answer, not a cut-off 200.
    const first = await pages.next();
    response.setHeader('Content-Type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson');
    response.setHeader('Content-Disposition', `attachment; filename="cases.${format === 'csv' ? 'csv' : 'ndjson'}"`);
    const write = (chunk: string) =>
      response.write(chunk)
        ? Promise.resolve()
        : new Promise<void>((resolve) => response.once('drain', () => resolve()));
    if (format === 'csv') await write(`${csvLine(EXPORT_COLUMNS)}\n`);
    if (!first.done) await write(first.value);
    for await (const lines of pages) await write(lines);
    response.end();
  }
}
