/**
 * Finding words in a complaint's text (lower-cased by the caller). English keywords match whole
 * words, allowing an inflection ("activate" finds "activated", "sue" finds "sued" but not "issue").
 * Chinese has no spaces between words: a plain substring match.
 */
export function found(text: string, keyword: string): boolean {
  const k = keyword.toLowerCase();
  if (!/^[\x20-\x7e]+$/.test(k)) return text.includes(k);
  const escaped = k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![a-z0-9])${escaped}(?:s|es|d|ed|ing)?(?![a-z0-9])`).test(text);
}

export const matching = (text: string, keywords: readonly string[] = []) => keywords.filter((k) => found(text, k));

/** Lower case, curly apostrophes straightened so that "didn’t" matches the keyword "didn't". */
export const normalised = (text: string) => text.toLowerCase().replace(/[’‘]/g, "'");
