import { percentile } from './kpi-figures';

describe('percentiles of handling times', () => {
  it('interpolates between the closest ranks as PostgreSQL percentile_cont does', () => {
    expect(percentile([10, 1, 4], 0.5)).toBe(4);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBeCloseTo(9.1, 10);
    expect(percentile([7], 0.9)).toBe(7);
  });

  it('has no value for no cases', () => {
    expect(percentile([], 0.5)).toBeNull();
  });
});
