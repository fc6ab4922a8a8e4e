/**
 * Development signing keys and tokens, for `npm start`, `npm run token` and the tests. Production
 * points AUTH_JWKS_URL (or AUTH_PUBLIC_KEYS) at the enterprise identity provider instead; nothing
 * here is used unless a development key directory is named.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK, type JSONWebKeySet } from 'jose';
import type { Role } from './roles';

export interface DevKeys {
  privateJwk: JWK;
  jwks: JSONWebKeySet;
}

export const DEV_ISSUER = 'complaints-dev';

export function generateDevKeys(): DevKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const kid = randomUUID();
  const privateJwk = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid, alg: 'EdDSA' };
  const publicJwk = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: 'EdDSA', use: 'sig' };
  return { privateJwk, jwks: { keys: [publicJwk] } };
}

/** The file of the development signing key kept under `dir` (`DATA_DIR/auth`). */
export const devKeyFile = (dir: string) => join(dir, 'dev-signing-key.json');

/** The development keys in `file`, or undefined when there is none. */
export function readDevKeys(file: string): DevKeys | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DevKeys) : undefined;
}

/** Keys kept under `dir` (created once, mode 0600), so tokens survive restarts of `npm start`. */
export function devKeysIn(dir: string): DevKeys {
  return devKeysAt(devKeyFile(dir));
}

/** Keys kept in `file`, created once (mode 0600). */
export function devKeysAt(file: string): DevKeys {
  const existing = readDevKeys(file);
  if (existing) return existing;
  const keys = generateDevKeys();
  mkdirSync(dirname(file), { recursive: true });
  // Written whole under a temporary name, then renamed: a concurrent reader never sees half a file.
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, JSON.stringify(keys), { mode: 0o600 });
  renameSync(partial, file);
  return JSON.parse(readFileSync(file, 'utf8')) as DevKeys;
}

export interface TokenClaims {
  subject: string;
  tenant: string;
  roles: Role[];
  departments?: string[];
  audience?: string;
  issuer?: string;
  /** jose time span, e.g. '8h'. */
  expiresIn?: string;
}

export async function signDevToken(keys: DevKeys, claims: TokenClaims): Promise<string> {
  const key = await importJWK(keys.privateJwk, 'EdDSA');
  return new SignJWT({ tenant: claims.tenant, roles: claims.roles, departments: claims.departments ?? [] })
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.privateJwk.kid })
    .setSubject(claims.subject)
    .setIssuer(claims.issuer ?? DEV_ISSUER)
    .setAudience(claims.audience ?? 'complaints-platform')
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '8h')
    .sign(key);
}
