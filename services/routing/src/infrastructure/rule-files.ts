/**
 * Reads the tenants' rule tables (services/routing/rules/*.json) and the department directory
 * (services/routing/directory/*.json) at start. Every file is checked against a schema and against
 * the directory; a bad file stops the service with a message naming the file and the field, rather
 * than routing complaints with a half-understood table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ASSIGNMENT_STRATEGIES, type Directory } from '../domain/directory';
import {
  CONTENT_CATEGORIES,
  DEGREES,
  PRIORITY_ORDER,
  type DegreeRule,
  type PriorityRaiser,
  type RoutingRule,
  type RuleTable,
} from '../domain/rules';

/** services/routing, both from src/ (tests, ts-node) and dist/ (the built service). */
export const ROUTING_ROOT = resolve(__dirname, '..', '..');

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes');
const words = z.array(z.string().trim().min(1)).default([]);

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
const ruleFile = z
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
type RuleFile = z.infer<typeof ruleFile>;

const directoryFile = z
  .object({
    $comment: z.string().optional(),
    departments: z.array(
      z
        .object({
          id,
          name: z.string().min(1),
          queues: z
            .array(
              z
                .object({
                  id,
                  name: z.string().min(1),
                  strategy: z.enum(ASSIGNMENT_STRATEGIES),
                  requiredSkills: z.array(z.string().min(1)).optional(),
                })
                .strict(),
            )
            .min(1),
          agents: z.array(
            z
              .object({
                id: z.string().min(1),
                name: z.string().min(1),
                skills: z.array(z.string().min(1)),
                capacity: z.number().int().positive(),
                queues: z.array(id).optional(),
                languages: z.array(z.string().regex(/^[a-z]{2,3}$/, 'a primary language tag: zh, en')).optional(),
              })
              .strict(),
          ),
        })
        .strict(),
    ),
  })
  .strict();

export class RuleFileError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`Routing data file ${file} is invalid at ${field || '(root)'}: ${problem}`);
    this.name = 'RuleFileError';
  }
}

function parseFile<T>(path: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>): T {
  const shown = relative(process.cwd(), path) || path;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RuleFileError(shown, '', `not readable JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const rest = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
    throw new RuleFileError(shown, issue.path.join('.'), `${issue.message}${rest}`);
  }
  return parsed.data;
}

const byId = <T extends { id: string }>(base: T[], overrides: T[]) => {
  const merged = new Map(base.map((item) => [item.id, item]));
  for (const item of overrides) merged.set(item.id, item);
  return [...merged.values()];
};

/** Every directory file by name (`bank.json` → `bank`), each validated on its own. */
export function loadDirectoryFiles(dir = join(ROUTING_ROOT, 'directory')): Map<string, Directory['departments']> {
  return new Map(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => [basename(f, '.json'), parseFile(join(dir, f), directoryFile).departments]),
  );
}

/** One tenant's directory: the named files' departments, each department defined once. */
function directoryOf(names: string[], files: Map<string, Directory['departments']>, where: string): Directory {
  const departments = names.flatMap((name) => {
    const file = files.get(name);
    if (!file) throw new RuleFileError(where, 'directory', `no directory file ${name}.json`);
    return file;
  });
  const seen = new Set<string>();
  for (const d of departments) {
    if (seen.has(d.id)) throw new RuleFileError(where, 'directory', `department ${d.id} is defined twice`);
    seen.add(d.id);
  }
  return { departments };
}

export interface TenantRouting {
  table: RuleTable;
  directory: Directory;
}

/** Every tenant's table and directory, keyed by tenant (the file name); `default` serves tenants without a file. */
export function loadRuleTables(
  directoryFiles: Map<string, Directory['departments']>,
  dir = join(ROUTING_ROOT, 'rules'),
): Map<string, TenantRouting> {
  const files = new Map<string, RuleFile>(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [basename(f, '.json'), parseFile(join(dir, f), ruleFile)]),
  );
  if (!files.has('default')) throw new RuleFileError(join(dir, 'default.json'), '', 'the default table is missing');
  const context = { files, dir, directoryFiles };
  const tables = new Map<string, TenantRouting>();
  for (const tenant of files.keys()) tables.set(tenant, resolveTable(tenant, context, []));
  return tables;
}

interface LoadContext {
  files: Map<string, RuleFile>;
  dir: string;
  directoryFiles: Map<string, Directory['departments']>;
}

function resolveTable(tenant: string, context: LoadContext, chain: string[]): TenantRouting & { units: string[] } {
  const { files, dir } = context;
  const file = files.get(tenant)!;
  const where = `${relative(process.cwd(), join(dir, `${tenant}.json`))}`;
  if (chain.includes(tenant)) throw new RuleFileError(where, 'extends', `circular: ${[...chain, tenant].join(' → ')}`);
  const parentName = file.extends ?? (tenant === 'default' ? undefined : 'default');
  if (parentName && !files.has(parentName))
    throw new RuleFileError(where, 'extends', `no rule file ${parentName}.json`);
  const inherited = parentName ? resolveTable(parentName, context, [...chain, tenant]) : undefined;
  const parent = inherited?.table;
  const units = file.directory ?? inherited?.units ?? [...context.directoryFiles.keys()];
  const directory = directoryOf(units, context.directoryFiles, where);
  const defaultDegree = file.defaultDegree ?? parent?.defaultDegree;
  const constructivePriority = file.constructivePriority ?? parent?.constructivePriority;
  const minimumScore = file.minimumScore ?? parent?.minimumScore;
  const ambiguityMargin = file.ambiguityMargin ?? parent?.ambiguityMargin;
  if (defaultDegree === undefined)
    throw new RuleFileError(where, 'defaultDegree', 'required in a table that extends none');
  if (minimumScore === undefined)
    throw new RuleFileError(where, 'minimumScore', 'required in a table that extends none');
  if (ambiguityMargin === undefined)
    throw new RuleFileError(where, 'ambiguityMargin', 'required in a table that extends none');
  const sectors = file.sectors;
  const rules = byId<RoutingRule>(parent?.rules ?? [], file.rules as RoutingRule[]).filter(
    (r) => !file.disableRules.includes(r.id) && (!sectors || sectors.includes(r.sector)),
  );
  checkAgainstDirectory(where, rules, directory);
  const table: RuleTable = {
    source: parent ? `${parent.source} < ${tenant}.json` : `${tenant}.json`,
    rules,
    priorityRaisers: byId<PriorityRaiser>(parent?.priorityRaisers ?? [], file.priorityRaisers),
    // A tenant's degree words are checked before the inherited ones.
    degreeRules: byId<DegreeRule>(file.degreeRules, parent?.degreeRules ?? []),
    defaultDegree,
    ...(constructivePriority ? { constructivePriority } : {}),
    minimumScore,
    ambiguityMargin,
  };
  return { table, directory, units };
}

/** A rule naming a department or queue the directory lacks would route complaints nowhere. */
function checkAgainstDirectory(where: string, rules: RoutingRule[], directory: Directory) {
  for (const rule of rules) {
    const department = directory.departments.find((d) => d.id === rule.department);
    if (!department)
      throw new RuleFileError(where, `rules.${rule.id}.department`, `${rule.department} is not in the directory`);
    if (!department.queues.some((q) => q.id === rule.queue)) {
      throw new RuleFileError(where, `rules.${rule.id}.queue`, `${rule.queue} is not a queue of ${rule.department}`);
    }
    for (const c of rule.contributingDepartments ?? []) {
      if (!directory.departments.some((d) => d.id === c)) {
        throw new RuleFileError(where, `rules.${rule.id}.contributingDepartments`, `${c} is not in the directory`);
      }
    }
  }
}

/** Each tenant's rule table and department directory in force, read once at start. */
export class RoutingData {
  constructor(private readonly tenants: Map<string, TenantRouting>) {}

  static load(root = ROUTING_ROOT): RoutingData {
    return new RoutingData(loadRuleTables(loadDirectoryFiles(join(root, 'directory')), join(root, 'rules')));
  }

  private of(tenant: string): TenantRouting {
    return this.tenants.get(tenant) ?? this.tenants.get('default')!;
  }

  tableFor(tenant: string): RuleTable {
    return this.of(tenant).table;
  }

  /** The tenant's departments, queues and agents: no tenant routes to, or sees, another's staff. */
  directoryFor(tenant: string): Directory {
    return this.of(tenant).directory;
  }
}
