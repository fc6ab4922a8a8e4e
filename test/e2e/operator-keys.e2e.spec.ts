/**
 * An operator's first steps in distributed mode: `npm run keys` writes the development key set into
 * an env file the services and `npm run token` both read; `npm run token` says which key and data
 * directory it used, never makes a new key silently, and refuses a key a running service does not
 * trust. Both run the built JavaScript (no rebuild per token).
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { Client } from 'pg';
import { loadServiceConfig, readEnvFile } from '@complaints/kit';
import { intakeService } from '@complaints/intake';
import { testKeys } from '../support/auth';
import { startInProcess, type InProcessService } from '../support/in-process';
import { createTestDatabase, eventually, type TestDatabase } from '../support/database';
import { freePort, startProcess, waitUntilReady, type RunningProcess } from '../support/processes';

const root = join(__dirname, '../..');

/** Run asynchronously: the service under test answers from this same process meanwhile. */
function run(
  script: 'token' | 'keys' | 'audit',
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number; stdout: string; stderr: string }> {
  const file = script === 'audit' ? 'libs/kit/dist/audit-cli.js' : `apps/embedded/dist/${script}.js`;
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(root, file), ...args],
      {
        // Away from the repository, whose .local/keys.env (the default ENV_FILE) may exist.
        cwd: tmpdir(),
        encoding: 'utf8',
        // Nothing of the test process's own configuration: only what the case gives.
        env: { PATH: process.env.PATH ?? '', INTAKE_URL: 'http://127.0.0.1:9', ...env },
      },
      (error, stdout, stderr) =>
        done({ status: error ? Number(error.code ?? 1) : 0, stdout: stdout.trim(), stderr: stderr.trim() }),
    );
  });
}

describe('operator key set-up (npm run keys, npm run token)', () => {
  let scratch: string;
  let intake: InProcessService;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'operator-keys-'));
    intake = await startInProcess(intakeService); // trusts the tests' key (test/support/auth.ts)
  });
  afterAll(async () => {
    await intake?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('npm run token and npm run keys run the built code, without a build first', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    for (const name of ['token', 'keys']) {
      expect(scripts[name]).toMatch(/node apps\/embedded\/dist\/\w+\.js$/);
      expect(scripts[name]).not.toMatch(/^npm run build/);
    }
  });

  it('npm run token never makes a new key silently: a data directory without one is refused unless --new', async () => {
    const dataDir = join(scratch, 'elsewhere');
    const refused = await run('token', ['--role', 'agent'], { DATA_DIR: dataDir });
    expect(refused.status).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/no development signing key.*--new/s);
    expect(existsSync(join(dataDir, 'auth'))).toBe(false);

    const made = await run('token', ['--role', 'agent', '--new'], { DATA_DIR: dataDir });
    expect(made.status).toBe(0);
    expect(made.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(made.stderr).toContain(join(dataDir, 'auth', 'dev-signing-key.json'));
  });

  it('npm run token says which key and data directory it used, and that a running service accepts it', async () => {
    // A data directory holding the key the service trusts (as `npm start` keeps it).
    const dataDir = join(scratch, 'trusted');
    mkdirSync(join(dataDir, 'auth'), { recursive: true });
    writeFileSync(join(dataDir, 'auth', 'dev-signing-key.json'), JSON.stringify(testKeys), { mode: 0o600 });
    const used = await run('token', ['--role', 'auditor'], { DATA_DIR: dataDir, INTAKE_URL: intake.base });
    expect(used.status).toBe(0);
    expect(used.stderr).toContain(testKeys.privateJwk.kid!);
    expect(used.stderr).toContain(`DATA_DIR ${dataDir}`);
    expect(used.stderr).toMatch(/accepted by/);
    const response = await fetch(`${intake.base}/complaints/018f0000-0000-7000-8000-000000000000`, {
      headers: { authorization: `Bearer ${used.stdout}` },
    });
    expect(response.status).toBe(404);
  });

  it('npm run token refuses a key the running service does not trust', async () => {
    const dataDir = join(scratch, 'other');
    expect((await run('token', ['--role', 'agent', '--new'], { DATA_DIR: dataDir })).status).toBe(0);
    const refused = await run('token', ['--role', 'agent'], { DATA_DIR: dataDir, INTAKE_URL: intake.base });
    expect(refused.status).not.toBe(0);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/does not trust/);
  });

  it('npm run keys writes the key set into an env file (0600) that the services and npm run token read', async () => {
    const dataDir = join(scratch, 'keys');
    const envFile = join(scratch, 'keys.env');
    const written = await run('keys', [], { DATA_DIR: dataDir, ENV_FILE: envFile });
    expect(written.status).toBe(0);
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    const text = readFileSync(envFile, 'utf8');
    expect(text).toMatch(/^AUTH_PUBLIC_KEYS=/m);
    expect(text).toMatch(/^PII_KEY_DIR=/m);
    expect(text).toMatch(/^AUDIT_SIGNING_KEY=/m);
    expect(text).toMatch(/^AUDIT_TRUSTED_KEYS=/m);

    // A service reads it (the environment still wins over the file)…
    const env: NodeJS.ProcessEnv = { ENV_FILE: envFile, DATABASE_URL: 'postgres://x@127.0.0.1/x' };
    expect(readEnvFile(env)).toBe(envFile);
    const config = loadServiceConfig('intake', env);
    const preset: NodeJS.ProcessEnv = { ENV_FILE: envFile, PII_KEY_DIR: 'from-the-environment' };
    readEnvFile(preset);
    expect(preset).toMatchObject({ PII_KEY_DIR: 'from-the-environment', DATA_DIR: dataDir });
    expect(config.auth?.publicKeys?.keys).toHaveLength(1);
    // The audit signing key is `npm start`'s, of the same data directory, and trusted by a verifier.
    expect(config.audit.keys.signer?.keyId).toBeDefined();
    expect(written.stderr).toContain(`audit signing key ${config.audit.keys.signer!.keyId}`);
    expect(loadServiceConfig('intake', { ...env, DATA_DIR: '', AUDIT_SIGNING_KEY: '' }).audit.keys.trusted).toEqual([
      expect.objectContaining({ id: config.audit.keys.signer!.keyId }),
    ]);
    // …and so does npm run token: the file's DATA_DIR, whose key the file's AUTH_PUBLIC_KEYS holds.
    const token = await run('token', ['--role', 'agent'], { ENV_FILE: envFile });
    expect(token.status).toBe(0);
    expect(token.stderr).toContain(config.auth!.publicKeys!.keys[0]!.kid!);
    expect(token.stderr).toContain(`DATA_DIR ${dataDir}`);
    // A DATA_DIR of the environment wins over the file: a key the file's AUTH_PUBLIC_KEYS lacks is refused.
    const other = join(scratch, 'other-data');
    expect((await run('token', ['--role', 'agent', '--new'], { DATA_DIR: other })).status).toBe(0);
    const untrusted = await run('token', ['--role', 'agent'], { ENV_FILE: envFile, DATA_DIR: other });
    expect(untrusted.status).not.toBe(0);
    expect(untrusted.stderr).toMatch(/AUTH_PUBLIC_KEYS .*does not hold key/);

    // Run again, it keeps the keys (a new PII key would make every complainant unreadable)…
    expect((await run('keys', [], { ENV_FILE: envFile })).status).toBe(0);
    expect(readFileSync(envFile, 'utf8')).toBe(text);
    // …and will not replace them with another data directory's unless told.
    const replaced = await run('keys', [], { ENV_FILE: envFile, DATA_DIR: other });
    expect(replaced.status).not.toBe(0);
    expect(replaced.stderr).toMatch(/holds other keys \(DATA_DIR, AUTH_PUBLIC_KEYS\).*--force/);
    expect(readFileSync(envFile, 'utf8')).toBe(text);
  });

  describe('a service started with the env file', () => {
    let db: TestDatabase;
    let service: RunningProcess | undefined;
    afterAll(async () => {
      await service?.stop();
      await db?.drop();
    }, 60_000);

    it('signs audit checkpoints with its audit key, and verify reports them signed by that key', async () => {
      const dataDir = join(scratch, 'audited');
      const envFile = join(scratch, 'audited.env');
      const keys = await run('keys', [], { DATA_DIR: dataDir, ENV_FILE: envFile });
      expect(keys.status).toBe(0);
      const keyId = /audit signing key (\w+)/.exec(keys.stderr)![1]!;
      db = await createTestDatabase('operator_keys');
      const port = freePort();
      // Only the env file's keys: no AUTH_*, AUDIT_*, PII_* from the test process.
      const env = { PATH: process.env.PATH ?? '', ENV_FILE: envFile, DATABASE_URL: db.url, PORT: String(port) };
      service = startProcess('intake-keys-env', process.execPath, [join(root, 'services/intake/dist/main.js')], {
        ...env,
        AUDIT_CHECKPOINT_INTERVAL_MS: '300',
      });
      await waitUntilReady(service, `http://127.0.0.1:${port}`);
      await eventually('a checkpoint', async () => {
        const client = new Client({ connectionString: db.url });
        await client.connect();
        try {
          const { rows } = await client.query('SELECT key_id FROM intake.audit_checkpoints');
          return rows.length > 0 ? rows : undefined;
        } finally {
          await client.end();
        }
      });

      const verified = await run('audit', ['verify', '--schema', 'intake'], {
        ENV_FILE: envFile,
        DATABASE_URL: db.url,
      });
      expect(verified.stdout).toMatch(new RegExp(`^checkpoints 1(-\\d+)? signed by key ${keyId} \\(trusted\\)$`, 'm'));
      expect(verified.stdout).toContain('intake: every chain and checkpoint verifies');
      expect(verified.status).toBe(0);
      // A verifier holding only the file's public key (AUDIT_TRUSTED_KEYS) trusts them too…
      const { AUDIT_TRUSTED_KEYS } = parseEnv(readFileSync(envFile, 'utf8'));
      const publicOnly = await run('audit', ['verify', '--schema', 'intake'], {
        AUDIT_TRUSTED_KEYS: AUDIT_TRUSTED_KEYS!,
        DATABASE_URL: db.url,
      });
      expect(publicOnly.status).toBe(0);
      // …and one trusting another key does not.
      const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
      const stranger = await run('audit', ['verify', '--schema', 'intake'], {
        AUDIT_TRUSTED_KEYS: JSON.stringify([{ publicKey: other }]),
        DATABASE_URL: db.url,
      });
      expect(stranger.status).toBe(1);
      expect(stranger.stdout).toMatch(new RegExp(`signed with key ${keyId}, which is not a trusted key`));
      expect(stranger.stdout).toMatch(new RegExp(`signed by key ${keyId} \\(not trusted\\)`));
    }, 120_000);
  });
});
