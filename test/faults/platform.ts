/**
 * The four services as separate processes on the fault suite's broker and database, each one
 * killable (SIGKILL, no goodbye) and restartable on its port.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { prefixed } from '@complaints/contracts';
import { uniqueSuffix } from '../support/database';
import { join } from 'node:path';
import { repoRoot } from '../support/infrastructure';
import { api, testAuthEnv } from '../support/auth';
import { freePort, startProcess, waitUntilReady, type RunningProcess } from '../support/processes';

export const SERVICES = ['intake', 'routing', 'resolution', 'analytics'] as const;
export type Service = (typeof SERVICES)[number];

/** Which consumer groups read each topic (the group is the service's name). */
export const CONSUMERS = {
  'complaints.intake.v1': ['routing', 'analytics'],
  'complaints.routing.v1': ['resolution', 'analytics'],
  // intake follows cases to their departments, for the department scope of evidence.
  'complaints.resolution.v1': ['routing', 'analytics', 'intake'],
} as const;
export type Topic = keyof typeof CONSUMERS;
export const TOPICS = Object.keys(CONSUMERS) as Topic[];

/** Two processes of every service, `<service>-1` and `<service>-2`, both in the service's consumer group. */
export const INSTANCES_PER_SERVICE = 2;
export type Instance = `${Service}-${number}`;
export const instancesOf = (service: Service): Instance[] =>
  Array.from({ length: INSTANCES_PER_SERVICE }, (_, i): Instance => `${service}-${i + 1}`);
export const INSTANCES: Instance[] = SERVICES.flatMap(instancesOf);
export const serviceOf = (instance: Instance) => instance.replace(/-\d+$/, '') as Service;

/** Where an instance that runs inside the suite's network namespace connects (network.ts). */
export interface Namespaced {
  instance: Instance;
  inside(command: string, args: string[]): [string, string[]];
  namespaceAddress: string;
  kafkaBrokers: string;
  postgresHost: string;
}

export class Platform {
  readonly topicPrefix = `faults${uniqueSuffix()}`;
  /** One master key for personal data for the whole run: restarted services must read what they sealed. */
  private readonly piiMasterKey = process.env.PII_MASTER_KEY ?? randomBytes(32).toString('base64');
  readonly databaseName = `faults_${uniqueSuffix()}`;
  private readonly ports = Object.fromEntries(INSTANCES.map((i) => [i, freePort()])) as Record<Instance, number>;
  private readonly running = new Map<Instance, RunningProcess>();
  /** The instance placed in the network namespace, if the suite could make one. */
  namespaced: Namespaced | undefined;

  constructor(
    private readonly serverUrl: string,
    readonly kafkaBrokers: string,
    /** Environment every instance gets besides the suite's own (KAFKA_SESSION_TIMEOUT_MS, DB_POOL_SIZE…). */
    private readonly extraEnv: Record<string, string> = {},
  ) {}

  get databaseUrl(): string {
    const url = new URL(this.serverUrl);
    url.pathname = `/${this.databaseName}`;
    return url.toString();
  }

  url(instance: Instance): string {
    const host = this.namespaced?.instance === instance ? this.namespaced.namespaceAddress : '127.0.0.1';
    return `http://${host}:${this.ports[instance]}`;
  }

  /** intake's instances, as a load balancer in front of them would spread complaints. */
  intakeUrls(): string[] {
    return instancesOf('intake').map((i) => this.url(i));
  }

  topic(name: Topic): string {
    return prefixed(this.topicPrefix, name);
  }

  group(service: Service): string {
    return prefixed(this.topicPrefix, service);
  }

  async createDatabase(): Promise<void> {
    const client = new Client({ connectionString: this.serverUrl });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${this.databaseName}`);
    } finally {
      await client.end();
    }
  }

  /**
   * Stores, as if an older release had written it, a routing decision its integration contract
   * refuses: the outbox relay must dead-letter it and keep publishing. Returns its event id.
   */
  async storeUnpublishableRoutingDecision(): Promise<string> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      const eventId = randomUUID();
      const complaintId = randomUUID();
      await client.query(
        `INSERT INTO routing.events (event_id, stream_id, stream_version, type, data, metadata)
         VALUES ($1, $2, 1, 'ComplaintRouted', $3, $4)`,
        [
          eventId,
          `routing-${complaintId}`,
          { complaintId, department: 42 },
          {
            tenant: 'faults',
            actor: { id: 'routing-engine', role: 'system' },
            correlationId: randomUUID(),
            causationId: null,
            time: new Date().toISOString(),
          },
        ],
      );
      return eventId;
    } finally {
      await client.end();
    }
  }

  async start(instance: Instance): Promise<void> {
    const service = serviceOf(instance);
    const main = join(repoRoot, 'services', service, 'dist', 'main.js');
    const inside = this.namespaced?.instance === instance ? this.namespaced : undefined;
    const env = {
      ...process.env,
      ...testAuthEnv,
      ...this.extraEnv,
      INSTANCE_ID: `faults-${instance}`,
      PORT: String(this.ports[instance]),
      DATABASE_URL: this.databaseUrl,
      KAFKA_BROKERS: this.kafkaBrokers,
      TOPIC_PREFIX: this.topicPrefix,
      PII_MASTER_KEY: this.piiMasterKey,
      LOG_LEVEL: 'warn',
      AUDIT_CHECKPOINT_INTERVAL_MS: '0',
      // Every instance may have its clock moved (the clock-jump fault moves one).
      TEST_CLOCK: 'enabled',
    };
    if (inside) {
      const url = new URL(this.databaseUrl);
      url.host = inside.postgresHost;
      Object.assign(env, {
        HOST: inside.namespaceAddress,
        DATABASE_URL: url.toString(),
        KAFKA_BROKERS: inside.kafkaBrokers,
      });
    }
    const [command, args] = inside ? inside.inside(process.execPath, [main]) : [process.execPath, [main]];
    const child = startProcess(`faults-${instance}`, command, args, env);
    this.running.set(instance, child);
    await waitUntilReady(child, this.url(instance), 120_000);
  }

  async startAll(): Promise<void> {
    for (const instance of INSTANCES) await this.start(instance);
  }

  /** SIGKILL: the process gets no chance to finish, commit or say goodbye. */
  async kill(instance: Instance): Promise<void> {
    await this.running.get(instance)?.stop('SIGKILL');
    this.running.delete(instance);
  }

  /** The process id of a running instance (for its memory, in the soak). */
  pid(instance: Instance): number | undefined {
    return this.running.get(instance)?.child.pid;
  }

  /**
   * Which instance of `service` holds its outbox relay's lock, from readiness's `outbox-relay`
   * detail (`owner`); undefined while none says so (the lock is being handed over).
   */
  async relayOwner(service: Service): Promise<Instance | undefined> {
    for (const instance of instancesOf(service)) {
      try {
        const response = await fetch(`${this.url(instance)}/health/ready`, { signal: AbortSignal.timeout(5000) });
        const body = (await response.json()) as { details?: Record<string, { owner?: boolean }> };
        if (body.details?.['outbox-relay']?.owner === true) return instance;
      } catch {
        /* not answering: not the owner we can name */
      }
    }
    return undefined;
  }

  /** Waits (up to `timeoutMs`) until some instance of `service` says it holds the relay. */
  async awaitRelayOwner(service: Service, timeoutMs = 30_000): Promise<Instance> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const owner = await this.relayOwner(service);
      if (owner) return owner;
      if (Date.now() > deadline) throw new Error(`no instance of ${service} reports holding the outbox relay`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Moves one instance's test clock (TEST_CLOCK=enabled) by `advanceMs`; returns the time it then reads. */
  async moveClock(instance: Instance, advanceMs: number): Promise<string> {
    const response = await api(`${this.url(instance)}/test/clock`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-actor-role': 'admin', 'x-actor-id': 'faults-clock' },
      body: JSON.stringify({ advanceMs }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`moving ${instance}'s clock: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { now: string }).now;
  }

  /** Whether every instance still runs (one that died by itself is a finding). */
  exited(): string[] {
    return [...this.running]
      .filter(([, p]) => p.child.exitCode !== null)
      .map(([s, p]) => `${s} (exit ${p.child.exitCode})`);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((p) => p.stop()));
    this.running.clear();
  }

  /** Drops this run's database and topics, so the suite's cluster and broker do not grow run after run. */
  async dispose(): Promise<void> {
    const client = new Client({ connectionString: this.serverUrl });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${this.databaseName} WITH (FORCE)`);
    } finally {
      await client.end();
    }
    const admin = new Kafka({
      clientId: 'faults-cleanup',
      brokers: this.kafkaBrokers.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const ours = (await admin.listTopics()).filter((t) => t.startsWith(`${this.topicPrefix}.`));
      if (ours.length > 0) await admin.deleteTopics({ topics: ours });
    } finally {
      await admin.disconnect();
    }
  }
}
