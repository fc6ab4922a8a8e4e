/**
 * The seeds (version 0) of routing's kinds: the tenants' rule files (`rules/*.json`) and the
 * department directory files (`directory/*.json`) under ROUTING_DATA_DIR, read and checked once at
 * start. Every file is checked against its schema and every table against its directory; a bad file
 * stops the service with a message naming the file and the field, rather than deciding with a
 * half-understood table. Routing and resolution read the same seeds through this one module.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import type { DegreeRule, Directory, PriorityRaiser, RoutingRule, RuleTableDocument } from './documents';
import { directoryFile, ruleFile, rulesAgainstDirectory, type RuleFile } from './schemas';

/** services/routing, where the shipped files live, from src/ (tests) and dist/ (the built lib) alike. */
export const ROUTING_ROOT = resolve(__dirname, '..', '..', '..', 'services', 'routing');

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
    const [issue] = parsed.error.issues;
    const rest = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
    throw new RuleFileError(shown, issue?.path.join('.') ?? '', `${issue?.message ?? 'invalid'}${rest}`);
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

/** A tenant's seed: its whole table and directory, and the files each came from. */
export interface TenantSeed {
  table: RuleTableDocument;
  /** The rule files, e.g. `default.json < grid-east.json`: what a decision names as its `ruleTable`. */
  tableSource: string;
  directory: Directory;
  /** The directory files, e.g. `directory/shared.json + directory/power.json`. */
  directorySource: string;
}

interface LoadContext {
  files: Map<string, RuleFile>;
  dir: string;
  directoryFiles: Map<string, Directory['departments']>;
}

/** Every tenant's table and directory, keyed by tenant (the file name); `default` serves tenants without a file. */
export function loadRuleTables(
  directoryFiles: Map<string, Directory['departments']>,
  dir = join(ROUTING_ROOT, 'rules'),
): Map<string, TenantSeed> {
  const files = new Map<string, RuleFile>(
    readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => [basename(f, '.json'), parseFile(join(dir, f), ruleFile)]),
  );
  if (!files.has('default')) throw new RuleFileError(join(dir, 'default.json'), '', 'the default table is missing');
  const context = { files, dir, directoryFiles };
  const tables = new Map<string, TenantSeed>();
  for (const tenant of files.keys()) {
    const { units: _units, ...seed } = resolveTable(tenant, context, []);
    tables.set(tenant, seed);
  }
  return tables;
}

function resolveTable(tenant: string, context: LoadContext, chain: string[]): TenantSeed & { units: string[] } {
  const { files, dir } = context;
  const where = `${relative(process.cwd(), join(dir, `${tenant}.json`))}`;
  const file = files.get(tenant);
  if (!file) throw new RuleFileError(where, '', 'no such rule file');
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
  const rules = byId<RoutingRule>(parent?.rules ?? [], file.rules).filter(
    (r) => !file.disableRules.includes(r.id) && (!sectors || sectors.includes(r.sector)),
  );
  const [gap] = rulesAgainstDirectory(rules, directory);
  if (gap) throw new RuleFileError(where, `rules.${gap.rule.id}.${gap.field}`, gap.reason);
  const table: RuleTableDocument = {
    rules,
    priorityRaisers: byId<PriorityRaiser>(parent?.priorityRaisers ?? [], file.priorityRaisers),
    // A tenant's degree words are checked before the inherited ones.
    degreeRules: byId<DegreeRule>(file.degreeRules, parent?.degreeRules ?? []),
    defaultDegree,
    ...(constructivePriority ? { constructivePriority } : {}),
    minimumScore,
    ambiguityMargin,
  };
  const tableSource = inherited ? `${inherited.tableSource} < ${tenant}.json` : `${tenant}.json`;
  const directorySource = units.map((u) => `directory/${u}.json`).join(' + ');
  return { table, tableSource, directory, directorySource, units };
}

/** Every tenant's seed, read once: `default` serves a tenant without a rule file. */
export class RoutingSeeds {
  constructor(private readonly tenants: Map<string, TenantSeed>) {}

  /** The files under `root` (ROUTING_DATA_DIR: `rules/` and `directory/`; default services/routing). */
  static load(root = ROUTING_ROOT): RoutingSeeds {
    return new RoutingSeeds(loadRuleTables(loadDirectoryFiles(join(root, 'directory')), join(root, 'rules')));
  }

  for(tenant: string): TenantSeed {
    const seed = this.tenants.get(tenant) ?? this.tenants.get('default');
    if (!seed) throw new Error('The routing seeds hold no default table');
    return seed;
  }

  /** The tenants with a rule file of their own (and `default`). */
  get tenantNames(): string[] {
    return [...this.tenants.keys()];
  }
}
