/**
 * The checks of routing's data, one place for the start-up files and the published versions: a
 * rule file (`rules/<tenant>.json`, may `extends`), a whole rule table (the `routing-rules`
 * document), a directory file and a tenant's directory (the `department-directory` document).
 */
import { z } from 'zod';
import {
  ASSIGNMENT_STRATEGIES,
  CONTENT_CATEGORIES,
  DEGREES,
  PRIORITY_ORDER,
  type Directory,
  type RoutingRule,
  type RuleTableDocument,
} from './documents';

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');
const words = z.array(z.string().trim().min(1)).default([]);

/** Ids named twice in a list (rules, raisers, departments…): each names its index. */
const uniqueIds = (what: string) => (list: readonly { id: string }[], ctx: z.RefinementCtx) => {
  list.forEach((item, i) => {
    if (list.findIndex((other) => other.id === item.id) !== i) {
      ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `${what} ${item.id} is defined twice` });
    }
  });
};

const routingRule = z
  .object({
    id,
    sector: z.string().min(1),
    department: id,
    queue: id,
    category: z.string().min(1),
    contentCategory: z.enum(CONTENT_CATEGORIES).optional(),
    priority: z.enum(PRIORITY_ORDER),
    keywords: words,
    fields: z.object({ channels: words, targetKinds: words, demandKeywords: words }).partial().strict().optional(),
    contributingDepartments: z.array(id).optional(),
    requiredSkills: z.array(z.string().min(1)).optional(),
  })
  .strict()
  .refine((r) => r.keywords.length > 0 || Object.values(r.fields ?? {}).some((v) => v.length > 0), {
    message: 'a rule needs keywords or field conditions',
    path: ['keywords'],
  });

const priorityRaiser = z
  .object({
    id,
    raiseTo: z.enum(PRIORITY_ORDER),
    keywords: words.optional(),
    channels: words.optional(),
    amountAbove: z.record(z.string().length(3), z.number().positive()).optional(),
    allOf: z
      .array(z.array(z.string().trim().min(1)).min(1))
      .min(1)
      .optional(),
    categories: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .refine((r) => r.keywords?.length || r.channels?.length || r.amountAbove || r.allOf, {
    message: 'a priority raiser needs keywords, channels, amountAbove or allOf',
    path: ['keywords'],
  });

const degreeRule = z.object({ id, degree: z.enum(DEGREES), keywords: z.array(z.string().min(1)).min(1) }).strict();

/** default.json holds a whole table; a tenant file extends another and overrides by rule id. */
export const ruleFile = z
  .object({
    $comment: z.string().optional(),
    extends: id.optional(),
    /**
     * The directory files (`directory/<name>.json`) the tenant's departments, queues and agents come
     * from; inherited through `extends`; a table naming none uses every file.
     */
    directory: z.array(id).min(1).optional(),
    /** Only rules of these sectors apply to the tenant (e.g. a bank never gets power rules). */
    sectors: z.array(z.string().min(1)).min(1).optional(),
    rules: z.array(routingRule).default([]),
    disableRules: z.array(id).default([]),
    priorityRaisers: z.array(priorityRaiser).default([]),
    degreeRules: z.array(degreeRule).default([]),
    defaultDegree: z.enum(DEGREES).optional(),
    constructivePriority: z.enum(PRIORITY_ORDER).optional(),
    minimumScore: z.number().nonnegative().optional(),
    ambiguityMargin: z.number().nonnegative().optional(),
  })
  .strict();
export type RuleFile = z.infer<typeof ruleFile>;

/** A whole table, as published: what a rule file says with `extends`, `disableRules` and `sectors` applied. */
export const ruleTableDocument: z.ZodType<RuleTableDocument, z.ZodTypeDef, unknown> = z
  .object({
    $comment: z.string().optional(),
    rules: z.array(routingRule).superRefine(uniqueIds('rule')),
    priorityRaisers: z.array(priorityRaiser).default([]).superRefine(uniqueIds('priority raiser')),
    degreeRules: z.array(degreeRule).default([]).superRefine(uniqueIds('degree rule')),
    defaultDegree: z.enum(DEGREES),
    constructivePriority: z.enum(PRIORITY_ORDER).optional(),
    minimumScore: z.number().nonnegative(),
    ambiguityMargin: z.number().nonnegative(),
  })
  .strict();

const queue = z
  .object({
    id,
    name: z.string().min(1),
    strategy: z.enum(ASSIGNMENT_STRATEGIES),
    requiredSkills: z.array(z.string().min(1)).optional(),
  })
  .strict();

const agent = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    skills: z.array(z.string().min(1)),
    capacity: z.number().int().positive(),
    queues: z.array(id).optional(),
    languages: z.array(z.string().regex(/^[a-z]{2,3}$/, 'a primary language tag: zh, en')).optional(),
  })
  .strict();

const department = z
  .object({
    id,
    name: z.string().min(1),
    queues: z.array(queue).min(1).superRefine(uniqueIds('queue')),
    agents: z.array(agent).superRefine(uniqueIds('agent')),
  })
  .strict()
  .superRefine((d, ctx) => {
    d.agents.forEach((a, i) => {
      (a.queues ?? []).forEach((q, j) => {
        if (!d.queues.some((known) => known.id === q)) {
          ctx.addIssue({
            code: 'custom',
            path: ['agents', i, 'queues', j],
            message: `${q} is not a queue of ${d.id}`,
          });
        }
      });
    });
  });

/** A directory file (`directory/<name>.json`): departments, each defined once per tenant directory. */
export const directoryFile = z.object({ $comment: z.string().optional(), departments: z.array(department) }).strict();

/** A tenant's whole directory, as published. */
export const directoryDocument: z.ZodType<Directory, z.ZodTypeDef, unknown> = z
  .object({ $comment: z.string().optional(), departments: z.array(department).superRefine(uniqueIds('department')) })
  .strict();

/** Where a rule names a department or queue the directory lacks, which would route complaints nowhere. */
export interface RuleDirectoryGap {
  rule: RoutingRule;
  /** The rule's index in the table. */
  index: number;
  field: 'department' | 'queue' | 'contributingDepartments';
  reason: string;
}

export function rulesAgainstDirectory(rules: readonly RoutingRule[], directory: Directory): RuleDirectoryGap[] {
  const gaps: RuleDirectoryGap[] = [];
  rules.forEach((rule, index) => {
    const department = directory.departments.find((d) => d.id === rule.department);
    if (!department) {
      gaps.push({ rule, index, field: 'department', reason: `${rule.department} is not in the directory` });
    } else if (!department.queues.some((q) => q.id === rule.queue)) {
      gaps.push({ rule, index, field: 'queue', reason: `${rule.queue} is not a queue of ${rule.department}` });
    }
    for (const c of rule.contributingDepartments ?? []) {
      if (!directory.departments.some((d) => d.id === c)) {
        gaps.push({ rule, index, field: 'contributingDepartments', reason: `${c} is not in the directory` });
      }
    }
  });
  return gaps;
}
