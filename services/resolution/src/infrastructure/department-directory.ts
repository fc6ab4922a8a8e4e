/**
 * The departments (and their agents) each tenant has, read at start from the department directory
 * that routing validates reroutes against: `directory/*.json`, chosen per tenant by the `directory`
 * list of `rules/<tenant>.json` (inherited through `extends`; every file when none names one).
 *
 * Resolution reads these files as shared data, not routing's tables: they are configuration that
 * ships in the same image (or the same mounted ROUTING_DATA_DIR), so both services see the same
 * departments, including ones no complaint has been routed to yet, which a read model of routing's
 * events would not know. Routing checks the files in depth; here only what reassigning needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import type { DepartmentDirectory } from '../domain/departments';

/** services/routing next to services/resolution, from src/ and dist/ alike. */
const ROUTING_DATA = resolve(__dirname, '..', '..', '..', 'routing');

const directoryFile = z.object({
  departments: z.array(z.object({ id: z.string().min(1), agents: z.array(z.object({ id: z.string().min(1) })) })),
});
const ruleFile = z.object({ extends: z.string().optional(), directory: z.array(z.string()).min(1).optional() });

function read<T>(path: string, schema: z.ZodType<T, z.ZodTypeDef, unknown>): T {
  const shown = relative(process.cwd(), path) || path;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Department directory file ${shown} is not readable JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Department directory file ${shown} is invalid at ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

const jsonFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json'));

/** Each tenant's departments, keyed by tenant; `default` serves tenants without a rule file. */
export class Departments {
  constructor(private readonly tenants: Map<string, DepartmentDirectory['departments']>) {}

  static load(root = ROUTING_DATA): Departments {
    const units = new Map(
      jsonFiles(join(root, 'directory')).map((f) => [
        basename(f, '.json'),
        read(join(root, 'directory', f), directoryFile).departments.map((d) => ({
          id: d.id,
          agents: d.agents.map((a) => a.id),
        })),
      ]),
    );
    const rules = new Map(
      jsonFiles(join(root, 'rules')).map((f) => [basename(f, '.json'), read(join(root, 'rules', f), ruleFile)]),
    );
    const unitsOf = (tenant: string, seen: string[] = []): string[] => {
      const file = rules.get(tenant);
      if (file?.directory) return file.directory;
      const parent = file?.extends ?? (tenant === 'default' ? undefined : 'default');
      return parent && !seen.includes(parent) ? unitsOf(parent, [...seen, tenant]) : [...units.keys()];
    };
    const tenants = new Map(
      [...new Set(['default', ...rules.keys()])].map((tenant) => [
        tenant,
        unitsOf(tenant).flatMap((unit) => {
          const departments = units.get(unit);
          if (!departments) throw new Error(`Rule file of ${tenant} names no directory file ${unit}.json`);
          return departments;
        }),
      ]),
    );
    return new Departments(tenants);
  }

  for(tenant: string): DepartmentDirectory {
    return { tenant, departments: this.tenants.get(tenant) ?? this.tenants.get('default')! };
  }
}
