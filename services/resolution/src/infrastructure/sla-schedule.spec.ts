import { backoffDelay, SLA_BACKOFF } from './sla-schedule';

describe('the back-off of a failing SLA evaluation', () => {
  it('waits 30 s after the first failure and twice as long after each next one', () => {
    expect([1, 2, 3, 4].map(backoffDelay)).toEqual([30_000, 60_000, 120_000, 240_000]);
  });

  it('never puts a case off for more than an hour, however often it failed', () => {
    expect(backoffDelay(8)).toBe(SLA_BACKOFF.maxMs);
    expect(backoffDelay(1_000)).toBe(3_600_000);
  });
});
