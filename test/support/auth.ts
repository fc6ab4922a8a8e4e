/**
 * Tokens for the tests: one development signing key per machine (under the temp directory), its
 * public half handed to every service the tests start, and tokens for any role, tenant and
 * department signed with it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devKeysIn, signDevToken, type Role } from '@complaints/kit';
import { testAuditEnv } from './audit';

/** The tests' signing key (an `npm start` data directory can be given it as its development key). */
export const testKeys = devKeysIn(process.env.TEST_AUTH_DIR ?? join(tmpdir(), 'complaints-test-auth'));

/**
 * What every service under test needs to verify the tests' tokens (and not throttle their load),
 * and to sign its audit checkpoints.
 */
export const testAuthEnv: Record<string, string> = {
  AUTH_PUBLIC_KEYS: JSON.stringify(testKeys.jwks),
  RATE_LIMIT_PER_MINUTE: '10000000',
  ...testAuditEnv,
};

export interface Who {
  role: Role;
  /** More roles besides `role`. */
  roles?: Role[];
  subject?: string;
  tenant?: string;
  departments?: string[];
}

export function tokenFor(who: Who): Promise<string> {
  return signDevToken(testKeys, {
    subject: who.subject ?? `${who.role}-1`,
    tenant: who.tenant ?? 'default',
    roles: [who.role, ...(who.roles ?? [])],
    departments: who.departments ?? [],
  });
}

/** The Authorization header of `who`. */
export async function as(who: Who | Role): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${await tokenFor(typeof who === 'string' ? { role: who } : who)}` };
}

/** Every department of the shipped directory: for agents in tests that must reach any case. */
export const ALL_DEPARTMENTS: string[] = readdirSync(join(__dirname, '../../services/routing/directory'))
  .filter((file) => file.endsWith('.json'))
  .flatMap((file) => {
    const directory = JSON.parse(readFileSync(join(__dirname, '../../services/routing/directory', file), 'utf8')) as {
      departments: { id: string }[];
    };
    return directory.departments.map((d) => d.id);
  });

/**
 * fetch, signed: the test plays the identity provider. Identity headers a test sets (x-actor-id,
 * x-actor-role, x-tenant-id) become the claims of a token and are not sent; without them a read is
 * made as an auditor and a write as a channel adapter. Agents get every department.
 */
export async function api(url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const claim = (name: string) => {
    const value = headers.get(name) ?? undefined;
    headers.delete(name);
    return value;
  };
  const subject = claim('x-actor-id');
  const role = (claim('x-actor-role') ?? ((init.method ?? 'GET') === 'GET' ? 'auditor' : 'channel')) as Role;
  const tenant = claim('x-tenant-id');
  if (!headers.has('authorization') && !headers.has('x-api-key')) {
    headers.set('authorization', `Bearer ${await tokenFor({ role, subject, tenant, departments: ALL_DEPARTMENTS })}`);
  }
  return fetch(url, { ...init, headers });
}
