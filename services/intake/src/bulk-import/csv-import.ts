/**
 * Bulk import of complaints from CSV (e.g. a month of branch paper forms) through the intake API,
 * so every row passes the same validation and rules as any channel. Each row is accepted, a
 * duplicate of one imported before, rejected with its reason, or failed (the intake kept saying
 * "not now"); nothing is skipped silently. Each row's Idempotency-Key derives from the row itself
 * (row-values.ts: its external reference, else its content), so importing the same or an edited
 * file again adds only the rows that are new. Columns: docs/integration.md, "Bulk import".
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { csvLine } from '@complaints/kit';
import { decodeFile } from './decode';
import {
  CSV_COLUMNS,
  assertTimeZone,
  complaintOfRow,
  narrow,
  occurredAt,
  referenceOf,
  rowKey,
  type Row,
} from './row-values';
import { DEFAULT_RETRY, Gate, post, type RetryPolicy } from './submit';

export { CSV_COLUMNS, complaintOfRow };

/** Chinese Excel's home and the platform's first tenants' zone; the tenant's calendar is not readable by an API key. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export interface ImportOptions {
  file: string;
  intakeUrl: string;
  /** How the import proves who it is: an intake API key (the tenant and channels come with it) or a bearer token. */
  credentials: { apiKey: string } | { token: string };
  defaultChannel?: string;
  concurrency?: number;
  /** The file's encoding (an iconv-lite name); detected when absent. */
  encoding?: string;
  /** The IANA zone a date without one is read in. */
  timeZone?: string;
  retry?: RetryPolicy;
  onProgress?: (done: number, total: number) => void;
  onFile?: (file: { encoding: string; how: string; delimiter: string; timeZone: string }) => void;
}

export interface RowResult {
  row: number;
  status: 'accepted' | 'duplicate' | 'rejected' | 'failed';
  complaintId?: string;
  reference?: string;
  reason?: string;
  note?: string;
}

/** The separator the header uses: Excel's comma, its "Unicode text" tab, a ; or a full-width ，. */
export function delimiterOf(text: string): string {
  const header = text.slice(0, text.search(/\r?\n|$/));
  const counts = [',', '\t', ';', '，'].map((d) => [d, header.split(d).length] as const);
  return counts.reduce((best, next) => (next[1] > best[1] ? next : best))[0];
}

function readRows(text: string, delimiter: string): Row[] {
  const records = parse(text, {
    delimiter,
    columns: (header: string[]) => {
      const names = header.map((h) => narrow(h).trim().toLowerCase());
      const unknown = names.filter((n) => n !== '' && !(CSV_COLUMNS as readonly string[]).includes(n));
      if (unknown.length)
        throw new Error(
          `Unknown column(s) ${unknown.map((u) => `"${u}"`).join(', ')}; the columns are ${CSV_COLUMNS.join(', ')}`,
        );
      return names.map((n) => n || false);
    },
    skip_empty_lines: false,
    relax_column_count: true,
  }) as Row[];
  return records;
}

export function reasonOf(status: number, body: unknown): string {
  // An RFC 9457 problem: errors[] names each refused field (`violations` and `message`: intake before it).
  const b = body as {
    detail?: string;
    message?: string;
    errors?: { field: string; reason: string }[];
    violations?: { field: string; problems: string[] }[];
  };
  if (b.errors?.length) return b.errors.map((v) => `${v.field}: ${v.reason}`).join('; ');
  if (b.violations?.length) return b.violations.map((v) => `${v.field}: ${v.problems.join(', ')}`).join('; ');
  return `${status}: ${b.detail ?? b.message ?? 'refused'}`;
}

/** The intake's answer when an Idempotency-Key comes back with a different complaint. */
const keyReused = (status: number, body: Record<string, unknown>) =>
  status === 422 &&
  (typeof body.idempotencyKey === 'string' || /Idempotency-Key .* already used/.test(reasonOf(status, body)));

interface Prepared {
  row: number;
  key: string;
  body: Record<string, unknown>;
  reference?: string;
  note?: string;
  sameAs?: number;
}

function prepare(rows: Row[], defaultChannel: string, timeZone: string): Prepared[] {
  const first = new Map<string, number>();
  return rows.flatMap((row, index) => {
    if (Object.values(row).every((v) => (v ?? '').trim() === '')) return []; // Excel's trailing blank rows
    const date = occurredAt(row.occurred_at, timeZone);
    const body = complaintOfRow(row, defaultChannel, date.value);
    const key = rowKey(row, body);
    const number = index + 2;
    const sameAs = first.get(key);
    if (sameAs === undefined) first.set(key, number);
    return [{ row: number, key, body, reference: referenceOf(row), note: date.note, sameAs }];
  });
}

async function submit(options: ImportOptions, item: Prepared, gate: Gate): Promise<RowResult> {
  const { row, note } = item;
  if (item.sameAs !== undefined)
    return { row, status: 'duplicate', reason: `the same complaint as row ${item.sameAs}`, note };
  const answer = await post(
    `${options.intakeUrl}/complaints`,
    {
      'content-type': 'application/json',
      'idempotency-key': item.key,
      ...('apiKey' in options.credentials
        ? { 'x-api-key': options.credentials.apiKey }
        : { authorization: `Bearer ${options.credentials.token}` }),
    },
    item.body,
    gate,
    options.retry ?? DEFAULT_RETRY,
  );
  if (answer.kind === 'gave-up') return { row, status: 'failed', reason: answer.reason, note };
  const { status, body } = answer;
  if (status === 201) {
    const { complaintId, reference } = body as { complaintId?: string; reference?: string };
    return { row, status: answer.replayed ? 'duplicate' : 'accepted', complaintId, reference, note };
  }
  if (status === 401 || status === 404)
    throw new Error(`Intake answered ${reasonOf(status, body)}: check --url and the credentials`);
  if (keyReused(status, body))
    return {
      row,
      status: 'duplicate',
      note,
      reason: item.reference
        ? `external reference "${item.reference}" was imported before and the row was edited since; the first registration stands (change the case, not the file)`
        : 'imported before with another channel or time zone; the first registration stands',
    };
  if (status >= 400 && status < 500) return { row, status: 'rejected', reason: reasonOf(status, body), note };
  return { row, status: 'failed', reason: `${reasonOf(status, body)}; import the file again later`, note };
}

/** Imports every row; resolves with one result per data row (row 2 is the first after the header). */
export async function importCsv(options: ImportOptions): Promise<RowResult[]> {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  assertTimeZone(timeZone);
  const decoded = decodeFile(await readFile(options.file), options.encoding);
  const delimiter = delimiterOf(decoded.text);
  options.onFile?.({ encoding: decoded.encoding, how: decoded.how, delimiter, timeZone });
  const items = prepare(readRows(decoded.text, delimiter), options.defaultChannel ?? 'letter', timeZone);
  const results = new Array<RowResult>(items.length);
  const gate = new Gate();
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await submit(options, items[index]!, gate);
      options.onProgress?.(++done, items.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, items.length) }, worker));
  return results;
}

export function reportCsv(results: RowResult[]): string {
  const lines = results.map((r) => csvLine([r.row, r.status, r.complaintId, r.reference, r.reason, r.note]));
  return ['row,status,complaint_id,reference,reason,note', ...lines].join('\n') + '\n';
}

/** --template: the header and one example row, for a spreadsheet to start from. */
export function templateCsv(): string {
  const example: Record<(typeof CSV_COLUMNS)[number], string> = {
    channel: 'branch',
    complainant_name: '王女士',
    customer_id: 'C-10086',
    phone: '13800138000',
    email: 'wang@example.com',
    address: '上海市浦东新区世纪大道100号',
    description: '信用卡已注销，仍被收取年费。',
    demands: '退还年费;书面道歉',
    target_kind: 'product',
    target_name: '信用卡年费',
    occurred_at: '2026-10-15 10:00',
    language: 'zh',
    external_reference: 'FORM-2026-10-0001',
    market: 'CN',
    area: 'urban',
  };
  return `${CSV_COLUMNS.join(',')}\r\n${csvLine(CSV_COLUMNS.map((c) => example[c]))}\r\n`;
}
