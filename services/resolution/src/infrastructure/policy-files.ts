/**
 * Policy as files, so a tenant's policy can live in git (`npm run policy -- export|import <dir>`):
 * `<dir>/<kind>/<tenant>.json`, each in its kind's file format (an approval-limits file is a
 * `limits/<tenant>.json`). Import checks every file first and publishes nothing when one is bad;
 * a file whose document is the tenant's latest version already publishes nothing (importing the
 * same tree twice adds no version). Export writes the version in force now of every tenant and kind.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Actor } from '@complaints/decider';
import { newId, type Database, type EventStore } from '@complaints/eventstore';
import {
  policyDigest,
  PolicyStore,
  versionAt,
  type PolicyKindName,
  type PolicyKinds,
  type PolicyVersion,
} from '@complaints/policy';

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

/** Every `<kind>/<tenant>.json` under `dir`, each checked by its kind's validator. */
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

export async function importPolicies(
  db: Database,
  events: EventStore,
  kinds: PolicyKinds,
  dir: string,
  options: ImportOptions,
): Promise<{ published: PolicyVersion[]; unchanged: string[] }> {
  const { files, problems } = readPolicyDir(dir, kinds);
  if (problems.length > 0) throw new PolicyFilesInvalid(problems);
  const store = new PolicyStore(db, events, kinds);
  const published: PolicyVersion[] = [];
  const unchanged: string[] = [];
  for (const { kind, tenant, file, document } of files) {
    const latest = (await store.versions(tenant, kind)).at(-1);
    if (latest?.digest === policyDigest(document)) {
      unchanged.push(file);
      continue;
    }
    const request = { document, reason: `${options.reason} (${file})`, effectiveFrom: options.effectiveFrom };
    published.push(
      await store.publish(kind, request, { tenant, actor: options.author, correlationId: newId(), now: options.now }),
    );
  }
  return { published, unchanged };
}

/** Writes the version in force at `now` of every tenant's published kinds; returns the files written. */
export async function exportPolicies(
  db: Database,
  events: EventStore,
  kinds: PolicyKinds,
  dir: string,
  now: Date,
): Promise<string[]> {
  const groups = new Map<string, PolicyVersion[]>();
  for (const v of await new PolicyStore(db, events, kinds).all()) {
    groups.set(`${v.kind}/${v.tenant}`, [...(groups.get(`${v.kind}/${v.tenant}`) ?? []), v]);
  }
  const written: string[] = [];
  for (const versions of groups.values()) {
    const inForce = versionAt(versions, now);
    if (!inForce) continue; // only future versions: the seed file is already where it ships
    mkdirSync(join(dir, inForce.kind), { recursive: true });
    const file = join(inForce.kind, `${inForce.tenant}.json`);
    writeFileSync(join(dir, file), `${JSON.stringify(inForce.document, null, 2)}\n`);
    written.push(file);
  }
  return written.sort();
}
