/**
 * Rows in PostgreSQL's COPY text format, the cheapest way to hand the server many rows: one line a
 * row, columns separated by tabs, `\N` for NULL, and backslash, newline, carriage return and tab
 * escaped with a backslash. An object goes as its JSON text (for json and jsonb columns).
 */
export type CopyValue = string | number | object | null;

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function field(value: CopyValue): string {
  if (value === null) return '\\N';
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : JSON.stringify(value);
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPED[c]!) : text;
}

/** One row as a line of COPY text (with its newline). */
export function copyLine(values: readonly CopyValue[]): string {
  return `${values.map(field).join('\t')}\n`;
}
