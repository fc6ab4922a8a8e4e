import { setTimeout as sleep } from 'node:timers/promises';
import { generateDevKeys, signDevToken, DEV_ISSUER } from './dev-keys';
import { loadAuthConfig } from './auth-config';
import { InvalidCredentials, NoPlatformRole, TokenVerifier } from './token-verifier';

const keys = generateDevKeys();
const verifier = () =>
  new TokenVerifier(loadAuthConfig({ AUTH_PUBLIC_KEYS: JSON.stringify(keys.jwks), AUTH_ISSUER: DEV_ISSUER })!);

describe('TokenVerifier', () => {
  it('trusts a token it verified: the same principal, which nobody can change', async () => {
    const tokens = verifier();
    const token = await signDevToken(keys, { subject: 'agent-7', tenant: 'bank-a', roles: ['agent'] });
    const first = await tokens.verify(token);
    expect(first).toEqual({ subject: 'agent-7', tenant: 'bank-a', roles: ['agent'], departments: [], via: 'token' });
    expect(await tokens.verify(token)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles) && Object.isFrozen(first.departments)).toBe(true);
  });

  it('stops trusting a token when it expires', async () => {
    const tokens = verifier();
    const token = await signDevToken(keys, { subject: 'a', tenant: 'bank-a', roles: ['agent'], expiresIn: '1s' });
    await tokens.verify(token);
    await sleep(2_100);
    await expect(tokens.verify(token)).rejects.toThrow(/"exp" claim timestamp check failed/);
  });

  it('never remembers a refused token', async () => {
    const tokens = verifier();
    const stranger = generateDevKeys();
    const forged = await signDevToken(stranger, { subject: 'x', tenant: 'bank-a', roles: ['supervisor'] });
    await expect(tokens.verify(forged)).rejects.toThrow(InvalidCredentials);
    await expect(tokens.verify(forged)).rejects.toThrow(InvalidCredentials);
    const noRoles = await signDevToken(keys, { subject: 'y', tenant: 'bank-a', roles: [] });
    await expect(tokens.verify(noRoles)).rejects.toThrow(NoPlatformRole);
    await expect(tokens.verify(noRoles)).rejects.toThrow(NoPlatformRole);
  });
});
