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
import { DomainError } from '@complaints/decider';
import { StreamVersionConflict } from '@complaints/eventstore';
import { isInfrastructureFailure } from '@complaints/messaging';
import { unstorableText } from './input-guards';

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

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof DomainError) {
      const status = STATUS_OF[error.kind];
      response.status(status).json({ statusCode: status, error: error.name, message: error.message, ...error.details });
      return;
    }
    if (error instanceof StreamVersionConflict) {
      response.status(409).json({ statusCode: 409, error: 'Conflict', message: error.message });
      return;
    }
    if (error instanceof HttpException) {
      const body = error.getResponse();
      response
        .status(error.getStatus())
        .json(typeof body === 'string' ? { statusCode: error.getStatus(), message: body } : body);
      return;
    }
    // The database is down or the connection dropped: nothing the caller did wrong, and nothing
    // it may count on being stored. A retry (with the same Idempotency-Key) is safe.
    if (isInfrastructureFailure(error)) {
      this.logger.warn(`Database unavailable: ${(error as Error).message}`);
      response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      response.status(503).json({
        statusCode: 503,
        error: 'Service Unavailable',
        message: `The service cannot reach its database; retry after ${RETRY_AFTER_SECONDS} s (with the same Idempotency-Key, a retry cannot create a duplicate)`,
      });
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
      response.status(400).json({
        statusCode: 400,
        error: 'Bad Request',
        message: 'The request holds a value out of the range or form the service can store; check dates and numbers',
      });
      return;
    }
    // body-parser errors (413 too large, 400 malformed JSON, 400 not UTF-8 or too deep, 415) carry their own status.
    const status =
      (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = status === 413 ? tooLarge(error) : (error as Error).message;
      response.status(status).json({ statusCode: status, message });
      return;
    }
    this.logger.error(error instanceof Error ? error.stack : String(error));
    response.status(500).json({ statusCode: 500, message: 'Internal server error' });
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
