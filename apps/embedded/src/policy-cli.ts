#!/usr/bin/env node
/**
 * npm run policy -- export <dir>
 * npm run policy -- import <dir> --reason "…" [--effective-from <ISO 8601>] [--author <id>]
 * Every service's kept policy kinds as files, `<dir>/<kind>/<tenant>.json` (docs/policy.md). Each
 * kind is read from and published into the schema of the service that keeps it (POLICY_OWNERS),
 * opened with that service's configuration (DATABASE_URL, <SERVICE>_DB_SCHEMA, and the seed folders
 * ROUTING_DATA_DIR, RESOLUTION_LIMITS_DIR). Import checks every file of every service first
 * (each against the tenant's related policies as they will be) and publishes nothing when one is
 * bad. Imported versions are events like those of the admin API: the running instances' relay
 * publishes them and every instance applies them without a restart.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { EventStore, eventStoreMigrations, openDatabase, type Database } from '@complaints/eventstore';
import { DEFAULT_EMBEDDED_PG_PORT, embeddedDatabaseUrl } from './database';
import { ConfigError, loadServiceConfig } from '@complaints/kit';
import {
  exportPolicies,
  importPolicies,
  isPolicyKind,
  planImport,
  POLICY_OWNERS,
  PolicyFilesInvalid,
  type PolicyKinds,
  type ServicePolicyTool,
} from '@complaints/policy';
import { resolutionPolicyTool } from '@complaints/resolution';
import { routingPolicyTool } from '@complaints/routing';

/** Every service that keeps policy kinds. */
const TOOLS: ServicePolicyTool[] = [routingPolicyTool, resolutionPolicyTool];

const USAGE =
  'Usage: npm run policy -- export <dir> | import <dir> --reason "…" [--effective-from <ISO 8601>] [--author <id>]';

interface OpenService {
  service: string;
  db: Database;
  kinds: PolicyKinds;
}

/**
 * The services' configuration; without DATABASE_URL, the database of a running `npm start` (the
 * embedded PostgreSQL on EMBEDDED_PG_PORT), so the CLI works beside it as it does against a deployment.
 */
function cliEnv(): NodeJS.ProcessEnv {
  if (process.env.DATABASE_URL?.trim()) return process.env;
  const url = embeddedDatabaseUrl(Number(process.env.EMBEDDED_PG_PORT ?? DEFAULT_EMBEDDED_PG_PORT));
  console.error(`No DATABASE_URL: using the embedded database of \`npm start\` (${url.replace(/:[^:@]*@/, ':…@')})`);
  // The services' configuration wants the personal-data keys; the CLI reads none, it names where `npm start` keeps them.
  const keys = process.env.PII_KEY_DIR || join(resolve(process.env.DATA_DIR ?? 'data'), 'keys');
  return { ...process.env, DATABASE_URL: url, ...(process.env.PII_MASTER_KEY ? {} : { PII_KEY_DIR: keys }) };
}

async function open(tool: ServicePolicyTool, env: NodeJS.ProcessEnv): Promise<OpenService> {
  const config = loadServiceConfig(tool.service, env);
  const kinds = tool.kept(config);
  for (const kind of kinds.names) {
    if (POLICY_OWNERS[kind] !== tool.service) {
      throw new Error(`${tool.service} registers ${kind}, which POLICY_OWNERS gives to ${POLICY_OWNERS[kind]}`);
    }
  }
  const db = await openDatabase({
    url: config.databaseUrl,
    schema: config.schema,
    migrations: [...eventStoreMigrations, ...tool.migrations],
    applicationName: `${tool.service}-policy-cli`,
  });
  return { service: tool.service, db, kinds };
}

/** Folders of the tree no service keeps a kind for: a typo would otherwise import nothing, silently. */
function unknownFolders(dir: string): string[] {
  if (!existsSync(dir)) return [`${dir}: no such folder`];
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory() && !name.startsWith('.'))
    .filter((name) => !isPolicyKind(name) || !TOOLS.some((t) => t.service === POLICY_OWNERS[name]))
    .map((name) => `${name}/: no service keeps a policy kind ${name}`);
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      reason: { type: 'string' },
      'effective-from': { type: 'string' },
      author: { type: 'string', default: userInfo().username },
    },
  });
  const [command, dir] = positionals;
  if (!dir || positionals.length !== 2 || !['export', 'import'].includes(command ?? '')) {
    console.error(USAGE);
    return 2;
  }
  const reason = values.reason?.trim();
  if (command === 'import' && !reason) {
    console.error(`import needs --reason: every version says why it changed\n${USAGE}`);
    return 2;
  }
  const services: OpenService[] = [];
  try {
    const env = cliEnv();
    for (const tool of TOOLS) services.push(await open(tool, env));
    const events = new EventStore();
    const now = new Date();
    if (command === 'export') {
      const written: string[] = [];
      for (const s of services) written.push(...(await exportPolicies(s.db, events, s.kinds, dir, now)));
      console.log(written.length ? `Wrote ${written.join(', ')} under ${dir}` : 'No tenant has published a policy yet');
      return 0;
    }
    // Every service's files are checked before any is published.
    const problems = unknownFolders(dir);
    for (const s of services) problems.push(...(await planImport(s.db, events, s.kinds, dir, now)).problems);
    if (problems.length > 0) throw new PolicyFilesInvalid(problems);
    for (const s of services) {
      const { published, unchanged } = await importPolicies(s.db, events, s.kinds, dir, {
        reason: reason ?? '',
        author: { id: values.author, role: 'admin' },
        ...(values['effective-from'] ? { effectiveFrom: values['effective-from'] } : {}),
        now,
      });
      for (const v of published)
        console.log(`Published ${v.kind} v${v.version} for ${v.tenant} (${s.service}), effective ${v.effectiveFrom}`);
      if (unchanged.length) console.log(`Unchanged (already the latest version): ${unchanged.join(', ')}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof PolicyFilesInvalid) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    for (const s of services) await s.db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
