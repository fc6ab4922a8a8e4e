/**
 * The embedded platform (`npm start`'s host) for end-to-end tests: a data directory of its own,
 * free ports for the four services and PostgreSQL, the tests' signing key where the host looks for
 * its development key, and no external broker, database or identity provider.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, GiveUp } from './database';
import { freePort, startProcess, type RunningProcess } from './processes';
import { testKeys } from './auth';
import { repoRoot } from './infrastructure';
import type { Urls } from './journey';

const SERVICES = ['intake', 'routing', 'resolution', 'analytics'] as const;
type Service = (typeof SERVICES)[number];

export interface EmbeddedHost {
  readonly dataDir: string;
  readonly ports: Record<Service | 'postgres', number>;
  readonly urls: Urls & { routing: string };
  readonly env: NodeJS.ProcessEnv;
  /**
   * Starts the host and waits for "Complaint platform ready". `npm-start` runs `npm start` as a
   * newcomer does (it builds first); `node` runs the built host the suite has already built.
   */
  start(how?: 'npm-start' | 'node', name?: string): Promise<RunningProcess>;
  /** Starts the built host without waiting, e.g. for a start that is expected to fail. */
  spawn(name?: string, extraEnv?: NodeJS.ProcessEnv): RunningProcess;
  /** The host last started, if any. */
  readonly running: RunningProcess | undefined;
  /** Deletes the data directory (stop the host first). */
  remove(): void;
}

export function embeddedHost(prefix: string, extraEnv: NodeJS.ProcessEnv = {}): EmbeddedHost {
  const dataDir = mkdtempSync(join(tmpdir(), `complaints-${prefix}-`));
  const ports = Object.fromEntries(
    [...SERVICES, 'postgres'].map((name) => [name, freePort()]),
  ) as EmbeddedHost['ports'];
  const url = (service: Service) => `http://127.0.0.1:${ports[service]}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(ports.postgres),
    INTAKE_PORT: String(ports.intake),
    ROUTING_PORT: String(ports.routing),
    RESOLUTION_PORT: String(ports.resolution),
    ANALYTICS_PORT: String(ports.analytics),
    DATABASE_URL: '',
    KAFKA_BROKERS: '',
    // No identity provider: the host uses the development key in DATA_DIR/auth, given the tests' key here.
    AUTH_PUBLIC_KEYS: '',
    AUTH_JWKS_URL: '',
    ...extraEnv,
  };
  mkdirSync(join(dataDir, 'auth'), { recursive: true });
  writeFileSync(join(dataDir, 'auth', 'dev-signing-key.json'), JSON.stringify(testKeys));
  let running: RunningProcess | undefined;

  const spawnHost = (name = 'embedded-host', more: NodeJS.ProcessEnv = {}) =>
    startProcess(name, process.execPath, [join(repoRoot, 'apps/embedded/dist/main.js')], { ...env, ...more });

  return {
    dataDir,
    ports,
    urls: {
      intake: url('intake'),
      routing: url('routing'),
      resolution: url('resolution'),
      analytics: url('analytics'),
    },
    env,
    get running() {
      return running;
    },
    spawn: spawnHost,
    async start(how = 'node', name = 'embedded-host') {
      const started = how === 'npm-start' ? startProcess(name, 'npm', ['start'], env) : spawnHost(name);
      running = started;
      await eventually(
        'the embedded platform to print its URLs',
        async () => {
          if (started.child.exitCode !== null) throw new GiveUp(`the embedded host exited:\n${started.output()}`);
          return started.output().includes('Complaint platform ready') ? true : undefined;
        },
        180_000,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${started.output().slice(-5000)}`);
      });
      return started;
    },
    remove() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
