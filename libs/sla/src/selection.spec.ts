import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { businessMillisBetween } from './calendar';
import { SlaCatalogue } from './selection';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1_048_576;
};

describe("the catalogue's calendars", () => {
  it('are built once per calendar and year, and the same one is handed out again', () => {
    const catalogue = new SlaCatalogue();
    const first = catalogue.calendar('bank-a', 'CN', new Date('2026-03-01T00:00:00Z'));
    expect(catalogue.calendar('bank-a', 'CN', new Date('2026-11-30T00:00:00Z'))).toBe(first);
    expect(catalogue.calendar('bank-a', 'CN', new Date('2027-01-02T00:00:00Z'))).not.toBe(first);
  });

  it('stay bounded in memory while the clock moves through the years (an SLA run on the test clock)', () => {
    const catalogue = new SlaCatalogue();
    const walkYear = (year: number) => {
      const calendar = catalogue.calendar('bank-a', 'CN', new Date(Date.UTC(year, 0, 2)));
      // What evaluating the year's cases does: every local day of the calendar's years worked out.
      businessMillisBetween(calendar, new Date(Date.UTC(year - 1, 0, 1)), new Date(Date.UTC(year + 1, 11, 31)));
    };
    for (let year = 1800; year < 1805; year++) walkYear(year); // warm-up
    const before = heapMb();
    for (let year = 1805; year < 1845; year++) walkYear(year);
    // Each calendar-year with its local days holds ~230 KB: 40 of them kept would be ~9 MB.
    expect(heapMb() - before).toBeLessThan(4);
  });
});
