/**
 * `npm start`'s audit configuration, like its token key: a checkpoint signing key generated on
 * first start and kept in DATA_DIR/audit-signing-key.pem (0600), and the checkpoints' witness file
 * in DATA_DIR/audit-witness/, beside the embedded database's directory rather than inside it, so
 * a writer to the database does not rewrite the witness with it. Given values win.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function embeddedAuditEnv(dataDir: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    AUDIT_SIGNING_KEY: env.AUDIT_SIGNING_KEY || signingKeyIn(dataDir),
    AUDIT_WITNESS_DIR: env.AUDIT_WITNESS_DIR || join(dataDir, 'audit-witness'),
  };
}

function signingKeyIn(dataDir: string): string {
  const file = join(dataDir, 'audit-signing-key.pem');
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8');
}
