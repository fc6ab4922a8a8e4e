/**
 * `npm run keys [-- --force]`: the development key set of distributed mode, written to ENV_FILE
 * (default `.local/keys.env`, mode 0600), which the services and `npm run token` read: the token
 * signing key (`npm start`'s, in DATA_DIR/auth, made if missing) and the AUTH_PUBLIC_KEYS that
 * trust it, PII_KEY_DIR, the master-key ring of personal data (`npm start`'s DATA_DIR/keys, made
 * if missing: pii-keys.ts), and the audit checkpoints' signing key AUDIT_SIGNING_KEY (`npm start`'s
 * DATA_DIR/audit-signing-key.pem, made if missing: audit-keys.ts) with AUDIT_TRUSTED_KEYS, its public
 * half, for a verifier given no signing key (`npm run audit -- verify`). Run again, it writes the same file; it refuses to change one whose keys
 * differ unless `--force`, as another key ring makes every complainant unreadable.
 * Development only: production keys come from the identity provider and a secret store.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, parseEnv } from 'node:util';
import { DEFAULT_ENV_FILE, devKeyFile, devKeysAt, readEnvFile } from '@complaints/kit';
import { auditKeyEnv, auditKeyIdOf } from './audit-keys';
import { piiKeyEnv } from './pii-keys';

function main() {
  const { values } = parseArgs({ options: { force: { type: 'boolean', default: false } } });
  // Run again, it keeps what the file says unless the environment says otherwise.
  if (existsSync(resolve(process.env.ENV_FILE?.trim() || DEFAULT_ENV_FILE))) readEnvFile();
  const dataDir = resolve(process.env.DATA_DIR ?? 'data');
  const envFile = resolve(process.env.ENV_FILE?.trim() || DEFAULT_ENV_FILE);
  const keyFile = devKeyFile(join(dataDir, 'auth'));
  const keys = devKeysAt(keyFile);
  const variables = {
    DATA_DIR: dataDir,
    AUTH_PUBLIC_KEYS: JSON.stringify(keys.jwks),
    PII_KEY_DIR: piiKeyEnv(dataDir).PII_KEY_DIR,
    ...auditKeyEnv(dataDir),
  };
  const auditKeyId = auditKeyIdOf(variables.AUDIT_SIGNING_KEY);
  const text = [
    '# Development key set of distributed mode, written by `npm run keys`.',
    '# The services (`npm run start:<service>`) and `npm run token` read this file (ENV_FILE); a variable',
    '# set in the environment wins over it. Secret: keep it 0600 and out of version control.',
    '',
    "# Bearer tokens: `npm run token` signs with the key in DATA_DIR/auth (`npm start`'s); the services trust",
    '# its public half. A DATA_DIR set in the environment wins: `npm run token` then refuses a key not listed here.',
    `DATA_DIR=${variables.DATA_DIR}`,
    `AUTH_PUBLIC_KEYS='${variables.AUTH_PUBLIC_KEYS}'`,
    '',
    "# Personal data: the master-key ring that wraps every data subject's key (rotated by the services).",
    '# Another ring later makes every complainant unreadable; keep it out of every database backup.',
    `PII_KEY_DIR=${variables.PII_KEY_DIR}`,
    '',
    '# Audit checkpoints: every service signs them with AUDIT_SIGNING_KEY (Ed25519, base64 of its PKCS#8 DER;',
    "# `npm start`'s DATA_DIR/audit-signing-key.pem); AUDIT_TRUSTED_KEYS is its public half, for a verifier",
    `# without the signing key. Checkpoints name it by its fingerprint, ${auditKeyId}.`,
    `AUDIT_SIGNING_KEY=${variables.AUDIT_SIGNING_KEY}`,
    `AUDIT_TRUSTED_KEYS='${variables.AUDIT_TRUSTED_KEYS}'`,
    '',
  ].join('\n');
  if (existsSync(envFile)) {
    const before = parseEnv(readFileSync(envFile, 'utf8'));
    const changed = Object.entries(variables)
      .filter(([name, value]) => before[name] !== value)
      .map(([name]) => name);
    if (changed.length > 0 && !values.force) {
      throw new Error(
        `${envFile} holds other keys (${changed.join(', ')}) than DATA_DIR ${dataDir}: is DATA_DIR the one the services use? \`-- --force\` replaces them.`,
      );
    }
  }
  mkdirSync(dirname(envFile), { recursive: true });
  const partial = `${envFile}.${process.pid}`;
  writeFileSync(partial, text, { mode: 0o600 });
  renameSync(partial, envFile);
  process.stderr.write(
    `keys: ${envFile} (token signing key ${keys.privateJwk.kid} in ${keyFile}; PII key ring ${variables.PII_KEY_DIR}; audit signing key ${auditKeyId})\n`,
  );
}

try {
  main();
} catch (error: unknown) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
}
