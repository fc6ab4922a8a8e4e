/**
 * Instants rendered by PostgreSQL must read exactly as the Date.toISOString() of the value pg
 * parses from the same column, since reads that return them used to format them that way.
 */
import { Client } from 'pg';
import { requireEnv } from '../../../test/support/database';
import { isoTimeSql } from './iso-time';

describe('instants rendered by PostgreSQL as ISO 8601 text', () => {
  let client: Client;

  beforeAll(async () => {
    client = new Client({ connectionString: requireEnv('DATABASE_URL') });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
  });

  const both = async (sql: string) =>
    (
      await client.query<{ parsed: Date; rendered: string }>(
        `SELECT t AS parsed, ${isoTimeSql('t')} AS rendered FROM (${sql}) AS s`,
      )
    ).rows;

  it.each(['UTC', 'Asia/Shanghai', 'America/St_Johns'])(
    'reads as Date.toISOString() for every millisecond and sub-millisecond, in a %s session',
    async (zone) => {
      await client.query(`SET TimeZone = '${zone}'`);
      // 2,000 instants 997 µs apart cover every millisecond value, truncated microseconds included.
      const rows = await both(
        `SELECT timestamptz '2026-11-22 10:00:00+00' + i * interval '997 microseconds' AS t FROM generate_series(0, 1999) AS i`,
      );
      expect(rows.filter((r) => r.rendered !== r.parsed.toISOString())).toEqual([]);
      expect(rows[0]!.rendered).toBe('2026-11-22T10:00:00.000Z');
    },
  );

  it('keeps zero milliseconds, truncates microseconds and pads early years as toISOString does', async () => {
    const rows = await both(
      `SELECT unnest(ARRAY['2026-11-22 10:00:00+00', '2026-11-22 18:00:00.0009+08', '2026-12-31 23:59:59.999999+00',
                            '0999-03-01 00:00:00.5+00', now()::text]::timestamptz[]) AS t`,
    );
    expect(rows.slice(0, 4).map((r) => r.rendered)).toEqual([
      '2026-11-22T10:00:00.000Z',
      '2026-11-22T10:00:00.000Z',
      '2026-12-31T23:59:59.999Z',
      '0999-03-01T00:00:00.500Z',
    ]);
    expect(rows.map((r) => r.rendered)).toEqual(rows.map((r) => r.parsed.toISOString()));
  });
});
