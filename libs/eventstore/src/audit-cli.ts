#!/usr/bin/env node
/**
 * npm run audit -- verify --schema <service>     check every chain and checkpoint; exit 1 on any finding
 * npm run audit -- checkpoint --schema <service> sign the log as it stands (AUDIT_SIGNING_KEY, PKCS#8 PEM)
 * Connects with DATABASE_URL.
 */
import { parseArgs } from 'node:util';
import { openDatabase } from './database';
import { auditSigner, verifyLog, writeCheckpoint } from './hash-chain';
import { eventStoreMigrations } from './schema';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { schema: { type: 'string' } } });
  const [command] = positionals;
  const url = process.env.DATABASE_URL;
  if (!url || !values.schema || (command !== 'verify' && command !== 'checkpoint')) {
    console.error(
      'Usage: DATABASE_URL=… npm run audit -- verify|checkpoint --schema <intake|routing|resolution|analytics>',
    );
    return 2;
  }
  const db = await openDatabase({ url, schema: values.schema, migrations: eventStoreMigrations, poolSize: 2 });
  try {
    if (command === 'checkpoint') {
      const written = await writeCheckpoint(db, auditSigner());
      console.log(`checkpoint ${written.id} signed over ${written.events} events of ${values.schema}`);
      return 0;
    }
    const findings = await verifyLog(db);
    for (const finding of findings) console.log(`${finding.kind.toUpperCase()}: ${finding.detail}`);
    console.log(
      findings.length === 0
        ? `${values.schema}: every chain and checkpoint verifies`
        : `${values.schema}: ${findings.length} finding(s)`,
    );
    return findings.length === 0 ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(3);
  },
);
