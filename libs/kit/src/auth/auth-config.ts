/**
 * How tokens are checked, from the environment: the keys of the identity provider (a JWKS URL, or
 * static public keys as a JWKS document or a file holding one), the issuer and audience, and the
 * claims that carry tenant, roles and departments.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import { ConfigError } from '../config-error';

export interface AuthConfig {
  jwksUrl?: string;
  publicKeys?: JSONWebKeySet;
  issuer?: string;
  audience: string;
  claims: { tenant: string; roles: string; departments: string };
}

function parseKeys(raw: string): JSONWebKeySet {
  const text = raw.trim().startsWith('{') ? raw : existsSync(raw) ? readFileSync(raw, 'utf8') : undefined;
  if (text === undefined) throw new ConfigError(`AUTH_PUBLIC_KEYS is neither a JWKS document nor a file: "${raw}"`);
  try {
    const keys = JSON.parse(text) as JSONWebKeySet;
    if (!Array.isArray(keys.keys) || keys.keys.length === 0) throw new Error('no "keys" array');
    return keys;
  } catch (error) {
    throw new ConfigError(`AUTH_PUBLIC_KEYS must be a JWKS document ({"keys": [...]}): ${(error as Error).message}`);
  }
}

/** Undefined when no keys are configured: HTTP services then refuse to start, the CLIs don't care. */
export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig | undefined {
  const jwksUrl = env.AUTH_JWKS_URL?.trim() || undefined;
  const publicKeys = env.AUTH_PUBLIC_KEYS?.trim() ? parseKeys(env.AUTH_PUBLIC_KEYS.trim()) : undefined;
  if (!jwksUrl && !publicKeys) return undefined;
  if (jwksUrl && !/^https?:\/\//.test(jwksUrl))
    throw new ConfigError(`AUTH_JWKS_URL must be an http(s) URL, got "${jwksUrl}"`);
  return {
    jwksUrl,
    publicKeys,
    issuer: env.AUTH_ISSUER?.trim() || undefined,
    audience: env.AUTH_AUDIENCE?.trim() || 'complaints-platform',
    claims: {
      tenant: env.AUTH_TENANT_CLAIM?.trim() || 'tenant',
      roles: env.AUTH_ROLES_CLAIM?.trim() || 'roles',
      departments: env.AUTH_DEPARTMENTS_CLAIM?.trim() || 'departments',
    },
  };
}
