/**
 * The platform behind real identity providers: a certified OpenID provider (oidc-provider, run by
 * test/support/oidc-provider.mjs) issues real access tokens by client credentials and by
 * authorization code, shaped as Keycloak, Entra ID and Okta shape theirs; intake, started in this
 * process, finds the provider's keys at AUTH_JWKS_URL (and, for a second verifier, through the
 * issuer's discovery document) and reads roles, tenant and departments through AUTH_ROLES_CLAIM,
 * AUTH_ROLE_MAP and AUTH_CLIENT_TENANTS, over real HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { generateDevKeys, loadAuthConfig, signDevToken, TokenVerifier } from '@complaints/kit';
import { intakeService } from '@complaints/intake';
import { startInProcess, type InProcessService } from '../support/in-process';
import { complaintBody } from '../support/journey';

jest.setTimeout(120_000);

interface Provider {
  issuer: string;
  redirect: string;
}

/** What an operator writes for these three providers (docs/configuration.md). */
const IDENTITY_ENV = {
  AUTH_ROLES_CLAIM: 'realm_access.roles,resource_access.complaints-api.roles,roles,groups',
  AUTH_ROLE_MAP: JSON.stringify({
    'complaints-agent': 'agent',
    'complaints-supervisor': 'supervisor',
    'Complaints.Auditor': 'auditor',
    '5f2c1a9e-0b7d-4c3e-9a61-2d8f7e4b1c00': 'quality-inspector',
    'complaints-officers': 'complaints-officer',
  }),
  AUTH_CLIENT_TENANTS: JSON.stringify({ 'keycloak-svc': 'bank-a', 'entra-app': 'insurer-x' }),
};

function startProvider(): Promise<{ child: ChildProcess; provider: Provider }> {
  const child = spawn(process.execPath, [join(__dirname, '../support/oidc-provider.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the OpenID provider exited (${code})`)));
    createInterface({ input: child.stdout }).once('line', (line) =>
      resolve({ child, provider: JSON.parse(line) as Provider }),
    );
  });
}

async function clientCredentials(op: Provider, client: string): Promise<string> {
  const response = await fetch(`${op.issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${client}:${client}-secret`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'complaints' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/**
 * The authorization code flow as a browser walks it: follow the redirects, sign in and consent on
 * the provider's (development) pages, carry its cookies, then trade the code (PKCE) for tokens.
 */
async function authorizationCode(op: Provider, login: string): Promise<string> {
  const cookies = new Map<string, string>();
  const go = async (url: string, body?: Record<string, string>): Promise<Response> => {
    const response = await fetch(url, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
      ...(body ? { body: new URLSearchParams(body) } : {}),
    });
    for (const set of response.headers.getSetCookie()) {
      const [pair] = set.split(';');
      const at = pair!.indexOf('=');
      cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return response;
  };
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${op.issuer}/auth`);
  authorize.search = new URLSearchParams({
    client_id: 'web-app',
    response_type: 'code',
    redirect_uri: op.redirect,
    scope: 'openid complaints',
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  let response = await go(authorize.href);
  for (let step = 0; step < 10; step++) {
    const location = response.headers.get('location');
    if (!location) throw new Error(`the provider stopped at ${response.status}: ${await response.text()}`);
    const next = new URL(location, op.issuer);
    if (next.href.startsWith(op.redirect)) {
      const code = next.searchParams.get('code');
      if (!code) throw new Error(`no code: ${next.href}`);
      const token = await fetch(`${op.issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from('web-app:web-app-secret').toString('base64')}` },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: op.redirect,
          code_verifier: verifier,
        }),
      });
      expect(token.status).toBe(200);
      return ((await token.json()) as { access_token: string }).access_token;
    }
    if (next.pathname.startsWith('/interaction/')) {
      const page = await (await go(next.href)).text();
      const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
      response = await go(next.href, prompt === 'login' ? { prompt, login, password: 'any' } : { prompt: prompt! });
    } else {
      response = await go(next.href);
    }
  }
  throw new Error('the authorization code flow did not end');
}

describe('identity providers as they are (a real OpenID provider, real tokens, real HTTP)', () => {
  let child: ChildProcess;
  let op: Provider;
  let intake: InProcessService;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  const submit = (token: string) =>
    fetch(`${intake.base}/complaints`, {
      method: 'POST',
      headers: bearer(token),
      body: JSON.stringify(complaintBody()),
    });
  const read = (token: string, id: string) => fetch(`${intake.base}/complaints/${id}`, { headers: bearer(token) });

  async function recorded(id: string): Promise<{ actor: { id: string; role: string }; tenant: string }> {
    const client = new Client({ connectionString: intake.testDb.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ metadata: { actor: { id: string; role: string }; tenant: string } }>(
        `SELECT metadata FROM ${intake.config.schema}.events WHERE stream_id LIKE '%' || $1 ORDER BY global_position LIMIT 1`,
        [id],
      );
      return rows[0]!.metadata;
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    ({ child, provider: op } = await startProvider());
    intake = await startInProcess(intakeService, undefined, {
      AUTH_PUBLIC_KEYS: '',
      AUTH_JWKS_URL: `${op.issuer}/jwks`,
      AUTH_ISSUER: op.issuer,
      ...IDENTITY_ENV,
    });
  });

  afterAll(async () => {
    await intake?.close();
    child?.stdin?.end();
    child?.kill();
  });

  it('Keycloak, client credentials: realm and client roles mapped, offline_access ignored, tenant from the client id', async () => {
    const token = await clientCredentials(op, 'keycloak-svc');
    const created = await submit(token);
    expect(created.status).toBe(201);
    const { complaintId: id } = (await created.json()) as { complaintId: string };
    // realm role complaints-supervisor → supervisor (the most senior the endpoint admits; agent came from the client role)
    expect(await recorded(id)).toMatchObject({ actor: { id: 'keycloak-svc', role: 'supervisor' }, tenant: 'bank-a' });
    expect((await read(token, id)).status).toBe(200);
    const entra = await clientCredentials(op, 'entra-app');
    expect((await read(entra, id)).status).toBe(404);
  });

  it('Keycloak, authorization code: a user signed in on the provider submits as agent of the tenant in the token', async () => {
    const token = await authorizationCode(op, 'kc-agent');
    const created = await submit(token);
    expect(created.status).toBe(201);
    const { complaintId: id } = (await created.json()) as { complaintId: string };
    expect(await recorded(id)).toMatchObject({ actor: { id: 'kc-agent', role: 'agent' }, tenant: 'bank-a' });
    // An agent does not read complaints by id (department-scoped work lists): the mapping granted agent only.
    expect((await read(token, id)).status).toBe(403);
  });

  it('Entra ID, client credentials: app role and group object id mapped; tenant from the client id', async () => {
    const token = await clientCredentials(op, 'entra-app');
    expect((await read(token, '018f0000-0000-7000-8000-000000000000')).status).toBe(404);
    const refused = await submit(token);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/quality-inspector, auditor/);
  });

  it('Okta, authorization code: groups mapped, tenant from a claim, other tenants out of sight', async () => {
    const token = await authorizationCode(op, 'okta-officer');
    const created = await submit(token);
    expect(created.status).toBe(201);
    const { complaintId: id } = (await created.json()) as { complaintId: string };
    expect(await recorded(id)).toMatchObject({
      actor: { id: 'okta-officer', role: 'complaints-officer' },
      tenant: 'bank-b',
    });
    expect((await read(token, id)).status).toBe(200);
    expect((await read(await clientCredentials(op, 'keycloak-svc'), id)).status).toBe(404);
  });

  it('a good token with no mapped role is a 403 that says why, not a 401', async () => {
    const response = await submit(await clientCredentials(op, 'bare-svc'));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(((await response.json()) as { detail: string }).detail).toMatch(
      /no role this platform knows.*found offline_access, uma_authorization/,
    );
  });

  it('a token signed by anyone but the provider is a 401', async () => {
    const forged = await signDevToken(generateDevKeys(), {
      subject: 'keycloak-svc',
      tenant: 'bank-a',
      roles: ['admin'],
      issuer: op.issuer,
    });
    expect((await submit(forged)).status).toBe(401);
  });

  it("finds the provider's keys through its discovery document when only AUTH_ISSUER is set", async () => {
    const verifier = new TokenVerifier(loadAuthConfig({ AUTH_ISSUER: op.issuer, ...IDENTITY_ENV })!);
    expect(await verifier.verify(await clientCredentials(op, 'entra-app'))).toMatchObject({
      subject: 'entra-app',
      tenant: 'insurer-x',
      roles: ['quality-inspector', 'auditor'],
    });
    const elsewhere = new TokenVerifier(loadAuthConfig({ AUTH_ISSUER: 'http://127.0.0.1:9', ...IDENTITY_ENV })!);
    await expect(elsewhere.verify(await clientCredentials(op, 'entra-app'))).rejects.toThrow(/unreachable/);
  });

  it('takes AUTH_ROLE_MAP and AUTH_CLIENT_TENANTS from files (a mounted ConfigMap or secret)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'identity-'));
    try {
      writeFileSync(join(dir, 'roles.json'), IDENTITY_ENV.AUTH_ROLE_MAP);
      writeFileSync(join(dir, 'tenants.json'), IDENTITY_ENV.AUTH_CLIENT_TENANTS);
      const verifier = new TokenVerifier(
        loadAuthConfig({
          AUTH_JWKS_URL: `${op.issuer}/jwks`,
          AUTH_ROLES_CLAIM: IDENTITY_ENV.AUTH_ROLES_CLAIM,
          AUTH_ROLE_MAP: join(dir, 'roles.json'),
          AUTH_CLIENT_TENANTS: join(dir, 'tenants.json'),
        })!,
      );
      expect(await verifier.verify(await clientCredentials(op, 'keycloak-svc'))).toMatchObject({
        tenant: 'bank-a',
        roles: ['agent', 'supervisor'],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a discovery document that names another issuer (it would hand over another provider's keys)", async () => {
    // A look-alike at another address that republishes the real provider's document.
    const mirror = createServer((_req, res) => {
      void fetch(`${op.issuer}/.well-known/openid-configuration`)
        .then((r) => r.text())
        .then((text) => res.writeHead(200, { 'content-type': 'application/json' }).end(text));
    });
    await new Promise<void>((done) => mirror.listen(0, '127.0.0.1', done));
    try {
      const issuer = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}`;
      const verifier = new TokenVerifier(loadAuthConfig({ AUTH_ISSUER: issuer, ...IDENTITY_ENV })!);
      await expect(verifier.verify(await clientCredentials(op, 'entra-app'))).rejects.toThrow(/names another issuer/);
    } finally {
      mirror.close();
    }
  });
});
