/** Writes a run's figures as JSON and as a Markdown table, with the machine beside them. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round, type Figure } from './figures';
import type { MachineDescription } from './context';

export interface RunResult {
  startedAt: string;
  finishedAt: string;
  machine: MachineDescription;
  loadAverageAtEnd: number[];
  settings: Record<string, string | number>;
  figures: Figure[];
  errors: { scenario: string; message: string }[];
  notes: string[];
}

const fmt = (value: number | undefined) =>
  value === undefined || !Number.isFinite(value)
    ? '–'
    : Math.abs(value) >= 100
      ? Math.round(value).toLocaleString('en-US')
      : String(round(value, 2));

export function markdown(result: RunResult): string {
  const m = result.machine;
  const lines = [
    `# Benchmark run ${result.startedAt}`,
    '',
    `- Machine: ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Linux ${m.kernel}; load average at start ${m.loadAverageAtStart.join(' / ')}, at end ${result.loadAverageAtEnd.join(' / ')}`,
    `- Versions: Node ${m.node}; ${m.postgres}; ${m.kafka}; kafkajs ${m.kafkajs}; autocannon ${m.autocannon}; ${m.pgbench}`,
    `- PostgreSQL durability: ${Object.entries(m.durability)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    `- Kafka durability: ${m.kafkaDurability}`,
    `- Settings: ${Object.entries(result.settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    `- Run: ${result.startedAt} → ${result.finishedAt}`,
    '',
    'Ratio = figure / baseline (for latencies, how many times slower than the baseline).',
    '',
    '| scenario | figure | value | baseline | baseline value | ratio | target | met |',
    '| --- | --- | ---: | --- | ---: | ---: | --- | :---: |',
    ...result.figures.map(
      (f) =>
        `| ${f.scenario} | ${f.name}${f.note ? ` (${f.note})` : ''} | ${fmt(f.value)} ${f.unit} | ${f.baseline?.name ?? '–'} | ${
          f.baseline ? `${fmt(f.baseline.value)} ${f.unit}` : '–'
        } | ${f.ratio === undefined ? '–' : round(f.ratio, 3)} | ${f.target?.text ?? '–'} | ${
          f.met === undefined ? '–' : f.met ? 'yes' : '**no**'
        } |`,
    ),
  ];
  if (result.errors.length) {
    lines.push('', '## Scenarios that failed', '', ...result.errors.map((e) => `- ${e.scenario}: ${e.message}`));
  }
  if (result.notes.length) lines.push('', '## Notes', '', ...result.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}

export function writeResults(dir: string, name: string, result: RunResult): { json: string; md: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, `${name}.json`);
  const md = join(dir, `${name}.md`);
  writeFileSync(json, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(md, markdown(result));
  return { json, md };
}
