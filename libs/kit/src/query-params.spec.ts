import { BadRequestException } from '@nestjs/common';
import { csvCell } from './csv';
import { isoInstant, strictQuery } from './query-params';

describe('isoInstant', () => {
  const read = (value: string) => isoInstant({ at: value }, 'at');

  it.each([
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2024-02-29T23:59:59Z', '2024-02-29T23:59:59.000Z'],
    ['2026-11-01T08:00:00+08:00', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T08:00', '2026-11-01T08:00:00.000Z'],
    ['0001-01-01', '0001-01-01T00:00:00.000Z'],
  ])('reads %s as %s', (value, instant) => expect(read(value)).toBe(instant));

  it.each([
    '2026-02-30',
    '2025-02-29',
    '2026-11-01T24:00:00Z',
    '1',
    'Nov 1 2026',
    '-271821-04-20T00:00:00Z',
    '0000-01-01',
    '2026-11-01T10:00:00+15:00',
  ])('refuses %s, naming the parameter', (value) => expect(() => read(value)).toThrow(/^at must be an ISO 8601 date/));
});

describe('strictQuery', () => {
  it('refuses unknown, repeated and bracketed parameters by name', () => {
    expect(strictQuery({ from: 'x' }, ['from'])).toEqual({ from: 'x' });
    expect(() => strictQuery({ form: 'x' }, ['from'])).toThrow(/form/);
    expect(() => strictQuery({ from: ['a', 'b'] }, ['from'])).toThrow(BadRequestException);
    expect(() => strictQuery({ from: { a: '' } }, ['from'])).toThrow(/from must be given once/);
  });
});

describe('csvCell', () => {
  it.each([
    ['=1+1', `"'=1+1"`],
    ['+cmd', `"'+cmd"`],
    ['-2+3', `"'-2+3"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
    ['a "quoted", text', '"a ""quoted"", text"'],
    ['plain', 'plain'],
  ])('writes %j as %s', (value, cell) => expect(csvCell(value)).toBe(cell));

  it('keeps numbers, negative ones too, as numbers', () => {
    expect([csvCell(-1.5), csvCell(0), csvCell(null), csvCell(undefined)]).toEqual(['-1.5', '0', '', '']);
  });
});
