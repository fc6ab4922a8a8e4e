/**
 * Classification: which rule of the tenant's table fits a complaint best, how the customer puts it,
 * how urgent it is, and an explanation of every rule that fired so a supervisor can see why.
 */
import type { Channel } from '@complaints/contracts';
import { amountsIn, type Amount } from './amounts';
import { decideDegree } from './degree';
import { matching, normalised } from './words';
import {
  higher,
  TRIAGE,
  type ContentCategory,
  type Degree,
  type Priority,
  type PriorityRaiser,
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
  /** The complaint's language (BCP 47, from intake): agents must speak it. */
  language?: string;
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

/** The tenant's own degree words first (in order), else the degree classifier reads the wording. */
function degreeOf(table: RuleTable, text: string, wording: string): { degree: Degree; fired: FiredRule[] } {
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
  const { degree, cues, reason } = decideDegree(wording, table.defaultDegree);
  const deciding =
    degree === 'accusatory'
      ? [...cues.wrongdoing, ...cues.punishment]
      : degree === 'constructive'
        ? cues.suggestions
        : [];
  const contribution = `degree ${degree}: ${reason}`;
  return {
    degree,
    fired: [
      { ruleId: 'degree-classifier', kind: 'degree', matchedKeywords: deciding, matchedFields: [], contribution },
    ],
  };
}

/** What a raiser found in the complaint, or undefined when it does not apply. */
function raiserMatch(
  raiser: PriorityRaiser,
  complaint: ComplaintToRoute,
  text: string,
  amounts: Amount[],
  category: string,
) {
  if (raiser.categories && !raiser.categories.includes(category)) return undefined;
  const keywords = matching(text, raiser.keywords);
  const fields: FiredRule['matchedFields'] = [];
  if (raiser.channels?.includes(complaint.channel)) fields.push({ field: 'channel', value: complaint.channel });
  const large = amounts.filter((a) => a.value > (raiser.amountAbove?.[a.currency] ?? Number.POSITIVE_INFINITY));
  for (const a of large)
    fields.push({ field: 'amountAtStake', value: `${a.text} > ${a.currency} ${raiser.amountAbove?.[a.currency]}` });
  const ownConditions = raiser.keywords?.length || raiser.channels?.length || raiser.amountAbove;
  if (ownConditions && keywords.length === 0 && fields.length === 0) return undefined;
  const groups = (raiser.allOf ?? []).map((group) => matching(text, group));
  if (groups.some((g) => g.length === 0)) return undefined;
  const all = [...keywords, ...groups.flat()];
  return all.length > 0 || fields.length > 0 ? { keywords: all, fields } : undefined;
}

function raisePriority(
  start: { priority: Priority; fired: FiredRule[] },
  complaint: ComplaintToRoute,
  table: RuleTable,
  text: string,
  amounts: Amount[],
  category: string,
) {
  let priority = start.priority;
  const fired: FiredRule[] = [...start.fired];
  for (const raiser of table.priorityRaisers) {
    const match = raiserMatch(raiser, complaint, text, amounts, category);
    if (!match) continue;
    const before = priority;
    priority = higher(priority, raiser.raiseTo);
    const contribution =
      before === priority
        ? `priority at least ${raiser.raiseTo} (already ${before})`
        : `priority ${before} → ${priority}`;
    const { keywords: matchedKeywords, fields: matchedFields } = match;
    fired.push({ ruleId: raiser.id, kind: 'priority', matchedKeywords, matchedFields, contribution });
  }
  return { priority, fired };
}

/** The rule's priority; a suggestion (constructive) starts at the table's `constructivePriority` instead. */
function startingPriority(rule: RoutingRule | undefined, degree: Degree, table: RuleTable) {
  const priority = rule?.priority ?? TRIAGE.priority;
  if (degree !== 'constructive' || !table.constructivePriority || table.constructivePriority === priority) {
    return { priority, fired: [] };
  }
  const contribution = `a suggestion: priority ${priority} → ${table.constructivePriority}`;
  const fired: FiredRule = {
    ruleId: 'constructive-priority',
    kind: 'priority',
    matchedKeywords: [],
    matchedFields: [{ field: 'degree', value: degree }],
    contribution,
  };
  return { priority: table.constructivePriority, fired: [fired] };
}

export function classify(complaint: ComplaintToRoute, table: RuleTable): Classification {
  const demands = normalised(complaint.demands.join(' \n '));
  const wording = [complaint.description, ...complaint.demands].join(' \n ');
  const text = normalised([complaint.description, complaint.target.name, demands].join(' \n '));
  const amounts = amountsIn([complaint.description, ...complaint.demands].join(' \n '));
  const { chosen, explanation } = chooseRule(complaint, table, text, demands);
  const rule = chosen?.rule;
  const degree = degreeOf(table, text, wording);
  const category = rule?.category ?? TRIAGE.category;
  const start = startingPriority(rule, degree.degree, table);
  const priority = raisePriority(start, complaint, table, text, amounts, category);
  const contributing = (rule?.contributingDepartments ?? []).filter((d) => d !== rule?.department);
  const largest = [...amounts].sort((a, b) => b.value - a.value)[0];
  return {
    department: rule?.department ?? TRIAGE.department,
    queue: rule?.queue ?? TRIAGE.queue,
    category,
    ...(rule?.contentCategory ? { contentCategory: rule.contentCategory } : {}),
    degree: degree.degree,
    priority: priority.priority,
    ruleId: rule?.id ?? null,
    matchedKeywords: [...new Set([...(chosen?.keywords ?? []), ...priority.fired.flatMap((f) => f.matchedKeywords)])],
    ...(rule && contributing.length > 0
      ? { leadDepartment: rule.department, contributingDepartments: contributing }
      : {}),
    ...(rule?.requiredSkills?.length ? { requiredSkills: rule.requiredSkills } : {}),
    ...(largest ? { amountAtStake: largest } : {}),
    explanation: [...explanation, ...degree.fired, ...priority.fired],
  };
}
