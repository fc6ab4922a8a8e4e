/**
 * The trigrams pg_trgm's `similarity()` compares, computed here so the description never reaches
 * the database in clear (migrations.ts, IntakeKeyedTrigrams): lower-cased, split into words of
 * letters and digits, each word padded with two spaces before and one after, every run of three
 * characters, each once. Similarity is then pg_trgm's: shared trigrams over the trigrams of both.
 */
const WORD = /[\p{L}\p{N}]+/gu;

export function trigramsOf(text: string): string[] {
  const trigrams = new Set<string>();
  for (const word of text.toLowerCase().match(WORD) ?? []) {
    const chars = [' ', ' ', ...word, ' '];
    for (let i = 0; i + 3 <= chars.length; i++) trigrams.add(chars.slice(i, i + 3).join(''));
  }
  return [...trigrams];
}
