/**
 * Every request but the public ones must carry a verified bearer token or a live API key; the
 * endpoint's roles decide the rest. The actor and tenant of every command come from here.
 */
import {
  ForbiddenException,
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { v7 as uuidv7 } from 'uuid';
import { bindTenant } from '@complaints/eventstore';
import { API_KEYS, TOKEN_VERIFIER } from '../tokens';
import type { RequestMeta } from '../request-meta';
import type { ApiKeys } from './api-keys';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './decorators';
import type { Principal } from './principal';
import { ROLES, type Role } from './roles';
import { InvalidCredentials, NoPlatformRole, type TokenVerifier } from './token-verifier';

export type AuthenticatedRequest = Request & { meta?: RequestMeta };

function header(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first && first.trim() !== '' ? first.trim() : undefined;
}

const outcomes = new WeakMap<Request, Promise<Principal | string>>();

/**
 * The verified caller of a request, or why it is refused: worked out once per request, as the
 * rate limit counts by it (rate-limit.ts) before this guard checks the endpoint's roles.
 */
export function authenticate(request: Request, tokens: TokenVerifier, apiKeys?: ApiKeys): Promise<Principal | string> {
  let outcome = outcomes.get(request);
  if (!outcome) {
    outcome = verify(request, tokens, apiKeys);
    outcomes.set(request, outcome);
  }
  return outcome;
}

async function verify(request: Request, tokens: TokenVerifier, apiKeys?: ApiKeys): Promise<Principal | string> {
  const apiKey = header(request, 'x-api-key');
  if (apiKey !== undefined) {
    const principal = apiKeys ? await apiKeys.verify(apiKey) : undefined;
    return principal ?? 'The API key is unknown, revoked or not accepted by this service';
  }
  const authorization = header(request, 'authorization');
  const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token)
    return 'Authentication required: send "Authorization: Bearer <token>" (or X-Api-Key for a channel adapter)';
  try {
    return await tokens.verify(token);
  } catch (error) {
    if (error instanceof InvalidCredentials) return error.message;
    throw error;
  }
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly tokens: TokenVerifier,
    @Optional() @Inject(API_KEYS) private readonly apiKeys?: ApiKeys,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(request, context.switchToHttp().getResponse<Response>());
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets) ?? [];
    // The caller acts in the most senior of its roles the endpoint accepts.
    const acting = ROLES.filter((role) => allowed.includes(role) && principal.roles.includes(role)).at(-1);
    if (!acting) {
      throw new ForbiddenException(
        `${request.method} ${request.path} is for ${allowed.join(', ') || 'no role'}; the caller is ${principal.roles.join(', ')}`,
      );
    }
    // From here on the database confines this request to its tenant (row-level security).
    bindTenant(principal.tenant);
    request.meta = {
      actor: { id: principal.subject, role: acting },
      tenant: principal.tenant,
      correlationId: header(request, 'x-correlation-id') ?? uuidv7(),
      principal,
    };
    return true;
  }

  private async authenticate(request: Request, response: Response): Promise<Principal> {
    // A verified token that maps to no platform role is a 403 (the caller is known), not a 401.
    const outcome = await authenticate(request, this.tokens, this.apiKeys).catch((error: unknown) => {
      throw error instanceof NoPlatformRole ? new ForbiddenException(error.message) : error;
    });
    if (typeof outcome !== 'string') return outcome;
    response.setHeader('WWW-Authenticate', 'Bearer realm="complaints"');
    throw new UnauthorizedException(outcome);
  }
}
