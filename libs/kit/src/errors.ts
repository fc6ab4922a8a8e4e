/**
 * Maps refusals to HTTP: domain errors carry their kind, the edge picks the status. Bad input is
 * a 4xx that names the problem; anything unexpected is a 500 that hides internals.
 */
import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  ValidationPipe,
  type ArgumentMetadata,
  type ExceptionFilter,
  type ValidationError,
} from '@nestjs/common';
import type { Response } from 'express';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { DomainError } from '@complaints/decider';
import { StreamVersionConflict } from '@complaints/eventstore';
import { isInfrastructureFailure } from '@complaints/messaging';
import { isCorrelationId, unstorableText } from './input-guards';

/** Seconds a client is told to wait (Retry-After) when the service's database is unreachable. */
export const RETRY_AFTER_SECONDS = 5;

const STATUS_OF: Record<DomainError['kind'], number> = {
  'invalid-state': HttpStatus.CONFLICT,
  'not-found': HttpStatus.NOT_FOUND,
  rejected: HttpStatus.UNPROCESSABLE_ENTITY,
  conflict: HttpStatus.CONFLICT,
};

/** body-parser's 413 carries the limit of the parser that refused (1 MB for JSON, 25 MB for email). */
function tooLarge(error: unknown): string {
  const limit = (error as { limit?: unknown }).limit;
  return typeof limit === 'number'
    ? `Request body exceeds the ${Math.round((limit / 1024 / 1024) * 10) / 10} MB limit`
    : (error as Error).message;
}

/** The media type of every error answer (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * The stable problem types: clients branch on `type`, never on `detail` (which is for people and
 * may be reworded). Tag URIs (RFC 4151): stable names that need no server to resolve them; each is
 * described in docs/integration.md.
 */
export const PROBLEM_TYPE_BASE = 'tag:complaints-platform,2026:problem/';
export const PROBLEM_TYPES = {
  'invalid-input': { status: 400, title: 'The request is invalid' },
  unauthenticated: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Not permitted' },
  'not-found': { status: 404, title: 'Not found' },
  'invalid-state': { status: 409, title: 'Not possible in the current state' },
  conflict: { status: 409, title: 'Conflict' },
  'concurrent-update': { status: 409, title: 'Changed concurrently' },
  'payload-too-large': { status: 413, title: 'Request body too large' },
  'headers-too-large': { status: 431, title: 'Request line or headers too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  rejected: { status: 422, title: 'Rejected by the rules of the domain' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  unavailable: { status: 503, title: 'Service unavailable' },
} as const;
export type ProblemTypeName = keyof typeof PROBLEM_TYPES;

/** One invalid field and why. */
export interface ProblemFieldError {
  field: string;
  reason: string;
}

/** An RFC 9457 problem document, with this platform's extension members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  correlationId?: string;
  errors?: ProblemFieldError[];
  [extension: string]: unknown;
}

/** The problem type a status gives when nothing more specific is known. */
function typeForStatus(status: number): ProblemTypeName | undefined {
  const byStatus: Record<number, ProblemTypeName> = {
    400: 'invalid-input',
    401: 'unauthenticated',
    403: 'forbidden',
    404: 'not-found',
    409: 'conflict',
    413: 'payload-too-large',
    415: 'unsupported-media-type',
    422: 'rejected',
    429: 'rate-limited',
    431: 'headers-too-large',
    500: 'internal',
    503: 'unavailable',
  };
  return byStatus[status];
}

const TYPE_OF_KIND: Record<DomainError['kind'], ProblemTypeName> = {
  'invalid-state': 'invalid-state',
  'not-found': 'not-found',
  rejected: 'rejected',
  conflict: 'conflict',
};

const REASON_PHRASES: Record<number, string> = {
  405: 'Method not allowed',
  406: 'Not acceptable',
  408: 'Request timeout',
  410: 'Gone',
  411: 'Length required',
  412: 'Precondition failed',
  428: 'Precondition required',
};

interface ProblemRequest {
  id?: unknown;
  originalUrl?: string;
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
}

/** Builds the problem document: known types by name, other statuses as about:blank with their reason phrase. */
export function problem(
  status: number,
  detail: string,
  request: ProblemRequest | undefined,
  options: { type?: ProblemTypeName; errors?: ProblemFieldError[]; extensions?: Record<string, unknown> } = {},
): Problem {
  const name = options.type ?? typeForStatus(status);
  const given = request?.headers?.['x-correlation-id'];
  const id = typeof request?.id === 'string' ? request.id : Array.isArray(given) ? given[0] : given;
  // The id a refused X-Correlation-Id was refused for is not echoed: it may be markup.
  const correlationId = isCorrelationId(id) ? id : undefined;
  // Extension members come first: none of them may stand in for a member RFC 9457 defines.
  return {
    ...options.extensions,
    type: name ? `${PROBLEM_TYPE_BASE}${name}` : 'about:blank',
    title: name ? PROBLEM_TYPES[name].title : (REASON_PHRASES[status] ?? `HTTP ${status}`),
    status,
    detail,
    // The path only: a query string may carry personal data into the client's logs.
    ...(request ? { instance: (request.originalUrl ?? request.url ?? '').split('?')[0] } : {}),
    ...(correlationId ? { correlationId } : {}),
    ...(options.errors?.length ? { errors: options.errors } : {}),
  };
}

/** What a Nest HttpException carries, in whichever of its shapes (ours carry `violations`). */
function fromHttpException(error: HttpException): {
  detail: string;
  errors: ProblemFieldError[];
  extensions: Record<string, unknown>;
} {
  const body = error.getResponse();
  if (typeof body === 'string') return { detail: body, errors: [], extensions: {} };
  // Nest's own members are replaced by RFC 9457's; anything else (the readiness check's failing
  // indicators under `error`, say) stays as an extension member.
  const {
    message,
    violations,
    statusCode: _statusCode,
    status: _status,
    error: reason,
    ...rest
  } = body as { message?: unknown; violations?: FieldViolation[]; [key: string]: unknown };
  const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : error.message;
  const errors = (violations ?? []).map((v) => ({ field: v.field, reason: v.problems.join('; ') }));
  return { detail, errors, extensions: typeof reason === 'string' ? rest : { ...rest, error: reason } };
}

/**
 * What Node's HTTP parser refuses before any middleware runs (a request line or headers over its
 * 16 KB limit, a malformed request) is answered as a problem too, instead of Node's bare status
 * line: a client reads every refusal the same way.
 */
export function answerClientErrorsAsProblems(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, detail] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'The request line and headers exceed 16 KB; shorten the URL (ids and query parameters) or the headers']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'The request was not received in time']
          : [400, 'The request is not well-formed HTTP/1.1'];
    const body = JSON.stringify(problem(status, detail, undefined));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<ProblemRequest | undefined>();
    const send = (
      status: number,
      detail: string,
      options?: { type?: ProblemTypeName; errors?: ProblemFieldError[]; extensions?: Record<string, unknown> },
    ) => {
      response.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
      response.status(status).send(JSON.stringify(problem(status, detail, request, options)));
    };
    if (error instanceof DomainError) {
      send(STATUS_OF[error.kind], error.message, { type: TYPE_OF_KIND[error.kind], extensions: error.details });
      return;
    }
    if (error instanceof StreamVersionConflict) {
      send(409, error.message, { type: 'concurrent-update' });
      return;
    }
    if (error instanceof HttpException) {
      const { detail, errors, extensions } = fromHttpException(error);
      send(error.getStatus(), detail, { errors, extensions });
      return;
    }
    // The database is down or the connection dropped: nothing the caller did wrong, and nothing
    // it may count on being stored. A retry (with the same Idempotency-Key) is safe.
    if (isInfrastructureFailure(error)) {
      this.logger.warn(`Database unavailable: ${(error as Error).message}`);
      response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      send(
        503,
        `The service cannot reach its database; retry after ${RETRY_AFTER_SECONDS} s (with the same Idempotency-Key, a retry cannot create a duplicate)`,
      );
      return;
    }
    // A value PostgreSQL refuses as data (class 22: bad text representation, out of range, ...)
    // came from the request: whatever slipped past validation is still the caller's to fix. The
    // database's own text stays in the log: it describes our schema, not the caller's mistake.
    const sqlState =
      (error as { driverError?: { code?: unknown } }).driverError?.code ?? (error as { code?: unknown }).code;
    if (typeof sqlState === 'string' && /^22[0-9A-Z]{3}$/.test(sqlState)) {
      this.logger.warn(
        `Refused a value the database cannot accept (SQLSTATE ${sqlState}): ${(error as Error).message}`,
      );
      send(400, 'The request holds a value out of the range or form the service can store; check dates and numbers');
      return;
    }
    // body-parser errors (413 too large, 400 malformed JSON, 400 not UTF-8 or too deep, 415) carry their own status.
    const status =
      (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      send(status, status === 413 ? tooLarge(error) : (error as Error).message);
      return;
    }
    this.logger.error(error instanceof Error ? error.stack : String(error));
    send(500, 'Internal server error');
  }
}

export interface FieldViolation {
  field: string;
  problems: string[];
}

export function flattenViolations(errors: ValidationError[], parent = ''): FieldViolation[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flattenViolations(error.children ?? [], field)];
  });
}

const invalidInput = (violations: FieldViolation[]) =>
  new BadRequestException({
    statusCode: 400,
    error: 'Bad Request',
    message: `The request is invalid: ${violations
      .slice(0, 10)
      .map((v) => v.problems.join(', '))
      .join('; ')}${violations.length > 10 ? `; and ${violations.length - 10} more` : ''}`,
    violations,
  });

/**
 * Whitelisting validation: unknown fields are refused, and every bad field is listed — those the
 * DTO's decorators refuse, and text no database stores or a null in place of an optional field,
 * which decorators let through (see input-guards.ts).
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'custom') return super.transform(value, metadata);
    const name = metadata.data ?? (metadata.type === 'body' ? '' : metadata.type);
    const unstorable: FieldViolation[] = unstorableText(value, name, metadata.type !== 'body').map((problem) => ({
      field: problem.split(' ')[0]!,
      problems: [problem],
    }));
    let validated: unknown;
    try {
      validated = await super.transform(value, metadata);
    } catch (error) {
      if (unstorable.length === 0) throw error;
      // Some validators throw on invalid Unicode (isEmail: URIError); the text is refused anyway.
      const refused = error instanceof BadRequestException ? error.getResponse() : undefined;
      const violations = (refused as { violations?: FieldViolation[] } | undefined)?.violations ?? [];
      throw invalidInput([...violations, ...unstorable]);
    }
    if (unstorable.length > 0) throw invalidInput(unstorable);
    return validated;
  }
}

export function strictValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => invalidInput(flattenViolations(errors)),
  });
}
