/**
 * SLA and escalation gauges for Prometheus, read from the projections when scraped: clocks
 * running (on open cases), warned and breached per SLA policy; escalations per level.
 */
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Database } from '@complaints/eventstore';
import { DATABASE, observeOnScrape } from '@complaints/kit';

const SLA_CLOCKS = `
  SELECT coalesce(summary->>'slaPolicy', 'none') AS policy, 'running' AS state,
         sum(coalesce(jsonb_array_length(summary->'slaClocks'), 0))::int AS n
    FROM case_summaries WHERE status NOT IN ('resolved', 'closed') GROUP BY 1
  UNION ALL
  SELECT coalesce(s.summary->>'slaPolicy', 'none'),
         CASE h.type WHEN 'case.sla-warning-issued.v1' THEN 'warned' ELSE 'breached' END, count(*)::int
    FROM case_history h JOIN case_summaries s USING (tenant, complaint_id)
   WHERE h.type IN ('case.sla-warning-issued.v1', 'case.sla-breached.v1') GROUP BY 1, 2`;

@Injectable()
export class SlaMetrics implements OnModuleInit, OnApplicationShutdown {
  private readonly unobserve: (() => void)[] = [];

  constructor(@Inject(DATABASE) private readonly db: Database) {}

  onModuleInit(): void {
    this.unobserve.push(
      observeOnScrape(
        'complaints_sla_clocks',
        'SLA clocks per policy: running (on open cases), warned and breached (all time)',
        ['policy', 'state'],
        async () =>
          (await this.db.query<{ policy: string; state: string; n: number }>(SLA_CLOCKS)).rows.map((r) => ({
            labels: { policy: r.policy, state: r.state },
            value: r.n,
          })),
      ),
      observeOnScrape('complaints_escalations', 'Escalations per level (all time)', ['level'], async () =>
        (
          await this.db.query<{ level: string; n: number }>(
            `SELECT coalesce(data->>'level', 'unknown') AS level, count(*)::int AS n
               FROM case_history WHERE type = 'case.escalated.v1' GROUP BY 1`,
          )
        ).rows.map((r) => ({ labels: { level: r.level }, value: r.n })),
      ),
    );
  }

  onApplicationShutdown(): void {
    for (const stop of this.unobserve) stop();
  }
}
