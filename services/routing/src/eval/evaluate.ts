/**
 * Measures the shipped rule tables against the independent routing corpus
 * (test/fixtures/routing-corpus, docs/routing-eval.md): each complaint goes through the routing
 * decider exactly as the service routes it, with its tenant's rule table and directory, and the
 * decision is compared with the label a complaints officer gave it without seeing the rules.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHANNELS, TARGET_KINDS, type Channel } from '@complaints/contracts';
import { EMPTY_WORKLOAD } from '../domain/directory';
import { routingDecider, type ComplaintRouted } from '../domain/routing';
import { DEGREES, PRIORITY_ORDER, type RuleTable } from '../domain/rules';
import { ROUTING_ROOT, RoutingData } from '../infrastructure/rule-files';

export const REPO_ROOT = resolve(ROUTING_ROOT, '..', '..');
export const CORPUS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'routing-corpus');

export interface CorpusComplaint {
  id: string;
  sector: string;
  channel: string;
  language: string;
  description: string;
  demands: string[];
  target?: { kind: string; name: string };
  label: { category: string; degree: string; priority: string };
}

/** Each sector's complaints go to a tenant of that sector, with its own table and directory. */
export const TENANT_OF_SECTOR: Record<string, string> = { bank: 'bank-a', power: 'grid-east', insurance: 'insurer-x' };
const ANY_SECTOR = ['staff-attitude', 'app-and-online'];
const TRIAGED = 'triage';

export function loadCorpus(file = join(CORPUS_DIR, 'corpus.jsonl')): CorpusComplaint[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusComplaint);
}

interface Outcome {
  item: CorpusComplaint;
  /** Categories qualified by sector (`bank/mis-selling`, `any/staff-attitude`): the same name means the same thing. */
  expected: string;
  predicted: string;
  degree: string;
  priority: string;
}

/** Intake accepts only its own target kinds and names the target when the customer does not. */
function targetOf(item: CorpusComplaint) {
  if (!item.target) return { kind: 'other', name: `${item.channel} complaint` };
  const known = (TARGET_KINDS as readonly string[]).includes(item.target.kind);
  return { kind: known ? item.target.kind : 'other', name: item.target.name };
}

/** Intake accepts only the contracts' channels: a corpus item on another could never reach routing. */
function channelOf(item: CorpusComplaint): Channel {
  const channel = CHANNELS.find((c) => c === item.channel);
  if (!channel)
    throw new Error(`corpus item ${item.id}: channel "${item.channel}" is not one of ${CHANNELS.join(', ')}`);
  return channel;
}

function route(item: CorpusComplaint, data: RoutingData): Outcome {
  const tenant = TENANT_OF_SECTOR[item.sector];
  if (!tenant) throw new Error(`corpus item ${item.id}: no tenant for sector ${item.sector}`);
  const rules = data.tableFor(tenant);
  const complaint = {
    complaintId: item.id,
    reference: item.id,
    channel: channelOf(item),
    language: item.language,
    description: item.description,
    demands: item.demands,
    target: targetOf(item),
  };
  const [event] = routingDecider.decide(
    {
      type: 'RouteComplaint',
      data: { complaint, rules, directory: data.directoryFor(tenant), workload: EMPTY_WORKLOAD },
    },
    routingDecider.initialState(),
    { now: new Date(0), actor: { id: 'routing-eval', role: 'system' }, tenant, correlationId: item.id },
  );
  const routed = event!.data as ComplaintRouted;
  const rule = rules.rules.find((r) => r.id === routed.ruleId);
  const labelSector = ANY_SECTOR.includes(item.label.category) ? 'any' : item.sector;
  return {
    item,
    expected: `${labelSector}/${item.label.category}`,
    predicted: rule ? `${rule.sector}/${rule.category}` : TRIAGED,
    degree: routed.degree,
    priority: routed.priority,
  };
}

export interface CategoryFigures {
  category: string;
  /** False when the tenant's table has no rule with this category: every such complaint is a miss. */
  hasRule: boolean;
  support: number;
  predicted: number;
  correct: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export type Confusion = Record<string, Record<string, number>>;

export interface Figures {
  complaints: number;
  categoryAccuracy: number;
  triageRate: number;
  categories: CategoryFigures[];
  degree: { accuracy: number; confusion: Confusion };
  priority: { accuracy: number; confusion: Confusion };
  languages: Record<string, { complaints: number; category: number; degree: number; priority: number }>;
}

export interface RoutingEvaluation {
  corpus: string;
  tenants: Record<string, string>;
  overall: Figures;
  sectors: Record<string, Figures & { tenant: string; ruleTable: string }>;
}

const share = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);
const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);

function confusion(outcomes: Outcome[], key: 'degree' | 'priority', values: readonly string[]): Confusion {
  const table: Confusion = Object.fromEntries(values.map((v) => [v, Object.fromEntries(values.map((p) => [p, 0]))]));
  for (const o of outcomes) table[o.item.label[key]]![o[key]]! += 1;
  return table;
}

function categoriesOf(outcomes: Outcome[], tables: RuleTable[]): CategoryFigures[] {
  const ruled = new Set(tables.flatMap((t) => t.rules.map((r) => `${r.sector}/${r.category}`)));
  const names = [...new Set(outcomes.flatMap((o) => [o.expected, o.predicted]))].filter((c) => c !== TRIAGED).sort();
  return names.map((category) => {
    const support = outcomes.filter((o) => o.expected === category).length;
    const predicted = outcomes.filter((o) => o.predicted === category).length;
    const correct = outcomes.filter((o) => o.expected === category && o.predicted === category).length;
    const precision = ratio(correct, predicted);
    const recall = ratio(correct, support);
    const f1 =
      precision === null || recall === null || precision + recall === 0
        ? null
        : (2 * precision * recall) / (precision + recall);
    return { category, hasRule: ruled.has(category), support, predicted, correct, precision, recall, f1 };
  });
}

function figures(outcomes: Outcome[], tables: RuleTable[]): Figures {
  const accuracy = (os: Outcome[], hit: (o: Outcome) => boolean) => share(os.filter(hit).length, os.length);
  const category = (o: Outcome) => o.expected === o.predicted;
  const degree = (o: Outcome) => o.degree === o.item.label.degree;
  const priority = (o: Outcome) => o.priority === o.item.label.priority;
  const languages = [...new Set(outcomes.map((o) => o.item.language))].sort();
  return {
    complaints: outcomes.length,
    categoryAccuracy: accuracy(outcomes, category),
    triageRate: accuracy(outcomes, (o) => o.predicted === TRIAGED),
    categories: categoriesOf(outcomes, tables),
    degree: { accuracy: accuracy(outcomes, degree), confusion: confusion(outcomes, 'degree', DEGREES) },
    priority: { accuracy: accuracy(outcomes, priority), confusion: confusion(outcomes, 'priority', PRIORITY_ORDER) },
    languages: Object.fromEntries(
      languages.map((language) => {
        const os = outcomes.filter((o) => o.item.language === language);
        const of = (hit: (o: Outcome) => boolean) => accuracy(os, hit);
        return [
          language,
          { complaints: os.length, category: of(category), degree: of(degree), priority: of(priority) },
        ];
      }),
    ),
  };
}

export function evaluateRouting(corpus = loadCorpus(), data = RoutingData.load()): RoutingEvaluation {
  const outcomes = corpus.map((item) => route(item, data));
  const sectors = [...new Set(corpus.map((c) => c.sector))];
  const tableOf = (sector: string) => data.tableFor(TENANT_OF_SECTOR[sector]!);
  return {
    corpus: 'test/fixtures/routing-corpus/corpus.jsonl',
    tenants: TENANT_OF_SECTOR,
    overall: figures(outcomes, sectors.map(tableOf)),
    sectors: Object.fromEntries(
      sectors.map((sector) => [
        sector,
        {
          tenant: TENANT_OF_SECTOR[sector]!,
          ruleTable: tableOf(sector).source,
          ...figures(
            outcomes.filter((o) => o.item.sector === sector),
            [tableOf(sector)],
          ),
        },
      ]),
    ),
  };
}
