/**
 * Tamper evidence in every service: a signed checkpoint of the event store at an interval (one
 * instance at a time), and `GET /audit/cases/:id/verify` checking this service's streams of a case.
 */
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { auditSigner, verifyLog, writeCheckpoint, type Database } from '@complaints/eventstore';
import type { ServiceConfig } from './config';
import { DATABASE, SERVICE_CONFIG } from './tokens';
import { CAN } from './auth/roles';
import { Roles } from './auth/decorators';
import { Meta, type RequestMeta } from './request-meta';

@Injectable()
export class AuditCheckpointer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly intervalMs = Number(process.env.AUDIT_CHECKPOINT_INTERVAL_MS ?? 600_000);
  private timer: NodeJS.Timeout | undefined;
  private readonly signer = auditSigner();

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!process.env.AUDIT_SIGNING_KEY) {
      this.logger.warn(
        'AUDIT_SIGNING_KEY is not set: checkpoints are signed with a key that lives only as long as this process',
      );
    }
    if (this.intervalMs > 0) this.timer = setInterval(() => void this.checkpoint(), this.intervalMs);
  }

  /** Never rejects: it runs on a timer, where a rejection nobody awaits would end the process. */
  async checkpoint(): Promise<void> {
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
        await writeCheckpoint(session, this.signer);
        await session.query('SELECT pg_advisory_unlock(hashtext($1))', [`audit:${this.config.schema}`]);
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
  }
}

@ApiTags('audit')
@Roles(...CAN.audit)
@Controller('audit/cases')
export class AuditVerifyController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** This service's streams of the case (complaint-, routing-, case-<id>) against their chains and the checkpoints. */
  @Get(':id/verify')
  async verify(@Param('id', new ParseUUIDPipe()) id: string, @Meta() meta: RequestMeta) {
    const { rows } = await this.db.query<{ stream_id: string }>(
      "SELECT DISTINCT stream_id FROM events WHERE stream_id LIKE '%-' || $1 AND metadata->>'tenant' = $2",
      [id, meta.tenant],
    );
    if (rows.length === 0) throw new NotFoundException(`No streams of case ${id} in ${this.config.service}`);
    const streams = rows.map((r) => r.stream_id);
    const findings = (await verifyLog(this.db)).filter((f) => f.streamId !== undefined && streams.includes(f.streamId));
    return { caseId: id, service: this.config.service, streams, verified: findings.length === 0, findings };
  }
}
