/**
 * Starts one service as an HTTP application: strict validation, 1 MB body limit, error mapping,
 * OpenAPI docs at /docs, graceful shutdown.
 */
import { Logger, type DynamicModule, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDraining, startDraining } from './draining';
import { ConfigError, loadServiceConfig, type ServiceConfig, type ServiceName } from './config';
import type { PlatformOptions } from './platform.module';
import { ErrorFilter, strictValidationPipe } from './errors';
import { refuseUnreadableContentTypes, verifyJsonBody } from './input-guards';

export interface StartOptions {
  title: string;
  /** Whether this app handles SIGTERM itself; the embedded host handles it for all four. */
  shutdownHooks?: boolean;
}

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** LOG_LEVEL names the most detailed level shown: `warn` shows fatal, error and warn. */
export function logLevels(level = process.env.LOG_LEVEL ?? 'log'): LogLevel[] {
  const index = LOG_LEVELS.indexOf(level as LogLevel);
  if (index < 0) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return LOG_LEVELS.slice(0, index + 1);
}

export async function startService(
  module: DynamicModule,
  config: ServiceConfig,
  options: StartOptions,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    logger: logLevels(),
  });
  app.use((_req: Request, res: Response, next: NextFunction) => {
    if (isDraining()) res.setHeader('Connection', 'close');
    next();
  });
  app.use(refuseUnreadableContentTypes);
  app.useBodyParser('json', { limit: '1mb', verify: verifyJsonBody });
  // Email gateways post whole MIME messages, attachments included.
  app.useBodyParser('raw', { type: 'message/rfc822', limit: '25mb' });
  app.useGlobalPipes(strictValidationPipe());
  app.useGlobalFilters(new ErrorFilter());
  if (options.shutdownHooks ?? true) app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle(options.title)
      .setVersion('1')
      .addServer(`http://${config.host}:${config.port}`)
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
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
  const logger = new Logger(name);
  const stop = (signal: NodeJS.Signals) => {
    logger.log(`${signal}: finishing in-flight work, then exiting`);
    startDraining();
    setTimeout(() => {
      logger.error(`Still stopping after ${SHUTDOWN_LIMIT_MS} ms; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS).unref();
    sleep(DRAIN_MS)
      .then(() => app.close())
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
    const config = loadServiceConfig(definition.name);
    startService(definition.module({ config }), config, { title: definition.title, shutdownHooks: false })
      .then((app) => stopOnSignals(app, definition.name))
      .catch(fail);
  } catch (error) {
    fail(error);
  }
}
