/**
 * Classification: which rule of the tenant's table fits a complaint best, how the customer puts it,
 * how urgent it is, and an explanation of every rule that fired so a supervisor can see why.
 */
import type { Channel } from '@complaints/contracts';
import { amountsIn, type Amount } from './amounts';
import {
  higher,
  TRIAGE,
  type ContentCategory,
  type Degree,
  type Priority,
  type RoutingRule,
  type RuleTable,
} from './rules';

export interface ComplaintToRoute {
  complaintId: string;
  reference: string;
  customerId?: string;
  /** The complainant's data subject id, passed on for resolution to seal the case's free text with. */
  subjectId?: string;
  receivedAt?: string;
  channel: Channel;
  description: string;
  demands: string[];
  target: { kind: string; name: string };
}

export interface FiredRule {
  ruleId: string;
  kind: 'classification' | 'runner-up' | 'degree' | 'priority' | 'triage';
  matchedKeywords: string[];
  matchedFields: { field: string; value: string }[];
  /** What the rule did to the decision, in words. */
  contribution: string;
  score?: number;
}

export interface Classification {
  department: string;
  queue: string;
  category: string;
  contentCategory?: ContentCategory;
  degree: Degree;
  priority: Priority;
  /** The classification rule that chose the department; null when the complaint went to triage. */
  ruleId: string | null;
  matchedKeywords: string[];
  leadDepartment?: string;
  contributingDepartments?: string[];
  requiredSkills?: string[];
  amountAtStake?: Amount;
  explanation: FiredRule[];
}

/** A structured field that matches is worth as much as a two-character Chinese keyword. */
const FIELD_WEIGHT = 2;

/**
 * English keywords match whole words, allowing an inflection ("activate" finds "activated", "sue"
 * finds "sued" but not "issue"). Chinese has no spaces between words: a plain substring match.
 */
function found(text: string, keyword: string): boolean {
  const k = keyword.toLowerCase();
  if (!/^[\x20-\x7e]+$/.test(k)) return text.includes(k);
  const escaped = k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![a-z0-9])${escaped}(?:s|es|d|ed|ing)?(?![a-z0-9])`).test(text);
}
const matching = (text: string, keywords: readonly string[] = []) => keywords.filter((k) => found(text, k));

interface Candidate {
  rule: RoutingRule;
  keywords: string[];
  fields: FiredRule['matchedFields'];
  score: number;
}

function score(rule: RoutingRule, complaint: ComplaintToRoute, text: string, demands: string): Candidate {
  const keywords = matching(text, rule.keywords);
  const fields: FiredRule['matchedFields'] = [];
  if (rule.fields?.channels?.includes(complaint.channel)) fields.push({ field: 'channel', value: complaint.channel });
  if (rule.fields?.targetKinds?.includes(complaint.target.kind)) {
    fields.push({ field: 'target.kind', value: complaint.target.kind });
  }
  for (const k of matching(demands, rule.fields?.demandKeywords)) fields.push({ field: 'demands', value: k });
  const total = keywords.reduce((sum, k) => sum + k.length, 0) + fields.length * FIELD_WEIGHT;
  return { rule, keywords, fields, score: total };
}

const placement = (c: Candidate) =>
  `department ${c.rule.department}, queue ${c.rule.queue}, category ${c.rule.category} (score ${c.score})`;

function chooseRule(complaint: ComplaintToRoute, table: RuleTable, text: string, demands: string) {
  const ranked = table.rules
    .map((rule) => score(rule, complaint, text, demands))
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score);
  const best = ranked[0];
  const rival = ranked.find((c) => best && c.rule.department !== best.rule.department);
  const fired = (c: Candidate, kind: FiredRule['kind'], contribution: string): FiredRule => ({
    ruleId: c.rule.id,
    kind,
    matchedKeywords: c.keywords,
    matchedFields: c.fields,
    contribution,
    score: c.score,
  });
  if (!best || best.score < table.minimumScore) {
    const why = best ? `best rule ${best.rule.id} scored ${best.score} < ${table.minimumScore}` : 'no rule matched';
    return { chosen: undefined, explanation: [triage(`${why}: sent to triage`)] };
  }
  if (rival && best.score - rival.score <= table.ambiguityMargin) {
    const contribution = (c: Candidate) => `candidate ${placement(c)}; too close to call: sent to triage`;
    return {
      chosen: undefined,
      explanation: [
        fired(best, 'triage', contribution(best)),
        fired(rival, 'triage', contribution(rival)),
        triage(`ambiguous between ${best.rule.department} and ${rival.rule.department}`),
      ],
    };
  }
  const explanation = [fired(best, 'classification', `chose ${placement(best)}`)];
  if (rival) explanation.push(fired(rival, 'runner-up', `lost to ${best.rule.id}: ${placement(rival)}`));
  return { chosen: best, explanation };
}

const triage = (contribution: string): FiredRule => ({
  ruleId: 'triage',
  kind: 'triage',
  matchedKeywords: [],
  matchedFields: [],
  contribution,
});

function degreeOf(table: RuleTable, text: string): { degree: Degree; fired: FiredRule[] } {
  for (const rule of table.degreeRules) {
    const keywords = matching(text, rule.keywords);
    if (keywords.length > 0) {
      const contribution = `degree ${rule.degree}`;
      return {
        degree: rule.degree,
        fired: [{ ruleId: rule.id, kind: 'degree', matchedKeywords: keywords, matchedFields: [], contribution }],
      };
    }
  }
  return { degree: table.defaultDegree, fired: [] };
}

function raisePriority(
  start: Priority,
  complaint: ComplaintToRoute,
  table: RuleTable,
  text: string,
  amounts: Amount[],
) {
  let priority = start;
  const fired: FiredRule[] = [];
  for (const raiser of table.priorityRaisers) {
    const keywords = matching(text, raiser.keywords);
    const fields: FiredRule['matchedFields'] = [];
    if (raiser.channels?.includes(complaint.channel)) fields.push({ field: 'channel', value: complaint.channel });
    const large = amounts.filter((a) => a.value > (raiser.amountAbove?.[a.currency] ?? Number.POSITIVE_INFINITY));
    for (const a of large)
      fields.push({ field: 'amountAtStake', value: `${a.text} > ${a.currency} ${raiser.amountAbove?.[a.currency]}` });
    if (keywords.length === 0 && fields.length === 0) continue;
    const before = priority;
    priority = higher(priority, raiser.raiseTo);
    const contribution =
      before === priority
        ? `priority at least ${raiser.raiseTo} (already ${before})`
        : `priority ${before} → ${priority}`;
    fired.push({ ruleId: raiser.id, kind: 'priority', matchedKeywords: keywords, matchedFields: fields, contribution });
  }
  return { priority, fired };
}

export function classify(complaint: ComplaintToRoute, table: RuleTable): Classification {
  const demands = complaint.demands.join(' \n ').toLowerCase();
  // Curly apostrophes are normalised so that "didn’t" matches the keyword "didn't".
  const text = [complaint.description, complaint.target.name, demands].join(' \n ').toLowerCase().replace(/’/g, "'");
  const amounts = amountsIn([complaint.description, ...complaint.demands].join(' \n '));
  const { chosen, explanation } = chooseRule(complaint, table, text, demands);
  const rule = chosen?.rule;
  const degree = degreeOf(table, text);
  const priority = raisePriority(rule?.priority ?? TRIAGE.priority, complaint, table, text, amounts);
  const contributing = (rule?.contributingDepartments ?? []).filter((d) => d !== rule?.department);
  const largest = [...amounts].sort((a, b) => b.value - a.value)[0];
  return {
    department: rule?.department ?? TRIAGE.department,
    queue: rule?.queue ?? TRIAGE.queue,
    category: rule?.category ?? TRIAGE.category,
    ...(rule?.contentCategory ? { contentCategory: rule.contentCategory } : {}),
    degree: degree.degree,
    priority: priority.priority,
    ruleId: rule?.id ?? null,
    matchedKeywords: [...new Set([...(chosen?.keywords ?? []), ...priority.fired.flatMap((f) => f.matchedKeywords)])],
    ...(contributing.length > 0 ? { leadDepartment: rule!.department, contributingDepartments: contributing } : {}),
    ...(rule?.requiredSkills?.length ? { requiredSkills: rule.requiredSkills } : {}),
    ...(largest ? { amountAtStake: largest } : {}),
    explanation: [...explanation, ...degree.fired, ...priority.fired],
  };
}
