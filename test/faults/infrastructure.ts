/**
 * The fault suite's own Kafka broker and PostgreSQL cluster, started with deploy/local/up.sh in a
 * state directory of their own, so that stopping them never disturbs the machine's shared server
 * or anyone's broker. Each is stopped and started again by the pid up.sh recorded for it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, verifyKafka, verifyPostgres } from '../support/infrastructure';

const run = promisify(execFile);

export interface FaultInfrastructureOptions {
  stateDir: string;
  kafkaPort: number;
  kafkaControllerPort: number;
  postgresPort: number;
}

/** Ports and state directory from FAULTS_* variables, with defaults no other run uses. */
export function faultInfrastructureOptions(env = process.env): FaultInfrastructureOptions {
  const number = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a port number, got "${env[name]}"`);
    return value;
  };
  return {
    stateDir: env.FAULTS_STATE_DIR ?? join(repoRoot, '.local', 'faults'),
    kafkaPort: number('FAULTS_KAFKA_PORT', 9492),
    kafkaControllerPort: number('FAULTS_KAFKA_CONTROLLER_PORT', 9493),
    postgresPort: number('FAULTS_PG_PORT', 55440),
  };
}

/** Alive and not a zombie: the broker and the postmaster are reparented to a PID 1 that may never reap them. */
const alive = (pid: number) => {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
};

export class FaultInfrastructure {
  constructor(readonly options: FaultInfrastructureOptions) {}

  get kafkaBrokers(): string {
    return `127.0.0.1:${this.options.kafkaPort}`;
  }

  get databaseUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.options.postgresPort}/postgres`;
  }

  private get scriptEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      LOCAL_STATE_DIR: this.options.stateDir,
      KAFKA_PORT: String(this.options.kafkaPort),
      KAFKA_CONTROLLER_PORT: String(this.options.kafkaControllerPort),
      PGPORT_LOCAL: String(this.options.postgresPort),
    };
  }

  /** Starts whatever of the two is not running (up.sh is idempotent) and checks both answer. */
  async up(): Promise<void> {
    try {
      await run('bash', [join(repoRoot, 'deploy', 'local', 'up.sh')], {
        env: this.scriptEnv,
        timeout: 600_000,
        maxBuffer: 10 * 1024 * 1024,
      });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(
        `The fault suite could not start its private Kafka (127.0.0.1:${this.options.kafkaPort}) and PostgreSQL ` +
          `(127.0.0.1:${this.options.postgresPort}) with deploy/local/up.sh (state in ${this.options.stateDir}). ` +
          `Free those ports or set FAULTS_KAFKA_PORT, FAULTS_KAFKA_CONTROLLER_PORT, FAULTS_PG_PORT.\n${stdout ?? ''}${stderr ?? ''}`,
      );
    }
    const env = readFileSync(join(this.options.stateDir, 'env'), 'utf8');
    if (!env.includes(`:${this.options.postgresPort}/`)) throw new Error(`up.sh wrote an unexpected env file:\n${env}`);
    await verifyPostgres(this.databaseUrl);
    await verifyKafka(this.kafkaBrokers);
  }

  async down(): Promise<void> {
    await run('bash', [join(repoRoot, 'deploy', 'local', 'down.sh')], { env: this.scriptEnv, timeout: 180_000 });
  }

  /** Stops the broker (SIGTERM: its controlled shutdown) and waits until the process is gone. */
  stopKafka(): Promise<void> {
    return this.stopRecorded(join(this.options.stateDir, 'kafka', 'pid'), 'SIGTERM', 'Kafka');
  }

  /** Stops PostgreSQL (SIGINT: fast shutdown, sessions ended) and waits until the postmaster is gone. */
  stopPostgres(): Promise<void> {
    return this.stopRecorded(join(this.options.stateDir, 'postgres', 'pid'), 'SIGINT', 'PostgreSQL');
  }

  private async stopRecorded(pidFile: string, signal: NodeJS.Signals, what: string): Promise<void> {
    if (!existsSync(pidFile)) throw new Error(`${what} was not started by the fault suite: no ${pidFile}`);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (!alive(pid)) throw new Error(`${what} (pid ${pid} from ${pidFile}) is not running`);
    process.kill(pid, signal);
    const deadline = Date.now() + 60_000;
    while (alive(pid)) {
      if (Date.now() > deadline) {
        process.kill(pid, 'SIGKILL');
        throw new Error(`${what} (pid ${pid}) did not stop within 60 s of ${signal}; killed`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
