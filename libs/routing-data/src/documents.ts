/**
 * Routing's policy documents, shared by the services that apply them: a tenant's rule table
 * (`routing-rules`, flattened: no `extends`) and its department directory (`department-directory`).
 * Their vocabularies and shapes are defined here once; routing's domain re-exports them, and
 * resolution reads the directory to check reassignments. Pure types and constants.
 */
export const PRIORITY_ORDER = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITY_ORDER)[number];

/** How the customer puts it (DOMAIN.md, 000): 建设性 / 批评性 / 控告性. */
export const DEGREES = ['constructive', 'critical', 'accusatory'] as const;
export type Degree = (typeof DEGREES)[number];

/** The content categories of DOMAIN.md (000); sector categories refine them. */
export const CONTENT_CATEGORIES = ['price', 'quality', 'function', 'technology', 'service'] as const;
export type ContentCategory = (typeof CONTENT_CATEGORIES)[number];

export const ASSIGNMENT_STRATEGIES = ['round-robin', 'least-loaded', 'skills-match'] as const;
export type AssignmentStrategy = (typeof ASSIGNMENT_STRATEGIES)[number];

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

/** A tenant's whole rule table (the `routing-rules` document): what its files say once `extends` is resolved. */
export interface RuleTableDocument {
  $comment?: string;
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

export interface Agent {
  id: string;
  name: string;
  skills: string[];
  /** Open assignments the agent can hold at once. */
  capacity: number;
  /** Queues the agent works; all of the department's when absent. */
  queues?: string[];
  /** Languages the agent handles complaints in (primary tags: zh, en); a complaint's language is a required skill. */
  languages?: string[];
}

export interface Queue {
  id: string;
  name: string;
  strategy: AssignmentStrategy;
  /** Skills every case of the queue needs, on top of those the classification rule asks for. */
  requiredSkills?: string[];
}

export interface Department {
  id: string;
  name: string;
  queues: Queue[];
  agents: Agent[];
}

/** A tenant's departments, queues and agents (the `department-directory` document). */
export interface Directory {
  $comment?: string;
  departments: Department[];
}
