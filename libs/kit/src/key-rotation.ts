/**
 * Master-key rotation on a schedule (libs/privacy KeyVault.rotate): within
 * PII_KEY_ROTATION_AFTER_ERASURE_MS of an erasure — erasures meanwhile share one rotation — and
 * whenever the master key is PII_KEY_ROTATION_INTERVAL_MS old. Every instance of every service
 * checks; the vault's advisory lock lets one rotate, and the others then find nothing due.
 */
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { KeyVault } from '@complaints/privacy';
import type { ServiceConfig } from './config';
import { KEY_VAULT, SERVICE_CONFIG } from './tokens';

const HOUR = 3_600_000;

@Injectable()
export class KeyRotation implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('KeyRotation');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(KEY_VAULT) private readonly vault: KeyVault,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.vault.rotatable) {
      this.logger.warn(
        'PII_KEY_DIR is not set: the master key never rotates, so an erased subject stays recoverable from WAL, archives and backups by whoever holds PII_MASTER_KEY (docs/personal-data.md)',
      );
      return;
    }
    const { rotationIntervalMs, rotationAfterErasureMs } = this.config.piiKeys;
    // At least hourly: an erasure is then never left waiting longer, and an interval longer than
    // setInterval's 24.8-day limit still works.
    const tick = Math.min(...[rotationIntervalMs, rotationAfterErasureMs, HOUR].filter((ms) => ms > 0));
    this.timer = setInterval(() => void this.rotateIfDue(), tick);
    this.timer.unref();
  }

  async rotateIfDue(): Promise<void> {
    const { rotationIntervalMs } = this.config.piiKeys;
    try {
      const rotation = await this.vault.rotate({ onlyIfDue: { intervalMs: rotationIntervalMs } });
      if (rotation) {
        this.logger.log(
          `master key ${rotation.masterKeyId} now wraps the live data keys (${rotation.rewrapped} re-wrapped); destroyed ${rotation.destroyed.join(', ') || 'none'}`,
        );
      }
    } catch (error) {
      this.logger.error(`master-key rotation failed, the old key is kept: ${(error as Error).message}`);
    }
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
