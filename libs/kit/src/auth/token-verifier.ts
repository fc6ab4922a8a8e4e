/**
 * Bearer tokens: signature against the configured keys (jose), then issuer, audience, expiry, claims.
 * A client sends the same token with every request, and checking its signature costs 0.1–0.3 ms of
 * CPU (Ed25519, RSA): a token that passed is taken on trust for a short while (TRUSTED_FOR_MS, and
 * never past its own expiry), so a key withdrawn from a remote key set stops working within that time.
 */
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AuthConfig } from './auth-config';
import { mapRoles, stringsAt } from './claims';
import type { Principal } from './principal';

/** The token is not one this service accepts (401). */
export class InvalidCredentials extends Error {}

/** A good token that grants no platform role (403): the caller is known, just not allowed in. */
export class NoPlatformRole extends Error {}

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

/** How long a verified token is trusted before its signature is checked again. */
export const TRUSTED_FOR_MS = 60_000;
/** Verified tokens remembered at most (a token is ~0.5 KB). */
const TRUSTED_TOKENS = 10_000;

export class TokenVerifier {
  private readonly keys: JWTVerifyGetKey;
  private readonly trusted = new LRUCache<string, Principal>({ max: TRUSTED_TOKENS });

  constructor(private readonly config: AuthConfig) {
    this.keys = config.jwksUrl
      ? createRemoteJWKSet(new URL(config.jwksUrl))
      : config.discover
        ? discoveredKeys(config.issuer!)
        : createLocalJWKSet(config.publicKeys ?? { keys: [] });
  }

  async verify(token: string): Promise<Principal> {
    const known = this.trusted.get(token);
    if (known) return known;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: ALGORITHMS,
        audience: this.config.audience,
        issuer: this.config.issuer,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      const reason =
        error instanceof errors.JOSEError || error instanceof InvalidCredentials ? error.message : 'unreadable token';
      throw new InvalidCredentials(`The bearer token was refused: ${reason}`);
    }
    const principal = this.principalOf(payload);
    const ttl = Math.min(TRUSTED_FOR_MS, payload.exp! * 1000 - Date.now());
    if (ttl >= 1) this.trusted.set(token, principal, { ttl: Math.floor(ttl) });
    return principal;
  }

  private principalOf(payload: JWTPayload): Principal {
    const { claims, clientTenants, roleMap } = this.config;
    const named = stringsAt(payload, claims.tenant);
    const client = stringsAt(payload, claims.clientId)[0];
    const ofClient = client !== undefined && Object.hasOwn(clientTenants, client) ? clientTenants[client] : undefined;
    if (named.length > 1) throw new InvalidCredentials(`The token names several tenants (${claims.tenant.join(', ')})`);
    // A client bound to a tenant never speaks for another, whatever else the token says.
    if (named[0] !== undefined && ofClient !== undefined && named[0] !== ofClient) {
      throw new InvalidCredentials(
        `The token names tenant "${named[0]}" but its client "${client}" belongs to another`,
      );
    }
    const tenant = named[0] ?? ofClient;
    if (tenant === undefined || tenant === '') {
      throw new InvalidCredentials(
        `The token names no tenant (claim ${claims.tenant.join(', ')}; nor is its client ${client === undefined ? '(none)' : `"${client}"`} in AUTH_CLIENT_TENANTS)`,
      );
    }
    const found = stringsAt(payload, claims.roles);
    const roles = mapRoles(found, roleMap);
    if (roles.length === 0) {
      const shown = found.length === 0 ? 'none' : found.slice(0, 10).join(', ') + (found.length > 10 ? ', …' : '');
      throw new NoPlatformRole(
        `The token carries no role this platform knows: read from ${claims.roles.join(', ')}, found ${shown} (AUTH_ROLE_MAP maps them)`,
      );
    }
    // Shared by every request that sends this token: nobody may change it.
    return Object.freeze({
      subject: payload.sub!,
      tenant,
      roles: Object.freeze(roles) as Principal['roles'],
      departments: Object.freeze(stringsAt(payload, claims.departments)) as string[],
      via: 'token' as const,
    });
  }
}

/** A provider that does not answer its discovery document within this is taken as unreachable. */
const DISCOVERY_TIMEOUT_MS = 5_000;

/**
 * The issuer's keys, found through its OpenID discovery document on first use (and looked up again
 * after a failure, so a provider that was down at start-up is found once it is up).
 */
function discoveredKeys(issuer: string): JWTVerifyGetKey {
  let keys: Promise<JWTVerifyGetKey> | undefined;
  const discover = async (): Promise<JWTVerifyGetKey> => {
    const response = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
    });
    if (!response.ok) throw new InvalidCredentials(`the issuer's discovery document answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    // OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was fetched for.
    if (document.issuer !== issuer || typeof document.jwks_uri !== 'string' || !/^https?:\/\//.test(document.jwks_uri))
      throw new InvalidCredentials(`the discovery document of ${issuer} names another issuer or no jwks_uri`);
    return createRemoteJWKSet(new URL(document.jwks_uri));
  };
  return async (header, token) => {
    keys ??= discover().catch((error: unknown) => {
      keys = undefined;
      throw error instanceof InvalidCredentials ? error : new InvalidCredentials(`the issuer is unreachable`);
    });
    return (await keys)(header, token);
  };
}
