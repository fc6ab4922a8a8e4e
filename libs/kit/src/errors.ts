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
  type ExceptionFilter,
  type ValidationError,
} from '@nestjs/common';
import type { Response } from 'express';
import { DomainError } from '@complaints/decider';
import { StreamVersionConflict } from '@complaints/eventstore';

const STATUS_OF: Record<DomainError['kind'], number> = {
  'invalid-state': HttpStatus.CONFLICT,
  'not-found': HttpStatus.NOT_FOUND,
  rejected: HttpStatus.UNPROCESSABLE_ENTITY,
  conflict: HttpStatus.CONFLICT,
};

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
    // body-parser errors (413 too large, 400 malformed JSON) carry their own status.
    const status =
      (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = status === 413 ? 'Request body exceeds the 1 MB limit' : (error as Error).message;
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

/** Whitelisting validation: unknown fields are refused, every bad field is listed. */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'The request body is invalid',
        violations: flattenViolations(errors),
      }),
  });
}
