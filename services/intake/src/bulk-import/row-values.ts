/**
 * One CSV row to the complaint the intake API takes, as a person typed it into a spreadsheet:
 * full-width digits and letters from a Chinese input method in codes, phone numbers and dates;
 * ；between demands; dates in Excel's display format and without a zone, which mean the
 * tenant's local time. Free text (names, descriptions, addresses) is sent exactly as written.
 */
import { createHash } from 'node:crypto';
import { DateTime, IANAZone } from 'luxon';

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
  'external_reference',
  'market',
  'area',
] as const;

export type Column = (typeof CSV_COLUMNS)[number];
export type Row = Partial<Record<Column, string>>;

/** Full-width ASCII (ＡＢＣ１２３－：／) and the ideographic space to their ASCII forms. */
export function narrow(text: string): string {
  return text.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');
}

const code = (value: string | undefined) => {
  const text = narrow(value ?? '').trim();
  return text === '' ? undefined : text;
};
const text = (value: string | undefined) => {
  const trimmed = (value ?? '').trim();
  return trimmed === '' ? undefined : trimmed;
};

/** Excel's and people's ways of writing a local date and time; a value with a zone matches none. */
const LOCAL_FORMATS = ['yyyy-M-d', 'yyyy/M/d', 'yyyy.M.d', "yyyy'年'M'月'd'日'"].flatMap((day) => [
  day,
  `${day} H:mm`,
  `${day} H:mm:ss`,
  `${day}'T'H:mm`,
  `${day}'T'H:mm:ss`,
  `${day}'T'H:mm:ss.SSS`,
]);

export function assertTimeZone(zone: string): void {
  if (!IANAZone.isValidZone(zone)) throw new Error(`Unknown time zone "${zone}" (an IANA name such as Asia/Shanghai)`);
}

/**
 * A date with a zone is sent as written; a local one is read in `zone` and sent with its offset,
 * with a note for the report. Anything else is sent as written for the intake API to refuse.
 */
export function occurredAt(raw: string | undefined, zone: string): { value: string; note?: string } {
  const written = narrow(raw ?? '')
    .trim()
    .replace(/\s+/g, ' ');
  for (const format of LOCAL_FORMATS) {
    const local = DateTime.fromFormat(written, format, { zone });
    const value = local.toISO({ suppressMilliseconds: true });
    if (value !== null) return { value, note: `occurred_at "${written}" has no zone: read in ${zone} as ${value}` };
  }
  return { value: written };
}

/** The canonical complaint body for one CSV row; validation is left to the intake API. */
export function complaintOfRow(row: Row, defaultChannel: string, occurred: string): Record<string, unknown> {
  const contact: Record<string, string> = {};
  for (const [key, value] of [
    ['phone', code(row.phone)],
    ['email', code(row.email)],
    ['address', text(row.address)],
  ] as const)
    if (value !== undefined) contact[key] = value;
  const customerId = code(row.customer_id);
  // What the tenant's SLA rules select by (docs/sla.md): a country code in capitals, an area in small letters.
  const market = code(row.market)?.toUpperCase();
  const area = code(row.area)?.toLowerCase();
  return {
    channel: code(row.channel) ?? defaultChannel,
    complainant: { name: text(row.complainant_name) ?? '', ...(customerId ? { customerId } : {}), contact },
    description: text(row.description) ?? '',
    demands: (row.demands ?? '')
      .split(/[;；]/)
      .map((d) => d.trim())
      .filter(Boolean),
    target: { kind: code(row.target_kind) ?? 'other', name: text(row.target_name) ?? 'paper form' },
    occurredAt: occurred,
    language: code(row.language) ?? 'zh',
    ...(market ? { market } : {}),
    ...(area ? { area } : {}),
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 40);

/**
 * What makes a row the same row when the file is edited and imported again (its Idempotency-Key):
 * its external reference if it has one, so an edited row stays the complaint it was; otherwise
 * its content as sent (with the date as written), so a moved row is the same and an edited one is new.
 */
export function rowKey(row: Row, body: Record<string, unknown>): string {
  const reference = code(row.external_reference);
  if (reference) return `csv-ref:${digest(reference)}`;
  return `csv-row:${digest(JSON.stringify({ ...body, occurredAt: narrow(row.occurred_at ?? '').trim() }))}`;
}

export const referenceOf = (row: Row) => code(row.external_reference);
