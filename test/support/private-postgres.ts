/**
 * A PostgreSQL cluster of the test's own (Debian's server binaries, initdb in a temporary
 * directory, its own port), for tests that stop and start PostgreSQL: the machine's shared server
 * is never touched. PostgreSQL refuses to run as root, so as root the cluster runs as the
 * `postgres` system user.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface PrivatePostgres {
  url: string;
  port: number;
  /** The cluster's data directory (PGDATA): heap files, pg_wal, everything a copy of the disk holds. */
  dataDir: string;
  start(): void;
  stop(): void;
  /** Stops the cluster and deletes its files. */
  destroy(): void;
}

function serverBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  if (!bin) throw new Error(`No PostgreSQL server binaries under ${root}: apt-get install postgresql`);
  return bin;
}

export function createPrivatePostgres(port: number): PrivatePostgres {
  const bin = serverBinaries();
  const dir = mkdtempSync(join(tmpdir(), 'private-pg-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  const run = (tool: string, args: string[]) => {
    const [command, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]]
      : [join(bin, tool), args];
    try {
      execFileSync(command, argv, { stdio: 'pipe', timeout: 60_000 });
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`${tool} ${args.join(' ')} failed: ${(error as Error).message}\n${stderr}`);
    }
  };
  if (asRoot) {
    const { uid, gid } = (() => {
      const line = execFileSync('id', ['postgres'], { encoding: 'utf8' });
      return { uid: Number(/uid=(\d+)/.exec(line)?.[1]), gid: Number(/gid=(\d+)/.exec(line)?.[1]) };
    })();
    chownSync(dir, uid, gid);
  }
  chmodSync(dir, 0o700);
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const cluster: PrivatePostgres = {
    port,
    dataDir: data,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () =>
      run('pg_ctl', [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-w',
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        'start',
      ]),
    stop: () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']),
    destroy: () => {
      try {
        cluster.stop();
      } catch {
        /* not running */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
