#!/usr/bin/env node
/**
 * API keys for channel adapters, kept in intake's database (DATABASE_URL, INTAKE_DB_SCHEMA):
 *   npm run api-key -- issue --tenant <t> --name <adapter> --channels hotline,branch   (prints the key once)
 *   npm run api-key -- list
 *   npm run api-key -- revoke <id>
 */
import { parseArgs } from 'node:util';
import { CHANNELS } from '@complaints/contracts';
import { eventStoreMigrations, openDatabase } from '@complaints/eventstore';
import { ApiKeys, apiKeyMigrations, loadServiceConfig } from '@complaints/kit';
import { intakeMigrations } from './infrastructure/migrations';

const USAGE =
  'Usage: npm run api-key -- issue --tenant <tenant> --name <adapter> --channels <c1,c2> | list | revoke <id>';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { tenant: { type: 'string' }, name: { type: 'string' }, channels: { type: 'string' } },
  });
  const [verb, id] = positionals;
  const config = loadServiceConfig('intake');
  const db = await openDatabase({
    url: config.databaseUrl,
    schema: config.schema,
    migrations: [...eventStoreMigrations, ...apiKeyMigrations, ...intakeMigrations],
    applicationName: 'intake-api-keys',
  });
  try {
    const keys = new ApiKeys(db);
    if (verb === 'issue') {
      const channels = (values.channels ?? '').split(',').filter(Boolean);
      const unknown = channels.filter((c) => !(CHANNELS as readonly string[]).includes(c));
      if (!values.tenant || !values.name || channels.length === 0 || unknown.length > 0) {
        console.error(
          unknown.length ? `Unknown channels: ${unknown.join(', ')} (known: ${CHANNELS.join(', ')})` : USAGE,
        );
        return 2;
      }
      const issued = await keys.issue(values.tenant, values.name, channels);
      console.log(`id ${issued.id}\nkey ${issued.key}\n(shown once: only its digest is stored)`);
    } else if (verb === 'list') {
      console.table(await keys.list());
    } else if (verb === 'revoke' && id) {
      if (!(await keys.revoke(id))) {
        console.error(`No live key ${id}`);
        return 1;
      }
      console.log(`Revoked ${id}`);
    } else {
      console.error(USAGE);
      return 2;
    }
    return 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
