/**
 * How tokens are checked, from the environment: the keys of the identity provider (a JWKS URL, static
 * public keys as a JWKS document or a file holding one, or the issuer's OpenID discovery document),
 * the issuer and audience, where the claims carry tenant, roles and departments, and how the
 * provider's role and group names map to the platform's roles.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import { ConfigError } from '../config-error';
import { IDENTITY_ROLE_MAP, type RoleMap } from './claims';
import { isKnownRole, ROLES, type Role } from './roles';

export interface AuthConfig {
  jwksUrl?: string;
  publicKeys?: JSONWebKeySet;
  /** Keys found through `<issuer>/.well-known/openid-configuration` when neither of the above is set. */
  discover?: boolean;
  issuer?: string;
  audience: string;
  /** Claim paths (dotted; several are united): see claims.ts. */
  claims: { tenant: string[]; roles: string[]; departments: string[]; clientId: string[] };
  /** IdP role or group → platform roles; names it does not hold are ignored. */
  roleMap: RoleMap;
  /** Client id (`azp`, `client_id`) → tenant, for providers that put no tenant in the token. */
  clientTenants: Readonly<Record<string, string>>;
}

/** A JSON value given inline or as the path of a file holding it. */
function jsonOrFile(name: string, raw: string, expected: string): unknown {
  const inline = /^\s*[[{]/.test(raw);
  const text = inline ? raw : existsSync(raw) ? readFileSync(raw, 'utf8') : undefined;
  if (text === undefined) throw new ConfigError(`${name} is neither ${expected} nor a file: "${raw}"`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${name} must be ${expected}: ${(error as Error).message}`);
  }
}

function parseKeys(raw: string): JSONWebKeySet {
  const keys = jsonOrFile('AUTH_PUBLIC_KEYS', raw, 'a JWKS document') as JSONWebKeySet;
  if (!Array.isArray(keys?.keys) || keys.keys.length === 0)
    throw new ConfigError('AUTH_PUBLIC_KEYS must be a JWKS document ({"keys": [...]}): no "keys" array');
  return keys;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** AUTH_ROLE_MAP: `{"<IdP role or group>": "<platform role>" | ["<platform role>", …]}`. */
function parseRoleMap(raw: string): RoleMap {
  const map = jsonOrFile('AUTH_ROLE_MAP', raw, 'a JSON object of IdP role or group → platform role(s)');
  if (!isObject(map))
    throw new ConfigError('AUTH_ROLE_MAP must be a JSON object of IdP role or group → platform role(s)');
  return Object.fromEntries(
    Object.entries(map).map(([name, target]) => {
      const roles = Array.isArray(target) ? (target as unknown[]) : [target];
      const unknown = roles.find((role) => !isKnownRole(role));
      if (unknown !== undefined || roles.length === 0)
        throw new ConfigError(
          `AUTH_ROLE_MAP maps "${name}" to ${JSON.stringify(unknown ?? target)}, not a platform role (${ROLES.join(', ')})`,
        );
      return [name, roles as Role[]];
    }),
  );
}

/** AUTH_CLIENT_TENANTS: `{"<client id>": "<tenant>"}`. */
function parseClientTenants(raw: string): Record<string, string> {
  const map = jsonOrFile('AUTH_CLIENT_TENANTS', raw, 'a JSON object of client id → tenant');
  if (!isObject(map) || !Object.values(map).every((t) => typeof t === 'string' && t !== ''))
    throw new ConfigError('AUTH_CLIENT_TENANTS must be a JSON object of client id → tenant (a non-empty string)');
  return map as Record<string, string>;
}

/** A comma-separated list of claim paths. */
function paths(env: NodeJS.ProcessEnv, name: string, fallback: string): string[] {
  const list = (env[name]?.trim() || fallback)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (list.some((p) => p.split('.').some((segment) => segment === '')))
    throw new ConfigError(`${name} holds an empty path segment: "${env[name]}"`);
  return list;
}

/** Undefined when no keys are configured: HTTP services then refuse to start, the CLIs don't care. */
export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig | undefined {
  const jwksUrl = env.AUTH_JWKS_URL?.trim() || undefined;
  const publicKeys = env.AUTH_PUBLIC_KEYS?.trim() ? parseKeys(env.AUTH_PUBLIC_KEYS.trim()) : undefined;
  const issuer = env.AUTH_ISSUER?.trim() || undefined;
  const discover = !jwksUrl && !publicKeys && issuer !== undefined && /^https?:\/\//.test(issuer);
  if (!jwksUrl && !publicKeys && !discover) return undefined;
  if (jwksUrl && !/^https?:\/\//.test(jwksUrl))
    throw new ConfigError(`AUTH_JWKS_URL must be an http(s) URL, got "${jwksUrl}"`);
  return {
    jwksUrl,
    publicKeys,
    discover,
    issuer,
    audience: env.AUTH_AUDIENCE?.trim() || 'complaints-platform',
    claims: {
      tenant: paths(env, 'AUTH_TENANT_CLAIM', 'tenant'),
      roles: paths(env, 'AUTH_ROLES_CLAIM', 'roles'),
      departments: paths(env, 'AUTH_DEPARTMENTS_CLAIM', 'departments'),
      clientId: paths(env, 'AUTH_CLIENT_ID_CLAIM', 'azp,client_id'),
    },
    roleMap: env.AUTH_ROLE_MAP?.trim() ? parseRoleMap(env.AUTH_ROLE_MAP.trim()) : IDENTITY_ROLE_MAP,
    clientTenants: env.AUTH_CLIENT_TENANTS?.trim() ? parseClientTenants(env.AUTH_CLIENT_TENANTS.trim()) : {},
  };
}
