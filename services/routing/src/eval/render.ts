/** The evaluation as plain-text tables, for the terminal and for pasting into docs/routing-eval.md. */
import type { Confusion, Figures, RoutingEvaluation } from './evaluate';

const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)}%`);

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

function confusionTable(name: string, confusion: Confusion): string {
  const values = Object.keys(confusion);
  return table(
    [`${name}: label ↓ / routed →`, ...values],
    values.map((label) => [label, ...values.map((p) => String(confusion[label]![p]))]),
  );
}

function section(title: string, f: Figures): string {
  const categories = table(
    ['category', 'precision', 'recall', 'F1', 'support', 'routed there'],
    f.categories.map((c) => [
      c.hasRule ? c.category : `${c.category} (no rule category)`,
      pct(c.precision),
      pct(c.recall),
      pct(c.f1),
      String(c.support),
      String(c.predicted),
    ]),
  );
  const languages = table(
    ['language', 'complaints', 'category', 'degree', 'priority'],
    Object.entries(f.languages).map(([l, v]) => [
      l,
      String(v.complaints),
      pct(v.category),
      pct(v.degree),
      pct(v.priority),
    ]),
  );
  return [
    `## ${title}`,
    '',
    table(
      ['complaints', 'category accuracy', 'sent to triage', 'degree accuracy', 'priority accuracy'],
      [
        [
          String(f.complaints),
          pct(f.categoryAccuracy),
          pct(f.triageRate),
          pct(f.degree.accuracy),
          pct(f.priority.accuracy),
        ],
      ],
    ),
    '',
    categories,
    '',
    confusionTable('degree', f.degree.confusion),
    '',
    confusionTable('priority', f.priority.confusion),
    '',
    languages,
    '',
  ].join('\n');
}

export function renderEvaluation(e: RoutingEvaluation): string {
  const tenants = Object.entries(e.tenants)
    .map(([sector, tenant]) => `${sector} → ${tenant}`)
    .join(', ');
  return [
    `# Routing evaluation on ${e.corpus}`,
    '',
    `Tenants: ${tenants}. Categories are qualified by sector; "no rule category" means the tenant's table has no rule`,
    'with that category, so every complaint of it is a miss.',
    '',
    section('overall', e.overall),
    ...Object.entries(e.sectors).map(([sector, f]) => section(`${sector} (tenant ${f.tenant}: ${f.ruleTable})`, f)),
  ].join('\n');
}
