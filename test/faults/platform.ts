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
import { testAuthEnv } from '../support/auth';
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

export class Platform {
  readonly topicPrefix = `faults${uniqueSuffix()}`;
  /** One master key for personal data for the whole run: restarted services must read what they sealed. */
  private readonly piiMasterKey = process.env.PII_MASTER_KEY ?? randomBytes(32).toString('base64');
  readonly databaseName = `faults_${uniqueSuffix()}`;
  private readonly ports = Object.fromEntries(SERVICES.map((s) => [s, freePort()])) as Record<Service, number>;
  private readonly running = new Map<Service, RunningProcess>();

  constructor(
    private readonly serverUrl: string,
    readonly kafkaBrokers: string,
  ) {}

  get databaseUrl(): string {
    const url = new URL(this.serverUrl);
    url.pathname = `/${this.databaseName}`;
    return url.toString();
  }

  url(service: Service): string {
    return `http://127.0.0.1:${this.ports[service]}`;
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

  async start(service: Service): Promise<void> {
    const main = join(repoRoot, 'services', service, 'dist', 'main.js');
    const child = startProcess(`faults-${service}`, process.execPath, [main], {
      ...process.env,
      ...testAuthEnv,
      PORT: String(this.ports[service]),
      DATABASE_URL: this.databaseUrl,
      KAFKA_BROKERS: this.kafkaBrokers,
      TOPIC_PREFIX: this.topicPrefix,
      PII_MASTER_KEY: this.piiMasterKey,
      LOG_LEVEL: 'warn',
      AUDIT_CHECKPOINT_INTERVAL_MS: '0',
    });
    this.running.set(service, child);
    await waitUntilReady(child, this.url(service), 120_000);
  }

  async startAll(): Promise<void> {
    for (const service of SERVICES) await this.start(service);
  }

  /** SIGKILL: the process gets no chance to finish, commit or say goodbye. */
  async kill(service: Service): Promise<void> {
    await this.running.get(service)?.stop('SIGKILL');
    this.running.delete(service);
  }

  /** Whether every service still runs (a service that died by itself is a finding). */
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
