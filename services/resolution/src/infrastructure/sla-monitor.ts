/**
 * The SLA monitor: claims due wake-ups one case at a time (FOR UPDATE SKIP LOCKED), lets the
 * domain decide what is due (warnings, breaches, escalation steps), appends it and reschedules,
 * all in one transaction. A warning or breach is a fact on the case stream, so evaluating a case
 * twice records nothing twice; a crash rolls the claim back and another instance takes it.
 */
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { decideAndAppend, StreamVersionConflict, type Database, type EventStore } from '@complaints/eventstore';
import { CLOCK, DATABASE, EVENT_STORE, SERVICE_CONFIG, type Clock, type ServiceConfig } from '@complaints/kit';
import { caseDecider, caseStream } from '../domain/case.decide';
import { SlaSettings } from './sla-settings';
import { rescheduleAfter } from './sla-schedule';

const SYSTEM = { id: 'sla-monitor', role: 'system' };

@Injectable()
export class SlaMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SlaMonitor');
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly settings: SlaSettings,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.slaMonitor.enabled) this.loop = this.run();
  }

  /** Evaluates one due case; false when none is due. */
  async evaluateNext(): Promise<boolean> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ case_id: string; tenant: string }>(
        `SELECT case_id, tenant FROM sla_checks WHERE due_at <= $1 ORDER BY due_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
        [now.toISOString()],
      );
      const due = rows[0];
      if (!due) return false;
      await decideAndAppend(
        tx,
        this.store,
        caseDecider,
        caseStream(due.case_id),
        (state) =>
          Promise.resolve({
            type: 'EvaluateSla' as const,
            data: {
              caseId: due.case_id,
              calendar: this.settings.calendar(
                state.status === 'none' ? 'CN' : state.facts.sla.calendarId,
                state.status === 'none' ? now : new Date(state.facts.opened.openedAt),
              ),
              directory: this.settings.directory,
            },
          }),
        { now, actor: SYSTEM, tenant: due.tenant, correlationId: `sla-${due.case_id}` },
        { afterAppend: rescheduleAfter(this.settings, due.tenant, now) },
      ).then(async (result) => {
        // Nothing was due after all (e.g. time moved back): still move the wake-up on.
        if (result.appended.length === 0) await rescheduleAfter(this.settings, due.tenant, now)(tx, [], result.state);
      });
      return true;
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        while (!this.stopped && (await this.evaluateNext()));
      } catch (error) {
        if (!(error instanceof StreamVersionConflict))
          this.logger.error(`SLA evaluation failed: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, this.config.slaMonitor.pollIntervalMs));
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}
