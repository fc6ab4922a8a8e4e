/** Bearer tokens: signature against the configured keys (jose), then issuer, audience, expiry, claims. */
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { AuthConfig } from './auth-config';
import type { Principal } from './principal';
import { isKnownRole } from './roles';

export class InvalidCredentials extends Error {}

const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];

export class TokenVerifier {
  private readonly keys: ReturnType<typeof createLocalJWKSet> | ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly config: AuthConfig) {
    this.keys = config.jwksUrl
      ? createRemoteJWKSet(new URL(config.jwksUrl))
      : createLocalJWKSet(config.publicKeys ?? { keys: [] });
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        algorithms: ALGORITHMS,
        audience: this.config.audience,
        issuer: this.config.issuer,
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (error) {
      const reason = error instanceof errors.JOSEError ? error.message : 'unreadable token';
      throw new InvalidCredentials(`The bearer token was refused: ${reason}`);
    }
    return this.principalOf(payload);
  }

  private principalOf(payload: JWTPayload): Principal {
    const { claims } = this.config;
    const tenant = payload[claims.tenant];
    const roles = payload[claims.roles];
    const departments = payload[claims.departments] ?? [];
    if (typeof tenant !== 'string' || tenant === '') {
      throw new InvalidCredentials(`The token names no tenant (claim "${claims.tenant}")`);
    }
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every(isKnownRole)) {
      throw new InvalidCredentials(`The token's "${claims.roles}" claim must list known roles`);
    }
    if (!Array.isArray(departments) || !departments.every((d) => typeof d === 'string')) {
      throw new InvalidCredentials(`The token's "${claims.departments}" claim must be a list of department ids`);
    }
    return { subject: payload.sub!, tenant, roles, departments: departments, via: 'token' };
  }
}
