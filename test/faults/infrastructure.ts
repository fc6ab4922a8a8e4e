/**
 * The fault suite's own Kafka broker and PostgreSQL cluster, started with deploy/local/up.sh in a
 * state directory of their own, so that stopping them never disturbs the machine's shared server
 * or anyone's broker. Each is stopped and started again by the pid up.sh recorded for it.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statfsSync, statSync } from 'node:fs';
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

  /**
   * Starts whatever of the two is not running (up.sh is idempotent) and checks both answer. A
   * broker restarted under load on a crowded machine can take longer than up.sh's readiness
   * probe allows, so the suite gives it 300 s and one more try.
   */
  async up(): Promise<void> {
    const upSh = () =>
      run('bash', [join(repoRoot, 'deploy', 'local', 'up.sh')], {
        env: { ...this.scriptEnv, LOCAL_READY_TIMEOUT: process.env.LOCAL_READY_TIMEOUT ?? '300' },
        timeout: 900_000,
        maxBuffer: 10 * 1024 * 1024,
      });
    try {
      await upSh().catch(() => upSh());
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

  /** Whether the broker up.sh started still runs (a broker whose disk filled up may stop by itself). */
  kafkaRunning(): boolean {
    const pidFile = join(this.options.stateDir, 'kafka', 'pid');
    return existsSync(pidFile) && alive(Number(readFileSync(pidFile, 'utf8').trim()));
  }

  private get kafkaData(): string {
    return join(this.options.stateDir, 'kafka', 'data');
  }

  private get serverLog(): string {
    return join(this.options.stateDir, 'kafka', 'logs', 'server.log');
  }

  /** How much of the broker's log there was when the disk was filled (what it said after is the fault's). */
  private serverLogAtFill = 0;

  private get filler(): string {
    return join(this.kafkaData, 'faults-disk-filler');
  }

  /**
   * The broker's log directory on a tmpfs of its own (`sizeMb`), mounted before the broker starts,
   * so the suite can fill it. Formatted afresh by up.sh each run. Needs root (mount).
   */
  async mountBrokerDisk(sizeMb: number): Promise<void> {
    if (this.kafkaRunning()) throw new Error("mountBrokerDisk: the suite's broker is running; stop it first");
    await this.unmountBrokerDisk();
    rmSync(this.kafkaData, { recursive: true, force: true });
    mkdirSync(this.kafkaData, { recursive: true });
    try {
      await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'faults-kafka-data', this.kafkaData]);
    } catch (error) {
      throw new Error(
        `The fault suite could not mount a ${sizeMb} MB tmpfs as its broker's log directory (${this.kafkaData}; needs root): ${(error as Error).message}`,
      );
    }
  }

  async unmountBrokerDisk(): Promise<void> {
    const mounted = readFileSync('/proc/mounts', 'utf8').includes(` ${this.kafkaData} `);
    if (mounted) await run('umount', [this.kafkaData]);
  }

  /**
   * Fills the broker's log directory to the last byte (all but 8 MB at once, then 4 KB blocks until
   * the file system refuses one); returns how many bytes it took.
   */
  async fillBrokerDisk(): Promise<number> {
    this.serverLogAtFill = existsSync(this.serverLog) ? readFileSync(this.serverLog, 'utf8').length : 0;
    const { bavail, bsize } = statfsSync(this.kafkaData);
    const bulk = Math.max(0, bavail * bsize - 8 * 2 ** 20);
    if (bulk > 0) await run('fallocate', ['-l', String(bulk), this.filler]);
    await run('dd', ['if=/dev/zero', `of=${this.filler}`, 'bs=4096', 'oflag=append', 'conv=notrunc']).catch(() => {
      /* dd stops with "No space left on device": full, as intended */
    });
    return statSync(this.filler).size;
  }

  /**
   * Frees the broker's disk; a broker whose log directory failed shuts itself down, so this waits
   * (up to 30 s) for one doing so to finish before `up()` starts it again. Says whether it stopped.
   */
  async freeBrokerDisk(): Promise<boolean> {
    rmSync(this.filler, { force: true });
    const logFailed = () =>
      readFileSync(this.serverLog, 'utf8').slice(this.serverLogAtFill).includes('Shutdown broker because all log dirs');
    const deadline = Date.now() + 30_000;
    while (this.kafkaRunning() && logFailed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    return !this.kafkaRunning();
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
