/**
 * The SLA monitor: claims due wake-ups one case at a time (FOR UPDATE SKIP LOCKED) and passes the
 * case's one write path an EvaluateSla, so the domain decides what is due (warnings, breaches,
 * escalation steps, notifying from the tenant's escalation directory version in force at that
 * instant and naming it) and the path appends it and reschedules, all in one transaction. A warning or
 * breach is a fact on the case stream, so evaluating a case twice records nothing twice; a crash
 * rolls the claim back and another instance takes it. An evaluation that fails is rolled back to
 * the claim and puts that case off alone (exponential back-off, logged and counted in
 * complaints_sla_evaluations_backing_off), and the monitor goes on with the next due case.
 */
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { StreamVersionConflict, type Database, type SqlClient } from '@complaints/eventstore';
import { CLOCK, DATABASE, observeOnScrape, SERVICE_CONFIG, type Clock, type ServiceConfig } from '@complaints/kit';
import type { CaseState } from '../domain/case';
import type { CaseCommand } from '../domain/case.decide';
import { CaseWriter } from './case-writer';
import { ResolutionPolicies } from './policies';
import { SlaSettings } from './sla-settings';
import { backOffSlaCheck, caseCalendar, checksBackingOff, claimDueCheck, type DueCheck } from './sla-schedule';

const SYSTEM = { id: 'sla-monitor', role: 'system' };

@Injectable()
export class SlaMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SlaMonitor');
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly unobserve: () => void;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    private readonly writer: CaseWriter,
    private readonly settings: SlaSettings,
    private readonly policies: ResolutionPolicies,
  ) {
    this.unobserve = observeOnScrape(
      'complaints_sla_evaluations_backing_off',
      'Cases whose SLA evaluation failed and is retried later (exponential back-off per case)',
      ['service'],
      async () => [{ labels: { service: this.config.service }, value: await checksBackingOff(this.db) }],
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.slaMonitor.enabled) this.loop = this.run();
  }

  /** Evaluates one due case (or puts it off when its evaluation fails); false when none is due. */
  async evaluateNext(): Promise<boolean> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const due = await claimDueCheck(tx, now);
      if (!due) return false;
      await tx.query('SAVEPOINT evaluation');
      try {
        const author = { actor: SYSTEM, tenant: due.tenant, correlationId: `sla-${due.caseId}` };
        await this.writer.writeIn(tx, due.caseId, (state) => Promise.resolve(this.evaluation(due, state, now)), author);
      } catch (error) {
        await tx.query('ROLLBACK TO SAVEPOINT evaluation');
        // A command on the case won the race: nothing failed, the case is claimed and evaluated again.
        if (!(error instanceof StreamVersionConflict)) await this.backOff(tx, due, now, error as Error);
      }
      return true;
    });
  }

  private evaluation(due: DueCheck, state: CaseState, now: Date): CaseCommand {
    const calendar = caseCalendar(this.settings, state, due.tenant, now);
    const directory = this.policies.directoryFor(due.tenant, now);
    return { type: 'EvaluateSla', data: { caseId: due.caseId, calendar, directory } };
  }

  private async backOff(tx: SqlClient, due: DueCheck, now: Date, error: Error): Promise<void> {
    const retryAt = await backOffSlaCheck(tx, due, now);
    this.logger.error(
      `SLA evaluation of case ${due.caseId} failed ${due.failures + 1} time(s) in a row, next try at ${retryAt.toISOString()}: ${error.message}`,
    );
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
    this.unobserve();
    this.stopped = true;
    await this.loop;
  }
}
