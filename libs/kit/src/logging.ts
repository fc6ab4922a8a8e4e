/**
 * Structured JSON logs (pino through nestjs-pino): one line per request with its correlation id,
 * tenant, case id, route and status, and every Nest log line as JSON, with the trace and span ids
 * when tracing is on. Requests are logged by method, path (no query string), status and time: no
 * headers, no bodies, so no personal data and no credentials. Health and metrics scrapes are not logged.
 */
import { trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { v7 as uuidv7 } from 'uuid';
import type { LogLevel } from '@nestjs/common';
import { ConfigError, logLevelSetting } from './config';
import type { RequestMeta } from './request-meta';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** LOG_LEVEL names the most detailed level shown: `warn` shows fatal, error and warn. */
export function logLevels(level = logLevelSetting()): LogLevel[] {
  const index = LOG_LEVELS.indexOf(level as LogLevel);
  if (index < 0) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
  return LOG_LEVELS.slice(0, index + 1);
}

const PINO_LEVELS: Record<string, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

type LoggedRequest = IncomingMessage & {
  id?: unknown;
  meta?: RequestMeta;
  params?: Record<string, string>;
  originalUrl?: string;
};

const QUIET = /^\/(health|metrics)(\/|$)/;

export function loggingModule(service: string, instance?: string) {
  const level = PINO_LEVELS[logLevels().at(-1) ?? 'log'] ?? 'info';
  return LoggerModule.forRoot({
    pinoHttp: {
      level,
      base: instance ? { service, instance } : { service },
      messageKey: 'message',
      mixin() {
        const span = trace.getActiveSpan()?.spanContext();
        return span ? { traceId: span.traceId, spanId: span.spanId } : {};
      },
      // The request's correlation id, the same one @Meta() puts on its commands and events.
      genReqId(req: LoggedRequest) {
        const given = req.headers['x-correlation-id'];
        const id = (Array.isArray(given) ? given[0] : given)?.trim() || uuidv7();
        req.headers['x-correlation-id'] = id;
        return id;
      },
      // Called when the request starts (its logger then carries the correlation id) and again when
      // it is answered, once the handler has read the tenant and the route its case id.
      customProps(req: LoggedRequest, res: ServerResponse) {
        if (!res.headersSent) return { correlationId: req.id };
        return {
          ...(req.meta ? { tenant: req.meta.tenant } : {}),
          ...(req.params?.id ? { caseId: req.params.id } : {}),
        };
      },
      autoLogging: { ignore: (req: IncomingMessage) => QUIET.test(req.url ?? '') },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
    },
  });
}
