#!/usr/bin/env node
/**
 * npm run audit -- verify --schema <service>     check every chain and checkpoint; exit 1 on any finding
 * npm run audit -- checkpoint --schema <service> sign the log as it stands (AUDIT_SIGNING_KEY, PKCS#8 PEM)
 * Connects with DATABASE_URL. Checkpoints verify against AUDIT_SIGNING_KEY's public half and
 * AUDIT_TRUSTED_KEYS only, and are compared with the witness file under AUDIT_WITNESS_DIR.
 */
import { parseArgs } from 'node:util';
import { loadAuditKeys } from './audit-keys';
import { openDatabase } from './database';
import { verifyLog, writeCheckpoint } from './hash-chain';
import { eventStoreMigrations } from './schema';
import { appendWitness, readWitnessFile, witnessFile } from './witness';

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { schema: { type: 'string' } } });
  const [command] = positionals;
  const url = process.env.DATABASE_URL;
  const schema = values.schema;
  if (!url || !schema || (command !== 'verify' && command !== 'checkpoint')) {
    console.error(
      'Usage: DATABASE_URL=… npm run audit -- verify|checkpoint --schema <intake|routing|resolution|analytics>',
    );
    return 2;
  }
  const keys = loadAuditKeys(process.env);
  const witnessDir = process.env.AUDIT_WITNESS_DIR?.trim();
  const db = await openDatabase({ url, schema, migrations: eventStoreMigrations, poolSize: 2 });
  try {
    if (command === 'checkpoint') {
      if (!keys.signer) {
        console.error('AUDIT_SIGNING_KEY is required to sign a checkpoint');
        return 2;
      }
      const written = await writeCheckpoint(db, keys.signer);
      if (witnessDir) await appendWitness(witnessFile(witnessDir, schema), { schema, ...written.witness });
      console.log(`checkpoint ${written.id} signed over ${written.events} events of ${schema}`);
      return 0;
    }
    if (keys.trusted.length === 0) console.log('WARNING: no trusted keys (AUDIT_SIGNING_KEY, AUDIT_TRUSTED_KEYS)');
    if (!witnessDir) console.log('WARNING: no witness (AUDIT_WITNESS_DIR): removed checkpoints go unnoticed');
    const witnesses = witnessDir ? [await readWitnessFile(witnessFile(witnessDir, schema), schema)] : [];
    const findings = await verifyLog(db, { trusted: keys.trusted, witnesses });
    for (const finding of findings) console.log(`${finding.kind.toUpperCase()}: ${finding.detail}`);
    console.log(
      findings.length === 0
        ? `${schema}: every chain and checkpoint verifies`
        : `${schema}: ${findings.length} finding(s)`,
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
