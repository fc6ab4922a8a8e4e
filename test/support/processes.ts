/**
 * Runs the built services as real processes for end-to-end tests, with their output kept in
 * reports/e2e-logs so a failure can be read afterwards.
 */
import { testAuthEnv } from './auth';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, GiveUp } from './database';
import { repoRoot } from './infrastructure';

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): RunningProcess {
  const logDir = join(repoRoot, 'reports', 'e2e-logs');
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(join(logDir, `${name}-${Date.now()}.log`));
  const child = spawn(command, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let buffer = '';
  const keep = (chunk: Buffer) => {
    buffer = (buffer + chunk.toString()).slice(-200_000);
    log.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      log.end();
      resolve(code);
    }),
  );
  return {
    name,
    child,
    output: () => buffer,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // The whole process group: `npm start` runs node as a child.
      try {
        process.kill(-child.pid!, signal);
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export function startService(service: string, env: NodeJS.ProcessEnv): RunningProcess {
  return startProcess(service, process.execPath, [join(repoRoot, 'services', service, 'dist', 'main.js')], {
    ...testAuthEnv,
    ...env,
  });
}

export async function waitUntilReady(process: RunningProcess, url: string, timeoutMs = 90_000): Promise<void> {
  await eventually(
    `${process.name} at ${url}`,
    async () => {
      if (process.child.exitCode !== null) throw new GiveUp(`${process.name} exited early:\n${process.output()}`);
      const response = await fetch(`${url}/health/ready`);
      return response.ok ? true : undefined;
    },
    timeoutMs,
  ).catch((error: Error) => {
    throw new Error(`${error.message}\n--- ${process.name} output ---\n${process.output().slice(-5000)}`);
  });
}

/** The local ports of every IPv4 and IPv6 TCP socket on this machine, listening or connected. */
function portsInUse(): Set<number> {
  const used = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local) used.add(parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
    }
  }
  return used;
}

/**
 * A port for a process a test starts. Picked below the kernel's ephemeral range (32768 and up on
 * Linux), so no outgoing connection can hold it by the time the process binds, from a range per
 * test process, and skipping any port a socket on this machine uses now (a process left over from
 * an earlier test file, another run's broker).
 */
let nextPort = 20000 + (process.pid % 600) * 20;
export function freePort(): number {
  const used = portsInUse();
  while (used.has(nextPort)) nextPort++;
  return nextPort++;
}
