/**
 * deploy/local/up.sh gives the platform a database of its own on the local server instead of the
 * shared `postgres` one. Only its database step runs here (the whole script would start a second
 * broker); it runs against the server of this test run, with a database name of its own.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { requireEnv, uniqueSuffix } from '../support/database';
import { repoRoot } from '../support/infrastructure';

const run = promisify(execFile);
const script = join(repoRoot, 'deploy/local/create-database.sh');

async function databases(name: string): Promise<number> {
  const client = new Client({ connectionString: requireEnv('DATABASE_URL') });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

describe('the local infrastructure database', () => {
  const name = `t_localdb_${uniqueSuffix()}`;
  const env = {
    ...process.env,
    PGPORT_LOCAL: new URL(requireEnv('DATABASE_URL')).port || '5432',
    LOCAL_DATABASE: name,
  };

  afterAll(async () => {
    const client = new Client({ connectionString: requireEnv('DATABASE_URL') });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });

  it('creates the database once, and leaves it alone when run again', async () => {
    const first = await run('bash', [script], { env });
    expect(first.stdout).toContain(`created the database ${name}`);
    expect(await databases(name)).toBe(1);
    const again = await run('bash', [script], { env });
    expect(again.stdout).toBe('');
    expect(await databases(name)).toBe(1);
  });

  it('refuses a name that is not a plain identifier', async () => {
    const refused = await run('bash', [script], {
      env: { ...env, LOCAL_DATABASE: 'x"; DROP DATABASE postgres; --' },
    }).then(
      () => 'ran',
      (error: { stderr: string }) => error.stderr,
    );
    expect(refused).toMatch(/LOCAL_DATABASE must be lower-case letters, digits and _/);
  });

  it('is what up.sh points DATABASE_URL at', () => {
    const upSh = readFileSync(join(repoRoot, 'deploy/local/up.sh'), 'utf8');
    expect(upSh).toContain('bash "$SCRIPT_DIR/create-database.sh"');
    expect(upSh).toContain('DATABASE_URL=postgres://postgres@$HOST:$PG_PORT/$DATABASE');
    expect(upSh).not.toMatch(/DATABASE_URL=.*\/postgres$/m);
  });
});
