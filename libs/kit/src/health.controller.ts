/**
 * Liveness and readiness for load balancers and Kubernetes probes (@nestjs/terminus).
 * Live: the process answers. Ready: PostgreSQL answers, the bus answers (the Kafka cluster, or the
 * embedded bus's database), and the outbox relay is not failing or stuck. Public endpoints: no
 * token, no rate limit.
 */
import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from './auth/decorators';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Database } from '@complaints/eventstore';
import type { Transport } from '@complaints/messaging';
import { isDraining } from './draining';
import type { ServiceConfig } from './config';
import { Eventing } from './eventing';
import { DATABASE, SERVICE_CONFIG, TRANSPORT } from './tokens';
import { ApiEndpoint } from './openapi';

/** A probe that takes longer than this counts as down: probes must answer within Kubernetes' timeout. */
export const PROBE_TIMEOUT_MS = 2_500;
/** A relay whose publish has waited this long (the broker away) makes the service unready. */
export const RELAY_STUCK_MS = 15_000;

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class LivenessDto {
  @ApiProperty({ enum: ['ok'] })
  status!: string;
  @ApiProperty({ example: 'intake' })
  service!: string;
}

@ApiTags('health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly eventing: Eventing,
    @Inject(DATABASE) private readonly db: Database,
    @Inject(TRANSPORT) private readonly transport: Transport,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @ApiEndpoint('Liveness', 'The process answers. No credentials.', [], { type: LivenessDto })
  @Get('live')
  live() {
    return { status: 'ok', service: this.config.service, instance: this.config.instanceId };
  }

  @ApiEndpoint(
    'Readiness',
    'PostgreSQL, the bus and the outbox relay are up; 503 while draining or when one is down. No credentials.',
    [],
  )
  @Get('ready')
  @HealthCheck()
  ready() {
    if (isDraining()) throw new ServiceUnavailableException('stopping: finishing in-flight work');
    return this.health.check([
      () => this.probe('database', () => this.db.query('SELECT 1')),
      () => this.probe(this.transport.kind === 'kafka' ? 'kafka' : 'embedded-bus', () => this.transport.ping()),
      () => this.relay(),
    ]);
  }

  private async probe(key: string, check: () => Promise<unknown>) {
    const indicator = this.indicators.check(key);
    try {
      await within(check(), PROBE_TIMEOUT_MS);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  /** Up or down, it says whether this instance holds the relay (`owner`): one instance per service does. */
  private relay() {
    const indicator = this.indicators.check('outbox-relay');
    const statuses = this.eventing.relayStatus();
    const owner = { instance: this.config.instanceId, owner: statuses.some((s) => s.publishing) };
    const failing = statuses.find((s) => !s.healthy || s.busyMs > RELAY_STUCK_MS);
    if (!failing) return indicator.up(owner);
    return indicator.down({
      ...owner,
      message: failing.lastError ?? `publishing has waited ${Math.round(failing.busyMs / 1000)} s for the bus`,
    });
  }
}
