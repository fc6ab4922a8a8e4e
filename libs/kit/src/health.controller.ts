/** Liveness and readiness for load balancers and Kubernetes probes. */
import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Database } from '@complaints/eventstore';
import { isDraining } from './draining';
import type { ServiceConfig } from './config';
import { DATABASE, SERVICE_CONFIG } from './tokens';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Get('live')
  live() {
    return { status: 'ok', service: this.config.service };
  }

  @Get('ready')
  async ready() {
    if (isDraining()) throw new ServiceUnavailableException('stopping: finishing in-flight work');
    try {
      await this.db.query('SELECT 1');
    } catch (error) {
      throw new ServiceUnavailableException(`database unreachable: ${(error as Error).message}`);
    }
    return {
      status: 'ok',
      service: this.config.service,
      transport: this.config.kafkaBrokers.length ? 'kafka' : 'embedded',
    };
  }
}
