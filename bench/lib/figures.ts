/**
 * What every scenario returns: figures, each with the same-run baseline it is measured against and
 * the target where there is one. A ratio is value / baseline, whatever the unit.
 */
export interface Target {
  /** What is compared: the figure itself or its ratio to the baseline. */
  on: 'value' | 'ratio';
  op: '>=' | '<=';
  limit: number;
  text: string;
}

export interface Figure {
  scenario: string;
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  ratio?: number;
  target?: Target;
  met?: boolean;
  note?: string;
}

export function figure(
  scenario: string,
  name: string,
  value: number,
  unit: string,
  extra: { baseline?: { name: string; value: number }; target?: Target; note?: string } = {},
): Figure {
  const ratio =
    extra.baseline && extra.baseline.value > 0 && Number.isFinite(value) ? value / extra.baseline.value : undefined;
  let met: boolean | undefined;
  if (extra.target) {
    const subject = extra.target.on === 'ratio' ? ratio : value;
    met =
      subject === undefined || !Number.isFinite(subject)
        ? false
        : extra.target.op === '>='
          ? subject >= extra.target.limit
          : subject <= extra.target.limit;
  }
  return {
    scenario,
    name,
    value,
    unit,
    ...extra,
    ...(ratio === undefined ? {} : { ratio }),
    ...(met === undefined ? {} : { met }),
  };
}

export const atLeast = (limit: number, text: string, on: Target['on'] = 'value'): Target => ({
  on,
  op: '>=',
  limit,
  text,
});
export const atMost = (limit: number, text: string, on: Target['on'] = 'value'): Target => ({
  on,
  op: '<=',
  limit,
  text,
});

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function summarise(samples: number[]): { count: number; p50: number; p99: number; mean: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean,
    max: sorted.at(-1) ?? NaN,
  };
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
