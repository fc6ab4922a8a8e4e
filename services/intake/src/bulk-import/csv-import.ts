/**
 * Bulk import of complaints from CSV (e.g. a month of branch paper forms) through the intake API,
 * so every row passes the same validation and rules as any channel. Each row is either accepted
 * or rejected with its reason in the report; nothing is skipped silently. Each row's
 * Idempotency-Key derives from the file's content and the row number, so importing the same file
 * twice creates nothing new.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse';
import { csvLine } from '@complaints/kit';

export const CSV_COLUMNS = [
  'channel',
  'complainant_name',
  'customer_id',
  'phone',
  'email',
  'address',
  'description',
  'demands',
  'target_kind',
  'target_name',
  'occurred_at',
  'language',
] as const;

export interface ImportOptions {
  file: string;
  intakeUrl: string;
  /** How the import proves who it is: an intake API key (the tenant and channels come with it) or a bearer token. */
  credentials: { apiKey: string } | { token: string };
  defaultChannel?: string;
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface RowResult {
  row: number;
  status: 'accepted' | 'duplicate' | 'rejected';
  complaintId?: string;
  reference?: string;
  reason?: string;
}

type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string>>;

const blankToUndefined = (value: string | undefined) => (value && value.trim() !== '' ? value.trim() : undefined);

/** The canonical complaint body for one CSV row; validation is left to the intake API. */
export function complaintOfRow(row: Row, defaultChannel: string): Record<string, unknown> {
  const contact = Object.fromEntries(
    (['phone', 'email', 'address'] as const).flatMap((k) => (blankToUndefined(row[k]) ? [[k, row[k]!.trim()]] : [])),
  );
  const customerId = blankToUndefined(row.customer_id);
  return {
    channel: blankToUndefined(row.channel) ?? defaultChannel,
    complainant: { name: row.complainant_name?.trim() ?? '', ...(customerId ? { customerId } : {}), contact },
    description: row.description?.trim() ?? '',
    demands: (row.demands ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean),
    target: {
      kind: blankToUndefined(row.target_kind) ?? 'other',
      name: blankToUndefined(row.target_name) ?? 'paper form',
    },
    occurredAt: row.occurred_at?.trim() ?? '',
    language: blankToUndefined(row.language) ?? 'zh',
  };
}

function reasonOf(status: number, body: unknown): string {
  // An RFC 9457 problem: errors[] names each refused field.
  const b = body as { detail?: string; errors?: { field: string; reason: string }[] };
  if (b.errors?.length) return b.errors.map((v) => `${v.field}: ${v.reason}`).join('; ');
  return `${status}: ${b.detail ?? 'refused'}`;
}

async function submit(options: ImportOptions, fileHash: string, rowNumber: number, row: Row): Promise<RowResult> {
  const response = await fetch(`${options.intakeUrl}/complaints`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': `csv:${fileHash.slice(0, 32)}:${rowNumber}`,
      ...('apiKey' in options.credentials
        ? { 'x-api-key': options.credentials.apiKey }
        : { authorization: `Bearer ${options.credentials.token}` }),
    },
    body: JSON.stringify(complaintOfRow(row, options.defaultChannel ?? 'letter')),
  });
  const body = (await response.json().catch(() => ({}))) as { complaintId?: string; reference?: string };
  if (response.status === 201) {
    return {
      row: rowNumber,
      status: response.headers.get('idempotent-replayed') ? 'duplicate' : 'accepted',
      complaintId: body.complaintId,
      reference: body.reference,
    };
  }
  if (response.status >= 400 && response.status < 500)
    return { row: rowNumber, status: 'rejected', reason: reasonOf(response.status, body) };
  throw new Error(
    `Row ${rowNumber}: intake answered ${response.status}; stop and re-run the import (rows already done are not duplicated)`,
  );
}

/** Imports every row; resolves with one result per data row (row 2 is the first after the header). */
export async function importCsv(options: ImportOptions): Promise<RowResult[]> {
  const fileHash = createHash('sha256')
    .update(await readFile(options.file))
    .digest('hex');
  const rows: Row[] = [];
  const parser = createReadStream(options.file).pipe(
    parse({ columns: true, bom: true, skip_empty_lines: true, trim: false, relax_column_count: true }),
  );
  for await (const record of parser) rows.push(record as Row);
  const results: RowResult[] = new Array<RowResult>(rows.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < rows.length) {
      const index = next++;
      results[index] = await submit(options, fileHash, index + 2, rows[index]!);
      options.onProgress?.(++done, rows.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, rows.length) }, worker));
  return results;
}

export function reportCsv(results: RowResult[]): string {
  const lines = results.map((r) => csvLine([r.row, r.status, r.complaintId, r.reference, r.reason]));
  return ['row,status,complaint_id,reference,reason', ...lines].join('\n') + '\n';
}
