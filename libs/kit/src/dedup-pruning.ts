/**
 * Prunes this service's de-duplication tables on a schedule (libs/messaging dedup-retention.ts):
 * every DEDUP_PRUNE_INTERVAL_MS, rows older than DEDUP_RETENTION_DAYS go. Every instance prunes;
 * the deletes are idempotent, so two at once only share the work.
 */
import { Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { Database } from '@complaints/eventstore';
import { pruneDedupTables, type DedupTable } from '@complaints/messaging';
import type { DedupRetentionConfig } from './config';

export class DedupPruning implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DedupPruning');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly config: DedupRetentionConfig,
    readonly tables: readonly DedupTable[],
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.intervalMs === 0) return;
    this.timer = setInterval(() => void this.prune(), this.config.intervalMs);
    this.timer.unref();
  }

  async prune(): Promise<Record<string, number>> {
    try {
      const pruned = await pruneDedupTables(this.db, this.tables, this.config.retentionMs);
      const total = Object.values(pruned).reduce((a, b) => a + b, 0);
      if (total > 0) this.logger.log(`pruned de-duplication rows past their retention: ${JSON.stringify(pruned)}`);
      return pruned;
    } catch (error) {
      this.logger.error(`pruning de-duplication rows failed, tried again next time: ${(error as Error).message}`);
      return {};
    }
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
