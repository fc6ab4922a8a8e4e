/**
 * The shape of a tenant's rule table. The tables themselves are data (services/routing/rules/*.json),
 * loaded and validated outside the domain and passed into `classify` / `decide`, so a desk can change
 * where complaints go without a release.
 */
export const PRIORITY_ORDER = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITY_ORDER)[number];

/** How the customer puts it (DOMAIN.md, 000): 建设性 / 批评性 / 控告性. */
export const DEGREES = ['constructive', 'critical', 'accusatory'] as const;
export type Degree = (typeof DEGREES)[number];

/** The content categories of DOMAIN.md (000); sector categories refine them. */
export const CONTENT_CATEGORIES = ['price', 'quality', 'function', 'technology', 'service'] as const;
export type ContentCategory = (typeof CONTENT_CATEGORIES)[number];

/** Structured fields a rule may also match on, besides words in the text. */
export interface FieldConditions {
  channels?: string[];
  targetKinds?: string[];
  /** Words looked for in the customer's demands only. */
  demandKeywords?: string[];
}

export interface RoutingRule {
  id: string;
  sector: string;
  department: string;
  queue: string;
  /** The sector category (e.g. metering, card-fees): what the case is about. */
  category: string;
  contentCategory?: ContentCategory;
  priority: Priority;
  keywords: string[];
  fields?: FieldConditions;
  /** Departments that must cooperate with this rule's (lead) department. */
  contributingDepartments?: string[];
  /** Skills an agent needs to take the case (skills-match assignment). */
  requiredSkills?: string[];
}

/** Raises the priority, never lowers it: regulator referrals, threats, vulnerable customers, large sums. */
export interface PriorityRaiser {
  id: string;
  raiseTo: Priority;
  keywords?: string[];
  channels?: string[];
  /** Raised when an amount at stake in the text exceeds the threshold of its currency. */
  amountAbove?: Record<string, number>;
  /**
   * Every group must have a word in the text (e.g. a vulnerable person and a heatwave), on top of
   * the conditions above when it has any.
   */
  allOf?: string[][];
  /** Applies only to complaints classified into these categories (e.g. a danger only without power). */
  categories?: string[];
}

export interface DegreeRule {
  id: string;
  degree: Degree;
  keywords: string[];
}

export interface RuleTable {
  /** The file the table came from (and those it extends), for the explanation. */
  source: string;
  rules: RoutingRule[];
  priorityRaisers: PriorityRaiser[];
  /** Checked in order; the first that matches sets the degree, else `defaultDegree`. */
  degreeRules: DegreeRule[];
  defaultDegree: Degree;
  /** A suggestion (constructive) starts at this priority instead of its rule's; raisers still apply. */
  constructivePriority?: Priority;
  /** Below this score a complaint is not classified but sent to triage. */
  minimumScore: number;
  /**
   * When the runner-up rule of another department scores within this margin of the best, the
   * complaint is ambiguous and goes to triage rather than silently to a possibly wrong department.
   */
  ambiguityMargin: number;
}

export const TRIAGE = {
  department: 'triage',
  queue: 'triage',
  category: 'unclassified',
  priority: 'normal' as Priority,
};

export const rankOf = (priority: Priority): number => PRIORITY_ORDER.indexOf(priority);
export const higher = (a: Priority, b: Priority): Priority => (rankOf(a) >= rankOf(b) ? a : b);
