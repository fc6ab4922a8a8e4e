#!/usr/bin/env node
/**
 * npm run policy -- export <dir>
 * npm run policy -- import <dir> --reason "…" [--effective-from <ISO 8601>] [--author <id>]
 * Resolution's policy kinds as files, `<dir>/<kind>/<tenant>.json` (docs/policy.md). Uses the
 * service's configuration (DATABASE_URL, RESOLUTION_DB_SCHEMA, RESOLUTION_LIMITS_DIR for the seeds).
 * Imported versions are events like those of the admin API: the running instances' relay
 * publishes them and every instance applies them without a restart.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { EventStore, eventStoreMigrations, openDatabase } from '@complaints/eventstore';
import { ConfigError, loadServiceConfig } from '@complaints/kit';
import { AuthorityLimits } from './infrastructure/authority-limits';
import { resolutionMigrations } from './infrastructure/migrations';
import { resolutionPolicyKinds } from './infrastructure/policies';
import { exportPolicies, importPolicies, PolicyFilesInvalid } from './infrastructure/policy-files';

const USAGE =
  'Usage: npm run policy -- export <dir> | import <dir> --reason "…" [--effective-from <ISO 8601>] [--author <id>]';

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
  if (!dir || positionals.length !== 2 || !['export', 'import'].includes(command!)) {
    console.error(USAGE);
    return 2;
  }
  if (command === 'import' && !values.reason?.trim()) {
    console.error(`import needs --reason: every version says why it changed\n${USAGE}`);
    return 2;
  }
  const config = loadServiceConfig('resolution');
  const db = await openDatabase({
    url: config.databaseUrl,
    schema: config.schema,
    migrations: [...eventStoreMigrations, ...resolutionMigrations],
    applicationName: 'resolution-policy-cli',
  });
  try {
    const kinds = resolutionPolicyKinds(AuthorityLimits.load(process.env.RESOLUTION_LIMITS_DIR));
    const events = new EventStore();
    if (command === 'export') {
      const written = await exportPolicies(db, events, kinds, dir, new Date());
      console.log(written.length ? `Wrote ${written.join(', ')} under ${dir}` : 'No tenant has published a policy yet');
      return 0;
    }
    const { published, unchanged } = await importPolicies(db, events, kinds, dir, {
      reason: values.reason!.trim(),
      author: { id: values.author, role: 'admin' },
      ...(values['effective-from'] ? { effectiveFrom: values['effective-from'] } : {}),
      now: new Date(),
    });
    for (const v of published)
      console.log(`Published ${v.kind} v${v.version} for ${v.tenant}, effective ${v.effectiveFrom}`);
    if (unchanged.length) console.log(`Unchanged (already the latest version): ${unchanged.join(', ')}`);
    return 0;
  } catch (error) {
    if (error instanceof PolicyFilesInvalid) {
      console.error(error.message);
      return 1;
    }
    throw error;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
