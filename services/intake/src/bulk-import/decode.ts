/**
 * A spreadsheet's bytes to text. Excel writes CSV in the machine's ANSI code page (GBK on Chinese
 * Windows), "CSV UTF-8" with a BOM, and "Unicode text" as UTF-16 LE with a BOM; other tools write
 * UTF-8 without one. A guess that turns a name into mojibake is stored for good, so a file is
 * decoded only when the encoding is certain (a BOM, valid UTF-8, or GB18030 by a confident
 * detector) or named with --encoding, and refused otherwise.
 */
import { analyse } from 'chardet';
import { decode, encodingExists } from 'iconv-lite';

export interface Decoded {
  text: string;
  /** iconv-lite's name of the encoding the file was read in. */
  encoding: string;
  how: 'byte order mark' | 'detected' | 'given';
}

const BOMS: [number[], string][] = [
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xff, 0xfe], 'utf-16le'],
  [[0xfe, 0xff], 'utf-16be'],
];

/** UTF-16 without a BOM: the NUL halves of ASCII characters show on one side. */
function utf16ByNuls(bytes: Buffer): string | undefined {
  const sample = bytes.subarray(0, 4096);
  let even = 0;
  let odd = 0;
  for (let i = 0; i < sample.length; i++)
    if (sample[i] === 0) {
      if (i % 2) odd++;
      else even++;
    }
  const half = sample.length / 2;
  if (odd > half * 0.3 && even < half * 0.05) return 'utf-16le';
  if (even > half * 0.3 && odd < half * 0.05) return 'utf-16be';
  return undefined;
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function choose(bytes: Buffer, given?: string): Omit<Decoded, 'text'> & { skip: number } {
  if (given !== undefined) {
    if (!encodingExists(given))
      throw new Error(`Unknown encoding ${JSON.stringify(given)} (e.g. utf-8, gb18030, utf-16le, big5)`);
    return { encoding: given, how: 'given', skip: 0 };
  }
  const bom = BOMS.find(([mark]) => mark.every((b, i) => bytes[i] === b));
  if (bom) return { encoding: bom[1], how: 'byte order mark', skip: bom[0].length };
  const utf16 = utf16ByNuls(bytes);
  if (utf16) return { encoding: utf16, how: 'detected', skip: 0 };
  if (isUtf8(bytes)) return { encoding: 'utf-8', how: 'detected', skip: 0 };
  const [best] = analyse(bytes);
  // GBK and GB2312 are subsets of GB18030, so reading them as GB18030 is exact.
  if (best?.name === 'GB18030' && best.confidence >= 50) return { encoding: 'gb18030', how: 'detected', skip: 0 };
  throw new Error(
    `Cannot tell the encoding of the file: it is not UTF-8 and has no byte order mark${best ? ` (it looks most like ${best.name}, confidence ${best.confidence}%)` : ''}. Name it with --encoding, e.g. --encoding gb18030, big5 or windows-1252`,
  );
}

export function decodeFile(bytes: Buffer, given?: string): Decoded {
  const { skip, ...chosen } = choose(bytes, given);
  const text = decode(bytes.subarray(skip), chosen.encoding, { stripBOM: true });
  // A byte sequence the encoding has no character for (U+FFFD) or a NUL means the encoding is wrong.
  const bad = chosen.encoding === 'utf-8' && chosen.how === 'detected' ? text.indexOf('\0') : text.search(/[\uFFFD\0]/);
  if (bad >= 0) {
    const line = text.slice(0, bad).split('\n').length;
    throw new Error(
      `Line ${line} of the file is not valid ${chosen.encoding} (read by ${chosen.how}): name the file's encoding with --encoding`,
    );
  }
  return { text, ...chosen };
}
