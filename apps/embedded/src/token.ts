/**
 * `npm run token -- --role agent [--sub alice] [--tenant default] [--departments billing,metering] [--ttl 8h]`:
 * prints a bearer token signed with the development key of `npm start` (DATA_DIR/auth). For local
 * use and tests only; in production the enterprise identity provider issues tokens.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { devKeysIn, isKnownRole, ROLES, signDevToken } from '@complaints/kit';

async function main() {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true },
      sub: { type: 'string' },
      tenant: { type: 'string', default: 'default' },
      departments: { type: 'string', default: '' },
      ttl: { type: 'string', default: '8h' },
    },
  });
  const roles = values.role ?? [];
  if (roles.length === 0 || !roles.every(isKnownRole)) {
    throw new Error(`--role is required, one or more of: ${ROLES.join(', ')}`);
  }
  const keys = devKeysIn(join(resolve(process.env.DATA_DIR ?? 'data'), 'auth'));
  const token = await signDevToken(keys, {
    subject: values.sub ?? `${roles[0]}-dev`,
    tenant: values.tenant,
    roles,
    departments: values.departments.split(',').filter(Boolean),
    expiresIn: values.ttl,
  });
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});
