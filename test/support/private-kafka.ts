/**
 * A Kafka broker of the test's own, started and stopped with deploy/local/up.sh and down.sh in a
 * state directory of its own, on ports of its own: the run's shared broker is never touched.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './infrastructure';

export interface PrivateKafka {
  brokers: string;
  start(): void;
  stop(): void;
  /** Stops the broker and deletes its state directory. */
  destroy(): void;
}

export function createPrivateKafka(port: number, controllerPort: number): PrivateKafka {
  const stateDir = mkdtempSync(join(tmpdir(), 'private-kafka-'));
  const env = {
    ...process.env,
    LOCAL_STATE_DIR: stateDir,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
  };
  const script = (name: string) => {
    try {
      execFileSync('bash', [join(repoRoot, 'deploy', 'local', name)], { env, stdio: 'pipe', timeout: 300_000 });
    } catch (error) {
      const output = `${(error as { stdout?: Buffer }).stdout?.toString() ?? ''}${(error as { stderr?: Buffer }).stderr?.toString() ?? ''}`;
      throw new Error(`deploy/local/${name} (private Kafka on ${port}) failed: ${(error as Error).message}\n${output}`);
    }
  };
  const kafka: PrivateKafka = {
    brokers: `127.0.0.1:${port}`,
    start: () => script('up.sh'),
    stop: () => script('down.sh'),
    destroy: () => {
      try {
        kafka.stop();
      } finally {
        rmSync(stateDir, { recursive: true, force: true });
      }
    },
  };
  return kafka;
}
