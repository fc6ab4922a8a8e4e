/**
 * CSV as every file the platform writes makes it (exports, returns, KPIs, the bulk import's
 * report): RFC 4180 quoting, and text that a spreadsheet would run as a formula neutralised by
 * OWASP's rule — a cell starting with = + - @, a tab or a carriage return gets a leading
 * apostrophe and is quoted. Complainants write free text; the staff who open the file must not
 * run it. Numbers are the platform's own and stay numbers.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  const text = FORMULA_START.test(raw) ? `'${raw}` : raw;
  return text !== raw || /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (values: unknown[]): string => values.map(csvCell).join(',');
