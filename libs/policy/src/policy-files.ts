/**
 * Policy as files, so a tenant's policy can live in git (`npm run policy -- export|import <dir>`):
 * `<dir>/<kind>/<tenant>.json`, each in its kind's document format (an approval-limits file is a
 * `limits/<tenant>.json`, a routing-rules file a whole flattened table). Every service that keeps
 * kinds exports a `ServicePolicyTool` (its schema's migrations and its kept kinds); the CLI
 * (apps/embedded/src/policy-cli.ts) opens each service's schema and imports the kinds it keeps.
 * Import checks every file first, with the tenant's related policies as they will be after the
 * import (a file in the tree, else the version in force, else the seed), and publishes nothing when
 * one is bad; a file whose document is the tenant's latest version already publishes nothing
 * (importing the same tree twice adds no version). Export writes the version in force now.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Actor } from '@complaints/decider';
import { newId, type Database, type EventStore, type Migration } from '@complaints/eventstore';
import type { ServiceConfig, ServiceName } from '@complaints/kit';
import { versionAt, type PolicyKindName, type PolicyKinds, type PolicyVersion, type RelatedPolicies } from './policy';
import { policyDigest, PolicyStore } from './policy-store';

/** What a service gives the policy CLI: how to open its schema and the kinds it keeps there. */
export interface ServicePolicyTool {
  service: ServiceName;
  migrations: Migration[];
  /** The kinds the service keeps, with their seeds as its configuration names them. */
  kept(config: ServiceConfig): PolicyKinds;
}

export class PolicyFilesInvalid extends Error {
  constructor(readonly problems: string[]) {
    super(`No policy was imported; ${problems.length} file problem(s):\n${problems.join('\n')}`);
    this.name = 'PolicyFilesInvalid';
  }
}

interface PolicyFile {
  kind: PolicyKindName;
  tenant: string;
  file: string;
  document: unknown;
}

/** Every `<kind>/<tenant>.json` under `dir` of the given kinds, each checked by its kind's own validator. */
export function readPolicyDir(dir: string, kinds: PolicyKinds): { files: PolicyFile[]; problems: string[] } {
  const files: PolicyFile[] = [];
  const problems: string[] = [];
  for (const kind of kinds.names) {
    const folder = join(dir, kind);
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder).filter((f) => f.endsWith('.json'))) {
      const file = join(kind, name);
      let document: unknown;
      try {
        document = JSON.parse(readFileSync(join(folder, name), 'utf8'));
      } catch (error) {
        problems.push(`${file}: not readable JSON (${(error as Error).message})`);
        continue;
      }
      const found = kinds.get(kind).validate(document);
      for (const p of found) problems.push(`${file} is invalid at ${p.path || '(root)'}: ${p.reason}`);
      if (found.length === 0) files.push({ kind, tenant: basename(name, '.json'), file, document });
    }
  }
  return { files, problems };
}

export interface ImportOptions {
  reason: string;
  author: Actor;
  effectiveFrom?: string;
  now: Date;
}

export interface ImportPlan {
  files: PolicyFile[];
  problems: string[];
  /** The tenant's policies as they will be after the import: a file of the tree, else `current`. */
  related(tenant: string): RelatedPolicies;
  /** The document of a kind in force for the tenant now (the seed when none is published). */
  current(tenant: string, kind: PolicyKindName): unknown;
}

/**
 * Reads and checks the files of a service's kinds, each also against the tenant's related policies
 * as they will be once the tree is imported (a rule table against the directory beside it): what
 * `importPolicies` would publish, and every problem that stops it. Publishes nothing.
 */
export async function planImport(
  db: Database,
  events: EventStore,
  kinds: PolicyKinds,
  dir: string,
  now: Date,
): Promise<ImportPlan> {
  const { files, problems } = readPolicyDir(dir, kinds);
  const inForce = new Map<string, unknown>();
  for (const versions of (await publishedByTenantAndKind(db, events, kinds)).values()) {
    const held = versionAt(versions, now);
    if (held) inForce.set(`${held.tenant}/${held.kind}`, held.document);
  }
  const current = (tenant: string, kind: PolicyKindName) =>
    inForce.get(`${tenant}/${kind}`) ?? kinds.get(kind).seed(tenant).document;
  const related = (tenant: string): RelatedPolicies => ({
    tenant,
    documentOf: <D>(kind: PolicyKindName) =>
      (files.find((f) => f.tenant === tenant && f.kind === kind)?.document ?? current(tenant, kind)) as D,
  });
  for (const f of files) {
    for (const p of kinds.get(f.kind).validate(f.document, related(f.tenant))) {
      problems.push(`${f.file} is invalid at ${p.path || '(root)'}: ${p.reason}`);
    }
  }
  return { files, problems, related, current };
}

export async function importPolicies(
  db: Database,
  events: EventStore,
  kinds: PolicyKinds,
  dir: string,
  options: ImportOptions,
): Promise<{ published: PolicyVersion[]; unchanged: string[] }> {
  const plan = await planImport(db, events, kinds, dir, options.now);
  if (plan.problems.length > 0) throw new PolicyFilesInvalid(plan.problems);
  const store = new PolicyStore(db, events, kinds);
  const published: PolicyVersion[] = [];
  const unchanged: string[] = [];
  const pending: PolicyFile[] = [];
  for (const f of plan.files) {
    const latest = (await store.versions(f.tenant, f.kind)).at(-1);
    if (latest?.digest === policyDigest(f.document)) unchanged.push(f.file);
    else pending.push(f);
  }
  // Versions land one by one: each in an order that agrees with what is in force when it lands (a
  // new department before the rules naming it, rules leaving one before the directory without it),
  // so no instance decides in between with policies that disagree. When no order does (both must
  // change at once), the rest land checked against the tree, as planned.
  const landed = new Map<string, unknown>();
  const actual = (tenant: string): RelatedPolicies => ({
    tenant,
    documentOf: <D>(kind: PolicyKindName) => (landed.get(`${tenant}/${kind}`) ?? plan.current(tenant, kind)) as D,
  });
  while (pending.length > 0) {
    const agreeing = pending.findIndex((f) => kinds.get(f.kind).validate(f.document, actual(f.tenant)).length === 0);
    const [next] = pending.splice(Math.max(agreeing, 0), 1);
    if (!next) break;
    const { kind, tenant, file, document } = next;
    const request = { document, reason: `${options.reason} (${file})`, effectiveFrom: options.effectiveFrom };
    published.push(
      await store.publish(kind, request, {
        tenant,
        actor: options.author,
        correlationId: newId(),
        now: options.now,
        related: agreeing >= 0 ? actual(tenant) : plan.related(tenant),
      }),
    );
    landed.set(`${tenant}/${kind}`, document);
  }
  return { published, unchanged };
}

/** Every published version in the service's schema, by tenant and kind. */
async function publishedByTenantAndKind(db: Database, events: EventStore, kinds: PolicyKinds) {
  const groups = new Map<string, PolicyVersion[]>();
  for (const v of await new PolicyStore(db, events, kinds).all()) {
    groups.set(`${v.tenant}/${v.kind}`, [...(groups.get(`${v.tenant}/${v.kind}`) ?? []), v]);
  }
  return groups;
}

/** Writes the version in force at `now` of every tenant's published kinds; returns the files written. */
export async function exportPolicies(
  db: Database,
  events: EventStore,
  kinds: PolicyKinds,
  dir: string,
  now: Date,
): Promise<string[]> {
  const written: string[] = [];
  for (const versions of (await publishedByTenantAndKind(db, events, kinds)).values()) {
    const inForce = versionAt(versions, now);
    if (!inForce) continue; // only future versions: the seed file is already where it ships
    mkdirSync(join(dir, inForce.kind), { recursive: true });
    const file = join(inForce.kind, `${inForce.tenant}.json`);
    writeFileSync(join(dir, file), `${JSON.stringify(inForce.document, null, 2)}\n`);
    written.push(file);
  }
  return written.sort();
}
