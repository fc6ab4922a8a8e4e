import { encode } from 'iconv-lite';
import { delimiterOf, reasonOf, templateCsv } from './csv-import';
import { decodeFile } from './decode';
import { complaintOfRow, CSV_COLUMNS, narrow, occurredAt, rowKey } from './row-values';
import { retryAfterMs } from './submit';

describe('reading a spreadsheet row', () => {
  it.each([
    ['2026/10/15 10:00', 'Asia/Shanghai', '2026-10-15T10:00:00+08:00'],
    ['2026-10-15', 'Asia/Shanghai', '2026-10-15T00:00:00+08:00'],
    ['2026年10月15日 9:05', 'Asia/Shanghai', '2026-10-15T09:05:00+08:00'],
    ['２０２６－１０－１５　１０：００', 'Europe/London', '2026-10-15T10:00:00+01:00'],
    ['2026-10-15T10:00:00.250', 'America/New_York', '2026-10-15T10:00:00.250-04:00'],
  ])('reads the local date %s in %s', (written, zone, sent) => {
    expect(occurredAt(written, zone)).toEqual({ value: sent, note: expect.stringContaining(zone) as string });
  });

  it.each(['2026-10-15T10:00:00+08:00', '2026-10-15T02:00:00Z', 'last Tuesday', ''])(
    'sends %j as written (a zone of its own, or for the intake to refuse)',
    (written) => expect(occurredAt(written, 'Asia/Shanghai')).toEqual({ value: written }),
  );

  it('narrows full-width codes and keeps free text as written', () => {
    expect(narrow('１３８－ＡＢｃ　＠')).toBe('138-ABc @');
    const body = complaintOfRow(
      {
        phone: '１３８００１３８０００',
        complainant_name: ' 王女士 ',
        description: '全角，１２３',
        demands: '退款；道歉;',
      },
      'letter',
      'x',
    );
    expect(body).toMatchObject({
      complainant: { name: '王女士', contact: { phone: '13800138000' } },
      description: '全角，１２３',
      demands: ['退款', '道歉'],
    });
  });

  it('sends market and area when their cells are filled (market in capitals, area in small letters), else neither', () => {
    expect(complaintOfRow({ market: ' ｇｂ ', area: 'Rural' }, 'letter', 'x')).toMatchObject({
      market: 'GB',
      area: 'rural',
    });
    const without = complaintOfRow({ market: ' ', area: '' }, 'letter', 'x');
    expect(without).not.toHaveProperty('market');
    expect(without).not.toHaveProperty('area');
  });

  it('keys a row by its external reference whatever else changes, else by its content', () => {
    const body = complaintOfRow({ description: 'a' }, 'letter', 'x');
    const other = complaintOfRow({ description: 'b' }, 'letter', 'x');
    expect(rowKey({ external_reference: 'F-1' }, body)).toBe(rowKey({ external_reference: ' Ｆ-1 ' }, other));
    expect(rowKey({}, body)).not.toBe(rowKey({}, other));
    expect(rowKey({}, body)).toMatch(/^[\x21-\x7e]{1,200}$/);
  });

  it('picks the separator the header uses', () => {
    expect(delimiterOf('a,b,c\r\n1\t2')).toBe(',');
    expect(delimiterOf('a\tb\tc\n')).toBe('\t');
    expect(delimiterOf('a，b，c')).toBe('，');
  });

  it('names the problem from either error shape (problem+json detail, or message)', () => {
    expect(reasonOf(422, { detail: 'occurredAt lies in the future', message: 'x' })).toBe(
      '422: occurredAt lies in the future',
    );
    expect(reasonOf(400, { message: 'Idempotency-Key must be …' })).toBe('400: Idempotency-Key must be …');
  });

  it('reads Retry-After in seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(Date.now() + 10_000).toUTCString())).toBeGreaterThan(8000);
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
  });

  it('reads UTF-16 without a byte order mark, and refuses bytes that are not the named encoding', () => {
    expect(decodeFile(encode('a,b\n王,李', 'utf-16le')).text).toBe('a,b\n王,李');
    expect(decodeFile(encode('a,b\n王,李', 'utf-16be')).encoding).toBe('utf-16be');
    expect(() => decodeFile(Buffer.from([0x61, 0x0a, 0xff, 0xff]), 'utf-8')).toThrow(/Line 2 .*--encoding/);
    expect(() => decodeFile(Buffer.from('a'), 'klingon')).toThrow(/Unknown encoding/);
  });

  it('offers a template whose example row uses every column', () => {
    const [header, example] = templateCsv().trim().split('\r\n');
    expect(header!.split(',')).toEqual([...CSV_COLUMNS]);
    expect(CSV_COLUMNS).toEqual(expect.arrayContaining(['market', 'area']));
    expect(example!.split(',').filter((cell) => cell === '')).toEqual([]);
  });
});
