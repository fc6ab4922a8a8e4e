/**
 * Tamper evidence in every service: a signed, numbered checkpoint of the event store at an interval
 * (one instance at a time), copied to witnesses outside the database, and
 * `GET /audit/cases/:id/verify` checking this service's streams of a case, its checkpoints against
 * the configured keys and the witnesses, and (analytics) the history it serves.
 */
import {
  Controller,
  Get,
  Headers,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  Optional,
  Param,
  ParseUUIDPipe,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiEndpoint } from './openapi';
import { prefixed } from '@complaints/contracts';
import {
  appendWitness,
  EventStore,
  forAllTenants,
  readWitnessFile,
  verifyLog,
  witnessFile,
  writeCheckpoint,
  type Database,
  type Finding,
  type WitnessCopy,
  type WitnessEntry,
} from '@complaints/eventstore';
import type { Transport } from '@complaints/messaging';
import type { ServiceConfig } from './config';
import { DATABASE, SERVICE_CONFIG, TRANSPORT } from './tokens';
import { CAN } from './auth/roles';
import { Roles } from './auth/decorators';
import { Meta, type RequestMeta } from './request-meta';
import { Eventing } from './eventing';
import { observeOnScrape } from './metrics';

/** The bus topic every service's checkpoints are copied to (Kafka only: the embedded bus is in the database). */
export const AUDIT_CHECKPOINT_TOPIC = 'audit.checkpoints.v1';

/** A service's own check of a case beyond its event store (analytics: the history it serves). */
export interface CaseEvidenceCheck {
  check(caseId: string, meta: RequestMeta, authorization: string | undefined): Promise<Finding[] | undefined>;
}
export const CASE_EVIDENCE_CHECK = Symbol('CASE_EVIDENCE_CHECK');

/** The checkpoints' copies outside the database: the witness file and, with Kafka, the topic. */
@Injectable()
export class AuditWitnesses {
  private readonly logger = new Logger('Audit');
  private topicReady: Promise<void> | undefined;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(TRANSPORT) private readonly transport: Transport,
  ) {}

  private get topic(): string | undefined {
    return this.transport.kind === 'kafka' ? prefixed(this.config.topicPrefix, AUDIT_CHECKPOINT_TOPIC) : undefined;
  }

  private get file(): string | undefined {
    const dir = this.config.audit.witnessDir;
    return dir ? witnessFile(dir, this.config.schema) : undefined;
  }

  private ensureTopic(topic: string): Promise<void> {
    this.topicReady ??= this.transport.ensureTopics([topic]).catch((error: unknown) => {
      this.topicReady = undefined;
      throw error;
    });
    return this.topicReady;
  }

  /** Each copy on its own: one unreachable witness does not keep the checkpoint from the other. */
  async record(entry: WitnessEntry): Promise<void> {
    const { file, topic } = this;
    const copies: Promise<void>[] = [];
    if (file) copies.push(appendWitness(file, entry));
    if (topic) copies.push(this.ensureTopic(topic).then(() => recordWitnessTopic(this.transport, topic, entry)));
    for (const result of await Promise.allSettled(copies)) {
      if (result.status === 'rejected') {
        this.logger.error(`checkpoint ${entry.id} not witnessed: ${(result.reason as Error).message}`);
      }
    }
  }

  async read(): Promise<WitnessCopy[]> {
    const { file, topic } = this;
    const copies: WitnessCopy[] = [];
    if (file) copies.push(await readWitnessFile(file, this.config.schema));
    if (topic) copies.push(await this.readTopic(topic));
    return copies;
  }

  private async readTopic(topic: string): Promise<WitnessCopy> {
    try {
      await this.ensureTopic(topic);
    } catch (error) {
      return { name: `topic ${topic}`, entries: [], unreadable: (error as Error).message };
    }
    return readWitnessTopic(this.transport, topic, this.config.schema);
  }
}

/** Publishes a checkpoint's witness entry to the topic, keyed by schema. */
export function recordWitnessTopic(transport: Transport, topic: string, entry: WitnessEntry): Promise<void> {
  return transport.publish([{ topic, key: entry.schema, value: JSON.stringify(entry), headers: {} }]);
}

/** The topic's entries of `schema`, as they stand now. */
export async function readWitnessTopic(transport: Transport, topic: string, schema: string): Promise<WitnessCopy> {
  const name = `topic ${topic}`;
  try {
    const entries: WitnessEntry[] = [];
    const history = await transport.history([topic]);
    await history.read((messages) => {
      for (const message of messages) {
        const entry = JSON.parse(message.value) as WitnessEntry;
        if (entry.schema === schema) entries.push(entry);
      }
      return Promise.resolve();
    });
    return { name, entries };
  } catch (error) {
    // Verify still answers, saying what it could not check, rather than failing the request.
    return { name, entries: [], unreadable: (error as Error).message };
  }
}

@Injectable()
export class AuditCheckpointer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private timer: NodeJS.Timeout | undefined;
  private unobserve: (() => void) | undefined;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly witnesses: AuditWitnesses,
  ) {}

  onApplicationBootstrap(): void {
    const signed = this.config.audit.keys.signer !== undefined;
    if (!signed) {
      this.logger.warn(
        'AUDIT_SIGNING_KEY is not set: this service writes NO audit checkpoints (complaints_audit_signing{state="unsigned"} = 1); a rewritten log goes unnoticed',
      );
    }
    const { service } = this.config;
    this.unobserve = observeOnScrape(
      'complaints_audit_signing',
      'Whether this service signs audit checkpoints (state="signed") or runs without a signing key (state="unsigned")',
      ['service', 'state'],
      () =>
        Promise.resolve([
          { labels: { service, state: 'signed' }, value: signed ? 1 : 0 },
          { labels: { service, state: 'unsigned' }, value: signed ? 0 : 1 },
        ]),
    );
    if (signed && this.config.audit.intervalMs > 0) {
      this.timer = setInterval(() => void this.checkpoint(), this.config.audit.intervalMs);
    }
  }

  /** Never rejects: it runs on a timer, where a rejection nobody awaits would end the process. */
  async checkpoint(): Promise<void> {
    const signer = this.config.audit.keys.signer;
    if (!signer) return;
    const session = await this.db.session().catch((error: unknown) => {
      this.logger.error(`checkpoint failed: ${(error as Error).message}`);
    });
    if (!session) return;
    // Pooled again only when it certainly holds no lock: a failed statement (cancelled, timed out)
    // could leave the lock on the connection, passing it to other work and stopping checkpoints.
    let clean = false;
    try {
      const { rows } = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        `audit:${this.config.schema}`,
      ]);
      if (rows[0]?.locked) {
        try {
          const written = await writeCheckpoint(session, signer);
          await this.witnesses.record({ schema: this.config.schema, ...written.witness });
        } finally {
          await session.query('SELECT pg_advisory_unlock(hashtext($1))', [`audit:${this.config.schema}`]);
        }
      }
      clean = true;
    } catch (error) {
      this.logger.error(`checkpoint failed: ${(error as Error).message}`);
    } finally {
      await (clean ? session.release() : session.destroy()).catch(() => undefined);
    }
  }

  beforeApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.unobserve?.();
  }
}

/** A source event's evidence, for analytics' check of the history it serves. */
export interface EventEvidence {
  eventId: string;
  streamId: string;
  streamVersion: number;
  hash: string | null;
  integration: { type: string; digest: string }[];
}

class FindingDto {
  @ApiProperty({ enum: ['altered', 'removed', 'inserted', 'checkpoint'] })
  kind!: string;
  @ApiPropertyOptional()
  streamId?: string;
  @ApiPropertyOptional()
  streamVersion?: number;
  @ApiPropertyOptional({ format: 'uuid' })
  eventId?: string;
  @ApiPropertyOptional({ description: 'The checkpoint the finding is about (its number)' })
  checkpoint?: number;
  @ApiProperty()
  detail!: string;
}

class IntegrationDigestDto {
  @ApiProperty()
  type!: string;
  @ApiProperty()
  digest!: string;
}

class EventEvidenceDto {
  @ApiProperty({ format: 'uuid' })
  eventId!: string;
  @ApiProperty()
  streamId!: string;
  @ApiProperty()
  streamVersion!: number;
  @ApiProperty({ type: 'string', nullable: true, description: 'The event’s hash in its stream’s chain' })
  hash!: string | null;
  @ApiProperty({ type: [IntegrationDigestDto] })
  integration!: IntegrationDigestDto[];
}

export class AuditVerificationDto {
  @ApiProperty({ format: 'uuid' })
  caseId!: string;
  @ApiProperty({ example: 'analytics' })
  service!: string;
  @ApiProperty({ type: [String], description: 'This service’s streams of the case' })
  streams!: string[];
  @ApiProperty({ description: 'No findings' })
  verified!: boolean;
  @ApiProperty({ type: [FindingDto] })
  findings!: FindingDto[];
  @ApiProperty({ type: [EventEvidenceDto] })
  events!: EventEvidenceDto[];
}

@ApiTags('audit')
@Roles(...CAN.audit)
@Controller('audit/cases')
export class AuditVerifyController {
  private readonly store = new EventStore();

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly witnesses: AuditWitnesses,
    private readonly eventing: Eventing,
    @Optional() @Inject(CASE_EVIDENCE_CHECK) private readonly caseCheck?: CaseEvidenceCheck,
  ) {}

  /**
   * This service's streams of the case (complaint-, routing-, case-<id>) against their chains, the
   * checkpoints against the configured keys and the witnesses (findings about the log as a whole
   * are reported with every case: they concern it too), and, on analytics, the history served.
   */
  @ApiEndpoint(
    'Verify a case’s evidence',
    'This service’s streams of the case against their hash chains, the signed checkpoints and the witnesses; on analytics also the history it serves.',
    [400, 404],
    { type: AuditVerificationDto },
  )
  @Get(':id/verify')
  async verify(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Meta() meta: RequestMeta,
    @Headers('authorization') authorization: string | undefined,
  ) {
    const { rows } = await this.db.query<{ stream_id: string }>(
      "SELECT DISTINCT stream_id FROM events WHERE stream_id LIKE '%-' || $1 AND metadata->>'tenant' = $2",
      [id, meta.tenant],
    );
    const streams = rows.map((r) => r.stream_id);
    const served = await this.caseCheck?.check(id, meta, authorization);
    if (streams.length === 0 && served === undefined) {
      throw new NotFoundException(`No streams of case ${id} in ${this.config.service}`);
    }
    // The whole log, every tenant's rows: checkpoints cover them all (only this case's streams are named).
    const witnesses = await this.witnesses.read();
    const logFindings = await forAllTenants(() =>
      verifyLog(this.db, { trusted: this.config.audit.keys.trusted, witnesses }),
    );
    const findings = [
      ...logFindings.filter((f) => f.streamId === undefined || streams.includes(f.streamId)),
      ...(served ?? []),
    ];
    const events = await this.evidenceOf(streams);
    return { caseId: id, service: this.config.service, streams, verified: findings.length === 0, findings, events };
  }

  private async evidenceOf(streams: string[]): Promise<EventEvidence[]> {
    const events = (await Promise.all(streams.map((s) => this.store.readStream(this.db, s)))).flat();
    return events.map((e) => ({
      eventId: e.eventId,
      streamId: e.streamId,
      streamVersion: e.streamVersion,
      hash: e.hash ?? null,
      integration: this.eventing.integrationDigests(e),
    }));
  }
}
