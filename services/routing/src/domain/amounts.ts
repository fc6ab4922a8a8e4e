/**
 * Amounts at stake named in a complaint's text ("¥5000", "5000元", "2.5万元", "$300", "RMB 1,200"),
 * so a large sum can raise the priority. Chinese numerals (五千元) are not read yet.
 */
export interface Amount {
  currency: string;
  value: number;
  /** The words the amount was read from, for the explanation. */
  text: string;
}

const NUMBER = String.raw`(\d[\d,]*(?:\.\d+)?)`;
const PATTERNS: { currency: string; pattern: RegExp; multiplier?: (match: RegExpMatchArray) => number }[] = [
  { currency: 'CNY', pattern: new RegExp(String.raw`[¥￥]\s?${NUMBER}`, 'g') },
  { currency: 'CNY', pattern: new RegExp(String.raw`(?:RMB|CNY)\s?${NUMBER}`, 'gi') },
  {
    currency: 'CNY',
    pattern: new RegExp(String.raw`${NUMBER}\s?(万)?\s?(?:元|块|人民币)`, 'g'),
    multiplier: (match) => (match[2] ? 10_000 : 1),
  },
  { currency: 'USD', pattern: new RegExp(String.raw`(?:\$|USD\s?)${NUMBER}`, 'gi') },
  { currency: 'USD', pattern: new RegExp(String.raw`${NUMBER}\s?dollars`, 'gi') },
  { currency: 'GBP', pattern: new RegExp(String.raw`£\s?${NUMBER}`, 'g') },
  { currency: 'EUR', pattern: new RegExp(String.raw`€\s?${NUMBER}`, 'g') },
];

export function amountsIn(text: string): Amount[] {
  const found: Amount[] = [];
  for (const { currency, pattern, multiplier } of PATTERNS) {
    for (const match of text.matchAll(pattern)) {
      const value = Number((match[1] ?? '').replace(/,/g, '')) * (multiplier?.(match) ?? 1);
      if (Number.isFinite(value) && value > 0) found.push({ currency, value, text: match[0].trim() });
    }
  }
  return found;
}
