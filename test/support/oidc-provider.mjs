/**
 * A real OpenID provider for the identity tests (panva's certified oidc-provider), run as its own
 * process because the package is ES modules only. It issues JWT access tokens for the platform's
 * audience by client credentials and by authorization code (its development login and consent
 * pages: any login, any password), shaped as Keycloak, Entra ID and Okta shape theirs. Prints
 * `{"issuer": …}` on stdout once it listens (on OIDC_PORT, else any free port); stops when the
 * test that started it closes its stdin.
 */
import { generateKeyPairSync } from 'node:crypto';
import { fstatSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const RESOURCE = 'urn:complaints:api';
const ENTRA_GROUP = '5f2c1a9e-0b7d-4c3e-9a61-2d8f7e4b1c00';
const REDIRECT = 'http://127.0.0.1/callback';

/** Claims added to access tokens: by account (authorization code), else by client (client credentials). */
const SHAPES = {
  // Keycloak: realm roles (with offline_access and uma_authorization, as in every token) and client roles.
  'keycloak-svc': {
    realm_access: { roles: ['offline_access', 'uma_authorization', 'complaints-supervisor'] },
    resource_access: { 'complaints-api': { roles: ['complaints-agent'] }, account: { roles: ['manage-account'] } },
    azp: 'keycloak-svc',
  },
  'kc-agent': {
    realm_access: { roles: ['offline_access', 'uma_authorization', 'complaints-agent'] },
    resource_access: { account: { roles: ['view-profile'] } },
    tenant: 'bank-a',
    departments: ['billing'],
  },
  // Entra ID: app roles in `roles`, group object ids in `groups`, its own tenant id in `tid`.
  'entra-app': {
    roles: ['Complaints.Auditor'],
    groups: [ENTRA_GROUP],
    tid: '72f988bf-86f1-41af-91ab-2d7cd011db47',
    azp: 'entra-app',
  },
  // Okta: groups by name, a custom claim for the tenant.
  'okta-officer': { groups: ['Everyone', 'complaints-officers'], tenant: 'bank-b' },
  // A token that is good but grants nothing the platform knows.
  'bare-svc': { realm_access: { roles: ['offline_access', 'uma_authorization'] }, tenant: 'bank-a' },
};

const secretClient = (id) => ({
  client_id: id,
  client_secret: `${id}-secret`,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
});

const server = createServer();
await new Promise((resolve) => server.listen(Number(process.env.OIDC_PORT ?? 0), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const provider = new Provider(issuer, {
  clients: [
    secretClient('keycloak-svc'),
    secretClient('entra-app'),
    secretClient('bare-svc'),
    {
      client_id: 'web-app',
      client_secret: 'web-app-secret',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: [REDIRECT],
    },
  ],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'op-rsa-1', alg: 'RS256', use: 'sig' }] },
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  extraTokenClaims: (_ctx, token) => SHAPES[token.accountId ?? token.clientId] ?? {},
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'complaints',
        audience: 'complaints-platform',
        accessTokenFormat: 'jwt',
        accessTokenTTL: 300,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});
server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer, resource: RESOURCE, redirect: REDIRECT })}\n`);
// Started by a test (stdin a pipe): gone with it. Started by hand (`&`, stdin /dev/null): runs on.
if (fstatSync(0).isFIFO() || fstatSync(0).isSocket()) {
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}
