/**
 * `npm start`'s audit configuration, like its token key: a checkpoint signing key generated on
 * first start and kept in DATA_DIR/audit-signing-key.pem (0600), and the checkpoints' witness file
 * in DATA_DIR/audit-witness/, beside the embedded database's directory rather than inside it, so
 * a writer to the database does not rewrite the witness with it. Given values win.
 * `npm run keys` writes the same key into the distributed services' env file (auditKeyEnv).
 */
import { generateKeyPairSync } from 'node:crypto';
import { keyFingerprint, loadAuditKeys } from '@complaints/eventstore';
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

/**
 * The same signing key for an env file (`npm run keys`): AUDIT_SIGNING_KEY as one line (base64 of
 * the PKCS#8 DER, which every env-file reader keeps whole) and AUDIT_TRUSTED_KEYS, its public half,
 * which a verifier given no signing key trusts. A given AUDIT_SIGNING_KEY wins.
 */
export function auditKeyEnv(
  dataDir: string,
  env: NodeJS.ProcessEnv = process.env,
): { AUDIT_SIGNING_KEY: string; AUDIT_TRUSTED_KEYS: string } {
  const signer = loadAuditKeys({ AUDIT_SIGNING_KEY: embeddedAuditEnv(dataDir, env).AUDIT_SIGNING_KEY }).signer!;
  const der = (key: typeof signer.privateKey, type: 'pkcs8' | 'spki') =>
    key.export({ format: 'der', type }).toString('base64');
  return {
    AUDIT_SIGNING_KEY: der(signer.privateKey, 'pkcs8'),
    AUDIT_TRUSTED_KEYS: JSON.stringify([{ id: signer.keyId, publicKey: der(signer.publicKey, 'spki') }]),
  };
}

/** The id checkpoints signed with `signingKey` name (its fingerprint). */
export function auditKeyIdOf(signingKey: string): string {
  return keyFingerprint(loadAuditKeys({ AUDIT_SIGNING_KEY: signingKey }).signer!.publicKey);
}
