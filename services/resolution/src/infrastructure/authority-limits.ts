/**
 * Each tenant's amount limits (services/resolution/limits/<tenant>.json, `default.json` for tenants
 * without one), read and checked once at start. A bad file stops the service with a message naming
 * the file and the field, rather than granting money under a half-understood table. The files are
 * the seed of the `approval-limits` policy kind (version 0, docs/policy.md): a tenant's published
 * versions replace them, checked by the same validator.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { problemsOf, type PolicyKind } from '@complaints/policy';
import { LIMITED_ROLES, type AmountLimits, type LimitedRole } from '../domain/authority';
import { limitRefusal } from '../domain/money';

/** services/resolution, both from src/ (tests) and dist/ (the built service). */
export const RESOLUTION_ROOT = resolve(__dirname, '..', '..');

const perCurrency = z.record(z.string(), z.number().positive().finite());

const limitsFile = z
  .object({
    $comment: z.string().optional(),
    limits: z
      .object({ agent: perCurrency, supervisor: perCurrency, 'department-head': perCurrency })
      .partial()
      .strict(),
  })
  .strict()
  .superRefine(({ limits }, ctx) => {
    LIMITED_ROLES.forEach((role, rank) => {
      for (const [currency, limit] of Object.entries(limits[role] ?? {})) {
        const refusal = limitRefusal(limit, currency);
        if (refusal) ctx.addIssue({ code: 'custom', path: ['limits', role, currency], message: refusal });
        // A role above grants at least what the roles below it grant, in every currency they name.
        const above = LIMITED_ROLES.slice(rank + 1).find((r: LimitedRole) => (limits[r]?.[currency] ?? 0) < limit);
        if (above) {
          ctx.addIssue({
            code: 'custom',
            path: ['limits', above, currency],
            message: `must be at least the ${role}'s ${limit} ${currency}`,
          });
        }
      }
    });
  });

export class LimitsFileError extends Error {
  constructor(file: string, field: string, problem: string) {
    super(`Limits file ${file} is invalid at ${field || '(root)'}: ${problem}`);
    this.name = 'LimitsFileError';
  }
}

function parseLimitsFile(path: string): AmountLimits & { document: LimitsDocument } {
  const shown = relative(process.cwd(), path) || path;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LimitsFileError(shown, '', `not readable JSON (${(error as Error).message})`);
  }
  const parsed = limitsFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const rest = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
    throw new LimitsFileError(shown, issue.path.join('.'), `${issue.message}${rest}`);
  }
  return { source: `limits/${basename(path)}`, limits: parsed.data.limits, document: parsed.data };
}

/** A tenant's approval-limits document: a limits file's content. */
export type LimitsDocument = z.infer<typeof limitsFile>;

/** The `approval-limits` kind: the limits file's checks, and the tenant's file (else default.json) as its seed. */
export function approvalLimitsKind(seeds: AuthorityLimits): PolicyKind<LimitsDocument> {
  return {
    name: 'approval-limits',
    validate: (document) => {
      const parsed = limitsFile.safeParse(document);
      return parsed.success ? [] : problemsOf(parsed.error.issues);
    },
    seed: (tenant) => seeds.seedOf(tenant),
  };
}

/** Every tenant's amount limits files (the seeds), keyed by tenant (the file name). */
export class AuthorityLimits {
  constructor(
    private readonly tenants: Map<string, AmountLimits>,
    private readonly documents: Map<string, LimitsDocument> = new Map(),
  ) {}

  static load(dir = join(RESOLUTION_ROOT, 'limits')): AuthorityLimits {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    if (!files.includes('default.json')) {
      throw new LimitsFileError(join(dir, 'default.json'), '', 'the default limits file is missing');
    }
    const parsed = files.map((f) => [basename(f, '.json'), parseLimitsFile(join(dir, f))] as const);
    return new AuthorityLimits(
      new Map(parsed.map(([tenant, { source, limits }]) => [tenant, { source, limits }])),
      new Map(parsed.map(([tenant, { document }]) => [tenant, document])),
    );
  }

  /** The tenant's file (else default.json) as the seed document, named by its file. */
  seedOf(tenant: string): { document: LimitsDocument; source: string } {
    const name = this.documents.has(tenant) ? tenant : 'default';
    return { document: this.documents.get(name) ?? { limits: this.for(name).limits }, source: this.for(name).source };
  }

  for(tenant: string): AmountLimits {
    return this.tenants.get(tenant) ?? this.tenants.get('default')!;
  }
}
