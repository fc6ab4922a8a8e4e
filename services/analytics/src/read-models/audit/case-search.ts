/**
 * Searching cases for auditors, over the case summaries: by customer, reference, receipt date,
 * department, category, status, regulator referral and escalation level; keyset-paginated by
 * complaint id (UUIDv7, so in order of receipt), which also lets an export stream any number of
 * rows in bounded memory, page by page.
 */
import type { SqlClient } from '@complaints/eventstore';
import { csvLine } from '@complaints/kit';
import { mayHoldSealed } from '@complaints/privacy';
import type { CaseSummary } from '../../domain/case-summary';

/** Shows sealed fields in plain text, or "[erased]" (the key vault's `reveal`). */
export type Reveal = <T>(value: T) => Promise<T>;

export interface CaseSearch {
  tenant?: string;
  customerId?: string;
  reference?: string;
  receivedFrom?: string;
  receivedTo?: string;
  department?: string;
  category?: string;
  status?: string;
  regulatorReferral?: boolean;
  minEscalationLevel?: number;
}

const FILTERS: { key: keyof CaseSearch; sql: (p: string) => string }[] = [
  { key: 'tenant', sql: (p) => `tenant = ${p}` },
  { key: 'customerId', sql: (p) => `summary->>'customerId' = ${p}` },
  { key: 'reference', sql: (p) => `summary->>'reference' = ${p}` },
  { key: 'receivedFrom', sql: (p) => `(summary->>'receivedAt')::timestamptz >= ${p}::timestamptz` },
  { key: 'receivedTo', sql: (p) => `(summary->>'receivedAt')::timestamptz < ${p}::timestamptz` },
  { key: 'department', sql: (p) => `summary->>'department' = ${p}` },
  { key: 'category', sql: (p) => `summary->>'category' = ${p}` },
  { key: 'status', sql: (p) => `status = ${p}` },
  { key: 'regulatorReferral', sql: (p) => `(summary->>'channel' = 'regulator') = ${p}::boolean` },
  { key: 'minEscalationLevel', sql: (p) => `coalesce((summary->>'escalationLevel')::int, 0) >= ${p}::int` },
];

async function searchPage<Row extends { complaint_id: string }>(
  client: SqlClient,
  search: CaseSearch,
  page: { after?: string; limit: number },
  columns: string,
): Promise<Row[]> {
  const params: unknown[] = [];
  const where = FILTERS.flatMap(({ key, sql }) => {
    const value = search[key];
    if (value === undefined) return [];
    params.push(value);
    return [sql(`$${params.length}`)];
  });
  if (page.after) {
    params.push(page.after);
    where.push(`complaint_id > $${params.length}::uuid`);
  }
  params.push(page.limit);
  const { rows } = await client.query<Row>(
    `SELECT complaint_id, ${columns} FROM case_summaries ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY complaint_id LIMIT $${params.length}`,
    params,
  );
  return rows;
}

export async function searchCases(
  client: SqlClient,
  search: CaseSearch,
  page: { after?: string; limit: number },
): Promise<CaseSummary[]> {
  const rows = await searchPage<{ complaint_id: string; summary: CaseSummary }>(client, search, page, 'summary');
  return rows.map((r) => r.summary);
}

/**
 * Every matching case as export lines, a page at a time: memory holds one page whatever the total.
 * The lines are made from text PostgreSQL renders (the summary as JSON text, or the CSV columns as
 * text), so no row is parsed into objects only to be serialised again — except a summary that holds
 * a sealed field (the free text of a validity judgement), revealed with one vault read per page.
 */
export async function* exportPages(
  client: SqlClient,
  search: CaseSearch,
  format: 'ndjson' | 'csv',
  reveal: Reveal,
  pageSize = 1000,
): AsyncGenerator<string> {
  const columns =
    format === 'ndjson'
      ? 'summary::text AS line'
      : EXPORT_COLUMNS.map((c, i) => `summary->>'${c}' AS c${i}`).join(', ');
  let after: string | undefined;
  for (;;) {
    const page = await searchPage<Record<string, string | null> & { complaint_id: string }>(
      client,
      search,
      { after, limit: pageSize },
      columns,
    );
    if (page.length > 0) {
      const lines =
        format === 'ndjson'
          ? await revealJsonLines(
              page.map((row) => row.line!),
              reveal,
            )
          : (await reveal(page.map((row) => EXPORT_COLUMNS.map((_, i) => row[`c${i}`])))).map(csvLine);
      yield lines.join('\n') + '\n';
    }
    if (page.length < pageSize) return;
    after = page.at(-1)!.complaint_id;
  }
}

/** JSON lines with their sealed fields revealed; only a line that may hold one is parsed. */
async function revealJsonLines(lines: string[], reveal: Reveal): Promise<string[]> {
  const sealed = lines.flatMap((line, index) => (mayHoldSealed(line) ? [index] : []));
  if (sealed.length === 0) return lines;
  const revealed = await reveal(sealed.map((index) => JSON.parse(lines[index]!) as unknown));
  const result = [...lines];
  sealed.forEach((index, i) => (result[index] = JSON.stringify(revealed[i])));
  return result;
}

export const EXPORT_COLUMNS: (keyof CaseSummary)[] = [
  'complaintId',
  'reference',
  'tenant',
  'status',
  'channel',
  'customerId',
  'department',
  'category',
  'priority',
  'receivedAt',
  'acknowledgedAt',
  'resolvedAt',
  'closedAt',
  'escalationLevel',
  'satisfactionScore',
];
