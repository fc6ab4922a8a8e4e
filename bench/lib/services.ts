/**
 * The services as real processes in the distributed topology (Kafka + PostgreSQL), each on its own
 * port, with their logs under reports/bench-logs/, and their resident memory read from /proc.
 */
import { generateKeyPairSync } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { log, repoRoot } from './context';

export type ServiceName = 'intake' | 'routing' | 'resolution' | 'analytics';

export interface RunningService {
  name: ServiceName;
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface TopologyOptions {
  databaseUrl: string;
  kafkaBrokers: string;
  topicPrefix: string;
  /** Schema per service; defaults to the service name. */
  schemas?: Partial<Record<ServiceName, string>>;
  extraEnv?: Record<string, string>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A port free now, chosen by the kernel: runs side by side (other benches, test suites) never clash. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MB (10^6 bytes, VmRSS), or NaN once it is gone. */
export function rssMB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? (Number(match[1]) * 1024) / 1e6 : NaN;
  } catch {
    return NaN;
  }
}

/** Samples the peak RSS of some processes every `intervalMs` until stopped. */
export function rssSampler(pids: Record<string, number>, intervalMs = 100) {
  const peak: Record<string, number> = Object.fromEntries(Object.keys(pids).map((k) => [k, 0]));
  const timer = setInterval(() => {
    for (const [name, pid] of Object.entries(pids)) {
      const rss = rssMB(pid);
      if (rss > peak[name]!) peak[name] = rss;
    }
  }, intervalMs);
  return {
    stop(): Record<string, number> {
      clearInterval(timer);
      return peak;
    },
  };
}

const benchAuditKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

export async function startService(name: ServiceName, port: number, options: TopologyOptions): Promise<RunningService> {
  const logDir = join(repoRoot, 'reports', 'bench-logs');
  mkdirSync(logDir, { recursive: true });
  const output = createWriteStream(join(logDir, `${name}-${options.topicPrefix.replace(/\W/g, '')}-${port}.log`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: options.kafkaBrokers,
    TOPIC_PREFIX: options.topicPrefix,
    [`${name.toUpperCase()}_PORT`]: String(port),
    [`${name.toUpperCase()}_DB_SCHEMA`]: options.schemas?.[name] ?? name,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    AUDIT_CHECKPOINT_INTERVAL_MS: '0',
    NODE_ENV: 'production',
    // Production refuses to start without one; the bench signs no checkpoint (interval 0).
    AUDIT_SIGNING_KEY: benchAuditKey,
    ...options.extraEnv,
  };
  // BENCH_NODE_FLAGS, e.g. "--max-old-space-size=96", runs the services with those Node flags.
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, join(repoRoot, 'services', name, 'dist', 'main.js')], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-8000);
    output.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited during start-up:\n${tail}`);
    try {
      const response = await fetch(`${url}/health/ready`);
      if (response.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} was not ready at ${url} after 120 s:\n${tail}`);
    }
    await sleep(250);
  }
  return {
    name,
    url,
    pid: child.pid!,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      output.end();
    },
  };
}

export interface Topology {
  services: Partial<Record<ServiceName, RunningService>>;
  stop(): Promise<void>;
}

/** Starts the given services one after the other (a 2-core machine dislikes four cold starts at once). */
export async function startTopology(names: ServiceName[], options: TopologyOptions): Promise<Topology> {
  const services: Partial<Record<ServiceName, RunningService>> = {};
  const order: ServiceName[] = ['intake', 'routing', 'resolution', 'analytics'];
  try {
    for (const name of order.filter((n) => names.includes(n))) {
      const started = Date.now();
      services[name] = await startService(name, await freePort(), options);
      log(`${name} ready on ${services[name].url} (pid ${services[name].pid}, ${Date.now() - started} ms)`);
    }
  } catch (error) {
    await Promise.all(Object.values(services).map((s) => s.stop()));
    throw error;
  }
  return {
    services,
    stop: async () => {
      await Promise.all(Object.values(services).map((s) => s.stop()));
    },
  };
}

/** Lets a freshly started process settle (JIT, pools, consumer joins) before its idle RSS is read. */
export async function idleRss(service: RunningService, settleMs = 5000): Promise<number> {
  await sleep(settleMs);
  return rssMB(service.pid);
}
