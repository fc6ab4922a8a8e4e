/**
 * Runs the built services as real processes for end-to-end tests, with their output kept in
 * reports/e2e-logs so a failure can be read afterwards.
 */
import { testAuthEnv } from './auth';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
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

/** A port unlikely to clash: tests pick from a range no default uses. */
let nextPort = 41000 + (process.pid % 1000) * 10;
export const freePort = () => nextPort++;
