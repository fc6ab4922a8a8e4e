/**
 * npm run audit -- verify --schema <service>     check every chain and checkpoint; exit 1 on any finding
 * npm run audit -- checkpoint --schema <service> sign the log as it stands (AUDIT_SIGNING_KEY, PKCS#8 PEM)
 * Connects with DATABASE_URL. Checkpoints verify against AUDIT_SIGNING_KEY's public half and
 * AUDIT_TRUSTED_KEYS only, and are compared with the witness file under AUDIT_WITNESS_DIR.
 */
import { parseArgs } from 'node:util';
import { loadAuditKeys, type TrustedKey } from './audit-keys';
import { openDatabase, type Database } from './database';
import { verifyLog, writeCheckpoint } from './hash-chain';
import { eventStoreMigrations } from './schema';
import { appendWitness, readWitnessFile, witnessFile, type WitnessCopy, type WitnessEntry } from './witness';

/** A copy of the checkpoints besides the file (the Kafka topic, in the kit's CLI). */
export interface ExtraWitness {
  read(schema: string): Promise<WitnessCopy>;
  record(entry: WitnessEntry): Promise<void>;
}

export async function auditCommand(
  args: string[],
  env: NodeJS.ProcessEnv,
  extra: ExtraWitness[] = [],
): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { schema: { type: 'string' } } });
  const [command] = positionals;
  const url = env.DATABASE_URL;
  const schema = values.schema;
  if (!url || !schema || (command !== 'verify' && command !== 'checkpoint')) {
    console.error(
      'Usage: DATABASE_URL=… npm run audit -- verify|checkpoint --schema <intake|routing|resolution|analytics>',
    );
    return 2;
  }
  const keys = loadAuditKeys(env);
  const witnessDir = env.AUDIT_WITNESS_DIR?.trim();
  const db = await openDatabase({ url, schema, migrations: eventStoreMigrations, poolSize: 2 });
  try {
    if (command === 'checkpoint') {
      if (!keys.signer) {
        console.error('AUDIT_SIGNING_KEY is required to sign a checkpoint');
        return 2;
      }
      const written = await writeCheckpoint(db, keys.signer);
      const entry = { schema, ...written.witness };
      if (witnessDir) await appendWitness(witnessFile(witnessDir, schema), entry);
      for (const witness of extra) await witness.record(entry);
      console.log(`checkpoint ${written.id} signed over ${written.events} events of ${schema}`);
      return 0;
    }
    if (keys.trusted.length === 0) console.log('WARNING: no trusted keys (AUDIT_SIGNING_KEY, AUDIT_TRUSTED_KEYS)');
    const witnesses = [
      ...(witnessDir ? [await readWitnessFile(witnessFile(witnessDir, schema), schema)] : []),
      ...(await Promise.all(extra.map((w) => w.read(schema)))),
    ];
    if (witnesses.length === 0) {
      console.log('WARNING: no witness (AUDIT_WITNESS_DIR, KAFKA_BROKERS): removed checkpoints go unnoticed');
    }
    const findings = await verifyLog(db, { trusted: keys.trusted, witnesses });
    for (const finding of findings) console.log(`${finding.kind.toUpperCase()}: ${finding.detail}`);
    for (const line of await signers(db, keys.trusted)) console.log(line);
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

/** Which key signed which checkpoints, e.g. "checkpoints 1-3 signed by key 6f1c… (trusted)". */
async function signers(db: Database, trusted: TrustedKey[]): Promise<string[]> {
  const { rows } = await db.query<{ key_id: string | null; first: number; last: number }>(
    'SELECT key_id, min(id)::int AS first, max(id)::int AS last FROM audit_checkpoints GROUP BY key_id ORDER BY 2',
  );
  return rows.map(({ key_id, first, last }) => {
    const key = key_id ?? 'named by its public key';
    const trust = trusted.some((k) => k.id === key_id) ? 'trusted' : 'not trusted';
    return `checkpoints ${first === last ? first : `${first}-${last}`} signed by key ${key} (${trust})`;
  });
}
