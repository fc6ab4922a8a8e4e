/**
 * One service instance behind a link of its own, so that the network between that ONE instance and
 * Kafka or PostgreSQL can be cut or slowed while every other process keeps talking over loopback.
 *
 * A network namespace joined to the host by a veth pair (host end .1, namespace end .2 of a /30).
 * The suite's broker and PostgreSQL listen on the host's 127.0.0.1, so two forwarders
 * (test/faults/forward.js) carry the instance's traffic over the veth: one on the host end's
 * address (→ 127.0.0.1), and one on the namespace's own loopback for Kafka (the broker advertises
 * 127.0.0.1:<port>, which inside the namespace is that forwarder). Faults are traffic control on
 * both ends of the veth, on an HTB class only the chosen port's packets enter (a u32 filter), so a
 * Kafka fault leaves PostgreSQL and HTTP alone and the other way round. This machine's kernel has
 * no netem (nor the gact drop action), so a partition is that class with a queue of length 0
 * (every packet dropped, connections neither closed nor answered) and a slow link is that class
 * rate-limited (packets queue behind each other: throughput falls and latency climbs). Made and
 * torn down by the suite; needs root (CAP_NET_ADMIN), `ip` and `tc` with HTB and u32, and says so
 * when it cannot.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../support/infrastructure';
import { startProcess, type RunningProcess } from '../support/processes';

const run = promisify(execFile);

export type LinkTarget = 'kafka' | 'postgres';

export class NetworkNamespaceError extends Error {}

export class IsolatedLink {
  private readonly id = process.pid % 10_000;
  readonly namespace = `faults${this.id}`;
  private readonly hostIf = `fxh${this.id}`;
  private readonly nsIf = `fxn${this.id}`;
  /** 10.213.x.y/30 from the pid, so two runs on one machine do not collide. */
  private readonly subnet = (this.id % 60) * 4;
  readonly hostAddress = `10.213.${Math.floor(this.id / 60) % 250}.${this.subnet + 1}`;
  readonly namespaceAddress = `10.213.${Math.floor(this.id / 60) % 250}.${this.subnet + 2}`;
  private forwarders: RunningProcess[] = [];
  private impaired = false;

  constructor(
    private readonly kafkaPort: number,
    private readonly postgresPort: number,
  ) {}

  /** KAFKA_BROKERS for the instance inside: its own loopback, where the forwarder listens. */
  get kafkaBrokers(): string {
    return `127.0.0.1:${this.kafkaPort}`;
  }

  /** DATABASE_URL's host and port for the instance inside. */
  get postgresHost(): string {
    return `${this.hostAddress}:${this.postgresPort}`;
  }

  /** The command line that runs `command` inside the namespace. */
  inside(command: string, args: string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.namespace, command, ...args]];
  }

  async create(): Promise<void> {
    try {
      await this.destroy();
      await ip('netns', 'add', this.namespace);
      await ip('link', 'add', this.hostIf, 'type', 'veth', 'peer', 'name', this.nsIf);
      await ip('link', 'set', this.nsIf, 'netns', this.namespace);
      await ip('addr', 'add', `${this.hostAddress}/30`, 'dev', this.hostIf);
      await ip('link', 'set', this.hostIf, 'up');
      await this.ipInside('addr', 'add', `${this.namespaceAddress}/30`, 'dev', this.nsIf);
      await this.ipInside('link', 'set', this.nsIf, 'up');
      await this.ipInside('link', 'set', 'lo', 'up');
      // HTB: everything in class 1:10 (unlimited); the fault's class 1:40 is added by impair().
      for (const [tc, dev] of [
        [this.tcHost, this.hostIf],
        [this.tcInside, this.nsIf],
      ] as const) {
        await tc('qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', '10');
        await tc('class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:10', 'htb', 'rate', '10gbit');
      }
    } catch (error) {
      await this.destroy().catch(() => undefined);
      throw new NetworkNamespaceError(
        `The fault suite could not make its network namespace (ip netns, a veth pair, tc htb with u32 filters; needs root and CAP_NET_ADMIN): ${describe(error)}`,
      );
    }
    const forward = join(repoRoot, 'test', 'faults', 'forward.js');
    const hostSide = startProcess(
      'faults-forward-host',
      process.execPath,
      [
        forward,
        `${this.hostAddress}:${this.kafkaPort}=127.0.0.1:${this.kafkaPort}`,
        `${this.hostAddress}:${this.postgresPort}=127.0.0.1:${this.postgresPort}`,
      ],
      process.env,
    );
    const [ipCommand, ipArgs] = this.inside(process.execPath, [
      forward,
      `127.0.0.1:${this.kafkaPort}=${this.hostAddress}:${this.kafkaPort}`,
    ]);
    const nsSide = startProcess('faults-forward-namespace', ipCommand, ipArgs, process.env);
    this.forwarders = [hostSide, nsSide];
    for (const forwarder of this.forwarders) await untilReady(forwarder);
  }

  /**
   * Cuts (`{ partition: true }`) or slows (`{ rate: '256kbit' }`) the link between the instance
   * inside and the target, both directions, that port only.
   */
  async impair(target: LinkTarget, fault: { partition: true } | { rate: string }): Promise<void> {
    if (this.impaired) await this.heal();
    const port = String(target === 'kafka' ? this.kafkaPort : this.postgresPort);
    const rate = 'rate' in fault ? fault.rate : '10gbit';
    // A queue of 0 packets drops everything; otherwise packets wait their turn at the rate.
    const limit = 'partition' in fault ? '0' : '1000';
    // Host → namespace: packets from the host forwarder's port; namespace → host: to that port.
    for (const [tc, dev, match] of [
      [this.tcHost, this.hostIf, 'sport'],
      [this.tcInside, this.nsIf, 'dport'],
    ] as const) {
      await tc('class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:40', 'htb', 'rate', rate, 'ceil', rate);
      await tc('qdisc', 'add', 'dev', dev, 'parent', '1:40', 'handle', '40:', 'pfifo', 'limit', limit);
      await tc(
        'filter',
        'add',
        'dev',
        dev,
        'parent',
        '1:',
        'protocol',
        'ip',
        'prio',
        '1',
        'u32',
        'match',
        'ip',
        match,
        port,
        '0xffff',
        'flowid',
        '1:40',
      );
    }
    this.impaired = true;
  }

  async heal(): Promise<void> {
    for (const [tc, dev] of [
      [this.tcHost, this.hostIf],
      [this.tcInside, this.nsIf],
    ] as const) {
      await tc('filter', 'del', 'dev', dev, 'parent', '1:').catch(() => undefined);
      await tc('qdisc', 'del', 'dev', dev, 'parent', '1:40', 'handle', '40:').catch(() => undefined);
      await tc('class', 'del', 'dev', dev, 'classid', '1:40').catch(() => undefined);
    }
    this.impaired = false;
  }

  /** Stops the forwarders and deletes the namespace (which deletes the veth pair with it). */
  async destroy(): Promise<void> {
    await Promise.all(this.forwarders.map((f) => f.stop()));
    this.forwarders = [];
    await ip('link', 'del', this.hostIf).catch(() => undefined);
    await ip('netns', 'del', this.namespace).catch(() => undefined);
  }

  private ipInside(...args: string[]) {
    return ip('netns', 'exec', this.namespace, 'ip', ...args);
  }

  private readonly tcInside = (...args: string[]) => ip('netns', 'exec', this.namespace, 'tc', ...args);

  private readonly tcHost = (...args: string[]) => run('tc', args, { timeout: 20_000 });
}

function ip(...args: string[]) {
  return run('ip', args, { timeout: 20_000 });
}

function describe(error: unknown): string {
  const { message, stderr } = error as { message?: string; stderr?: string };
  return (stderr?.trim() || message || String(error)).slice(0, 500);
}

async function untilReady(forwarder: RunningProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!forwarder.output().includes('ready')) {
    if (forwarder.child.exitCode !== null || Date.now() > deadline) {
      throw new NetworkNamespaceError(`${forwarder.name} did not start: ${forwarder.output().slice(-1000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
