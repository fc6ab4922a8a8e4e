/**
 * Attacker: the administrator of bank-a's applications in an identity provider the tenants share
 * (a Keycloak realm, an Entra ID or Okta organisation). They register and configure bank-a's
 * clients, so they decide what the tokens of those clients say — a `tenant` claim included — but
 * the provider signs them, so the platform trusts every claim. AUTH_CLIENT_TENANTS binds a client
 * to its tenant: whatever a token of bank-a's client says, it speaks for bank-a only.
 */
import { importJWK, SignJWT, type JWTPayload } from 'jose';
import { intakeService } from '@complaints/intake';
import { testKeys } from '../support/auth';
import { startInProcess, type InProcessService } from '../support/in-process';
import { complaintBody } from '../support/journey';

async function signed(claims: JWTPayload, subject: string): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: testKeys.privateJwk.kid })
    .setSubject(subject)
    .setAudience('complaints-platform')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(await importJWK(testKeys.privateJwk, 'EdDSA'));
}

describe("bank-a's administrator in a shared identity provider", () => {
  let intake: InProcessService;
  let bankB: string;
  const read = (token: string) =>
    fetch(`${intake.base}/complaints/${bankB}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    intake = await startInProcess(intakeService, undefined, {
      AUTH_CLIENT_TENANTS: JSON.stringify({ 'bank-a-portal': 'bank-a', 'bank-b-portal': 'bank-b' }),
    });
    const created = await fetch(`${intake.base}/complaints`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await signed({ azp: 'bank-b-portal', tenant: 'bank-b', roles: ['agent'] }, 'clerk-b')}`,
      },
      body: JSON.stringify(complaintBody()),
    });
    expect(created.status).toBe(201);
    bankB = ((await created.json()) as { complaintId: string }).complaintId;
    // bank-b's own auditor reads it: the case is there to be stolen.
    expect(
      (await read(await signed({ azp: 'bank-b-portal', tenant: 'bank-b', roles: ['auditor'] }, 'auditor-b'))).status,
    ).toBe(200);
  });
  afterAll(() => intake?.close());

  it("cannot make bank-a's client speak for bank-b by putting bank-b in the tenant claim", async () => {
    const forged = await signed({ azp: 'bank-a-portal', tenant: 'bank-b', roles: ['auditor'] }, 'mallory');
    const response = await read(forged);
    expect(response.status).toBe(401);
    const body = await response.text();
    expect(body).not.toContain('王女士');
    expect((JSON.parse(body) as { detail: string }).detail).toMatch(
      /names tenant "bank-b" but its client "bank-a-portal" belongs to another/,
    );
  });

  it('nor by the client_id claim alone when azp names bank-a, nor by naming both tenants', async () => {
    const both = await signed({ azp: 'bank-a-portal', client_id: 'bank-b-portal', roles: ['auditor'] }, 'mallory');
    // azp is read first: the token is bank-a's, and bank-b's case is not there for it.
    expect((await read(both)).status).toBe(404);
    const twoTenants = await signed({ azp: 'bank-a-portal', tenant: ['bank-a', 'bank-b'], roles: ['auditor'] }, 'm');
    expect((await read(twoTenants)).status).toBe(401);
  });
});
