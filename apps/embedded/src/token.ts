/**
 * `npm run token -- --role agent [--sub alice] [--tenant default] [--departments billing,metering] [--ttl 8h] [--new]`:
 * prints a bearer token signed with the development key in DATA_DIR/auth (`npm start`'s; DATA_DIR
 * from the environment, else from the env file `npm run keys` wrote). It says on stderr which key
 * and data directory it used; it refuses a key that AUTH_PUBLIC_KEYS does not hold or that the service
 * at INTAKE_URL does not accept, and makes a new key only when told (`--new`): a new key is one no
 * running service trusts. For local use and tests only; in production the identity provider issues tokens.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  devKeyFile,
  devKeysAt,
  isKnownRole,
  loadAuthConfig,
  readDevKeys,
  readEnvFile,
  ROLES,
  signDevToken,
  type DevKeys,
} from '@complaints/kit';

/** Any authenticated endpoint: authentication comes before roles, so only a refused key gives 401. */
const PROBE_PATH = '/complaints/00000000-0000-7000-8000-000000000000';

/** What the service at `base` makes of `token`: accepted, refused (with its reason), or not asked. */
async function probe(base: string, token: string): Promise<{ refused?: string; note: string }> {
  let response: Response;
  try {
    response = await fetch(new URL(PROBE_PATH, base), {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
    });
  } catch {
    return { note: `not checked: no service answers at ${base} (INTAKE_URL)` };
  }
  if (response.status !== 401) return { note: `accepted by ${base}` };
  const body = (await response.json().catch(() => ({}))) as { message?: unknown };
  return { refused: typeof body.message === 'string' ? body.message : 'HTTP 401', note: '' };
}

function trustedBy(keys: DevKeys, env: NodeJS.ProcessEnv): boolean | undefined {
  const trusted = env.AUTH_PUBLIC_KEYS?.trim() ? loadAuthConfig(env)?.publicKeys : undefined;
  if (!trusted) return undefined;
  return trusted.keys.some((key) => key.kid === keys.privateJwk.kid && key.x === keys.privateJwk.x);
}

async function main() {
  const envFile = readEnvFile();
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true },
      sub: { type: 'string' },
      tenant: { type: 'string', default: 'default' },
      departments: { type: 'string', default: '' },
      ttl: { type: 'string', default: '8h' },
      new: { type: 'boolean', default: false },
    },
  });
  const roles = values.role ?? [];
  if (roles.length === 0 || !roles.every(isKnownRole)) {
    throw new Error(`--role is required, one or more of: ${ROLES.join(', ')}`);
  }
  const dataDir = resolve(process.env.DATA_DIR ?? 'data');
  const file = devKeyFile(join(dataDir, 'auth'));
  const where = `${file} (DATA_DIR ${dataDir}${envFile ? `, env file ${envFile}` : ''})`;
  const existing = readDevKeys(file);
  if (!existing && !values.new) {
    throw new Error(
      `There is no development signing key at ${where}. \`npm start\` or \`npm run keys\` makes one; ` +
        'is DATA_DIR (or ENV_FILE) the one the services use? `--new` makes a new key here, which no running service trusts until given its public key.',
    );
  }
  const keys = existing ?? devKeysAt(file);
  const kid = keys.privateJwk.kid;
  if (trustedBy(keys, process.env) === false) {
    throw new Error(
      `AUTH_PUBLIC_KEYS${envFile ? ` (from the environment or ${envFile})` : ''} does not hold key ${kid} of ${where}: services given those keys would refuse the token. Run \`npm run keys\` or point DATA_DIR at the services' data directory.`,
    );
  }
  const token = await signDevToken(keys, {
    subject: values.sub ?? `${roles[0]}-dev`,
    tenant: values.tenant,
    roles,
    departments: values.departments.split(',').filter(Boolean),
    expiresIn: values.ttl,
  });
  const service = process.env.INTAKE_URL?.trim() || 'http://127.0.0.1:3001';
  const verdict = await probe(service, token);
  if (verdict.refused !== undefined) {
    throw new Error(
      `The service at ${service} does not trust this token (key ${kid} of ${where}): it answered "${verdict.refused}"`,
    );
  }
  process.stderr.write(`token: signed with key ${kid}${existing ? '' : ' (new)'} from ${where}; ${verdict.note}\n`);
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
