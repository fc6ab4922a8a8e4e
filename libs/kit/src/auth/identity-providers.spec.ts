/**
 * Tokens as real identity providers shape them (Keycloak, Entra ID, Okta), read through the
 * configuration an operator writes: claim paths, the role map, the client → tenant map.
 */
import { importJWK, SignJWT, type JWTPayload } from 'jose';
import { loadAuthConfig } from './auth-config';
import { generateDevKeys } from './dev-keys';
import { InvalidCredentials, TokenVerifier } from './token-verifier';

const keys = generateDevKeys();

async function sign(claims: JWTPayload, subject = 'user-1'): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: keys.privateJwk.kid })
    .setSubject(subject)
    .setAudience('complaints-platform')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(await importJWK(keys.privateJwk, 'EdDSA'));
}

const verifierFor = (env: Record<string, string>) =>
  new TokenVerifier(loadAuthConfig({ AUTH_PUBLIC_KEYS: JSON.stringify(keys.jwks), ...env })!);

describe('tokens of real identity providers', () => {
  it('ignores roles the platform does not know (Keycloak puts offline_access in every token)', async () => {
    const principal = await verifierFor({}).verify(
      await sign({ tenant: 'bank-a', roles: ['offline_access', 'uma_authorization', 'agent'] }),
    );
    expect(principal.roles).toEqual(['agent']);
  });

  it("reads Keycloak's realm_access.roles and resource_access.<client>.roles, united, through the role map", async () => {
    const verifier = verifierFor({
      AUTH_ROLES_CLAIM: 'realm_access.roles, resource_access.complaints-api.roles',
      AUTH_ROLE_MAP: JSON.stringify({ 'complaints-agent': 'agent', 'complaints-supervisor': ['supervisor'] }),
    });
    const principal = await verifier.verify(
      await sign({
        tenant: 'bank-a',
        realm_access: { roles: ['offline_access', 'uma_authorization', 'complaints-agent'] },
        resource_access: {
          'complaints-api': { roles: ['complaints-supervisor'] },
          account: { roles: ['view-profile'] },
        },
      }),
    );
    expect([...principal.roles].sort()).toEqual(['agent', 'supervisor']);
  });

  it('reads Entra ID roles and groups and Okta groups; the tenant from the client id when no claim names it', async () => {
    const verifier = verifierFor({
      AUTH_ROLES_CLAIM: 'roles,groups',
      AUTH_ROLE_MAP: JSON.stringify({
        'Complaints.Auditor': 'auditor',
        '5f2c1a9e-0b7d-4c3e-9a61-2d8f7e4b1c00': 'quality-inspector',
        'complaints-officers': 'complaints-officer',
      }),
      AUTH_CLIENT_TENANTS: JSON.stringify({ 'entra-app': 'insurer-x' }),
    });
    const entra = await verifier.verify(
      await sign({ azp: 'entra-app', roles: ['Complaints.Auditor'], groups: ['5f2c1a9e-0b7d-4c3e-9a61-2d8f7e4b1c00'] }),
    );
    expect(entra.tenant).toBe('insurer-x');
    expect([...entra.roles].sort()).toEqual(['auditor', 'quality-inspector']);
    const okta = await verifier.verify(await sign({ tenant: 'bank-b', groups: ['Everyone', 'complaints-officers'] }));
    expect(okta).toMatchObject({ tenant: 'bank-b', roles: ['complaints-officer'] });
  });

  it('refuses a token whose tenant claim and client disagree', async () => {
    const verifier = verifierFor({ AUTH_CLIENT_TENANTS: JSON.stringify({ 'entra-app': 'insurer-x' }) });
    await expect(
      verifier.verify(await sign({ azp: 'entra-app', tenant: 'bank-a', roles: ['auditor'] })),
    ).rejects.toThrow(InvalidCredentials);
  });

  it('a token with no mapped role is refused as forbidden (a 403 naming the claims), not as bad credentials', async () => {
    const verifier = verifierFor({ AUTH_ROLES_CLAIM: 'realm_access.roles' });
    const refusal = verifier.verify(await sign({ tenant: 'bank-a', realm_access: { roles: ['offline_access'] } }));
    await expect(refusal).rejects.toThrow(/no role this platform knows.*realm_access\.roles.*offline_access/);
    await expect(refusal).rejects.not.toBeInstanceOf(InvalidCredentials);
  });

  it('refuses a role map that names a role the platform does not have, at start-up', () => {
    expect(() =>
      loadAuthConfig({ AUTH_PUBLIC_KEYS: JSON.stringify(keys.jwks), AUTH_ROLE_MAP: '{"x":"root"}' }),
    ).toThrow(/AUTH_ROLE_MAP.*"root"/);
  });
});
