/**
 * Business refusals. The domain throws them; the HTTP edge maps each kind to a status code
 * (see libs/kit), so the domain never knows about HTTP.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: 'invalid-state' | 'not-found' | 'rejected' | 'conflict';
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The command is not allowed in the aggregate's current state (HTTP 409). */
export class InvalidStateError extends DomainError {
  readonly kind = 'invalid-state' as const;
  constructor(command: string, state: string, reason?: string) {
    super(`Cannot ${command}: the case is ${state}${reason ? ` (${reason})` : ''}`, { command, state });
  }
}

/** The aggregate does not exist (HTTP 404). */
export class NotFoundError extends DomainError {
  readonly kind = 'not-found' as const;
  constructor(what: string, id: string) {
    super(`${what} ${id} was not found`, { id });
  }
}

/** A business rule refuses the command although the state would allow it (HTTP 422). */
export class RuleRejectedError extends DomainError {
  readonly kind = 'rejected' as const;
}
