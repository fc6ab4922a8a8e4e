/**
 * Starts one service as an HTTP application: security headers, CORS allow-list, strict validation,
 * 1 MB body limit, error mapping, OpenAPI docs at /docs (with bearer and API key schemes), graceful
 * shutdown. Authentication, roles and rate limits are global guards of the platform module.
 */
import { Logger, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { withTenantScope } from '@complaints/eventstore';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDraining, startDraining } from './draining';
import { loadServiceConfig, readEnvFile, type ServiceConfig, type ServiceName } from './config';
import type { PlatformOptions } from './platform.module';
import { ErrorFilter, answerClientErrorsAsProblems, strictValidationPipe } from './errors';
import { noStore, refuseBadCorrelationIds, refuseUnreadableContentTypes, verifyJsonBody } from './input-guards';
import { logLevels } from './logging';
import { buildOpenApiDocument } from './openapi';
import { httpMetrics } from './metrics';
import { httpTracing, startTracing, stopTracing } from './tracing';

export interface StartOptions {
  title: string;
  /** Whether this app handles SIGTERM itself; the embedded host handles it for all four. */
  shutdownHooks?: boolean;
}

export async function startService(
  module: DynamicModule,
  config: ServiceConfig,
  options: StartOptions,
): Promise<INestApplication> {
  logLevels(); // refuses a bad LOG_LEVEL before anything starts
  const app = await NestFactory.create<NestExpressApplication>(module, { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  app.use(httpMetrics(config.service));
  app.use(httpTracing(config.service));
  app.use((_req: Request, res: Response, next: NextFunction) => {
    if (isDraining()) res.setHeader('Connection', 'close');
    next();
  });
  app.use(helmet());
  app.use(noStore);
  app.use(refuseBadCorrelationIds);
  app.enableCors({ origin: config.corsOrigins.length ? config.corsOrigins : false, credentials: false });
  app.set('trust proxy', config.trustProxy);
  app.use(refuseUnreadableContentTypes);
  app.useBodyParser('json', { limit: '1mb', verify: verifyJsonBody });
  // Email gateways post whole MIME messages, attachments included.
  app.useBodyParser('raw', { type: 'message/rfc822', limit: '25mb' });
  // One tenant scope per request (after the body parsers, whose callbacks run outside it): the
  // guard binds the caller's tenant, and the database confines every statement to it.
  app.use((_req: Request, _res: Response, next: NextFunction) => withTenantScope(next));
  app.useGlobalPipes(strictValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  if (options.shutdownHooks ?? true) app.enableShutdownHooks();
  const document = buildOpenApiDocument(app, options.title, `http://${config.host}:${config.port}`);
  SwaggerModule.setup('docs', app, document);
  answerClientErrorsAsProblems(app.getHttpServer());
  await app.listen(config.port, config.host);
  new Logger(config.service).log(
    `${options.title} listening on http://${config.host}:${config.port} (docs: /docs, transport: ${
      config.kafkaBrokers.length ? `kafka ${config.kafkaBrokers.join(',')}` : 'embedded'
    })`,
  );
  return app;
}

/** What a service exports so that it can run alone or inside the embedded host. */
export interface ServiceDefinition {
  name: ServiceName;
  title: string;
  module: (options: PlatformOptions) => DynamicModule;
}

/** How long a stopping service may take before it is ended anyway (Kubernetes waits 30 s). */
export const SHUTDOWN_LIMIT_MS = 10_000;
/**
 * How long a stopping service keeps serving before it closes its connections: requests already
 * on their way (sent on a kept-alive connection, or a connection not yet read) are answered
 * instead of reset, while readiness fails so that load balancers send no more.
 */
export const DRAIN_MS = 2_000;

/**
 * SIGTERM or SIGINT: stop accepting connections, let in-flight requests finish, stop consumers
 * after their current batch (positions committed) and the relay, close the database, exit 0.
 * Past SHUTDOWN_LIMIT_MS the process exits 1 rather than hang.
 */
export function stopOnSignals(app: INestApplication, name: string): void {
  drainOnSignals(name, () => app.close());
}

/**
 * The same drain for any host: on SIGTERM or SIGINT, readiness fails and responses close their
 * connections for DRAIN_MS, then `close` runs (the embedded host closes its four applications and
 * its database); exit 0 when it resolves, 1 when it fails or takes longer than SHUTDOWN_LIMIT_MS.
 */
export function drainOnSignals(name: string, close: () => Promise<void>): void {
  const logger = new Logger(name);
  const stop = (signal: NodeJS.Signals) => {
    logger.log(`${signal}: finishing in-flight work, then exiting`);
    startDraining();
    setTimeout(() => {
      logger.error(`Still stopping after ${SHUTDOWN_LIMIT_MS} ms; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    sleep(DRAIN_MS)
      .then(close)
      .then(() => stopTracing())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`Stopping failed: ${error instanceof Error ? error.stack : String(error)}`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Entry point of a service process: configuration from the environment, fail loudly. */
export function runService(definition: ServiceDefinition): void {
  const fail = (error: unknown) => {
    console.error(`${definition.name} failed to start:`, error instanceof Error ? error.message : error);
    process.exit(1);
  };
  try {
    readEnvFile(); // what `npm run keys` wrote; the environment wins over it
    const config = loadServiceConfig(definition.name);
    startTracing(definition.name);
    startService(definition.module({ config }), config, { title: definition.title, shutdownHooks: false })
      .then((app) => stopOnSignals(app, definition.name))
      .catch(fail);
  } catch (error) {
    fail(error);
  }
}
