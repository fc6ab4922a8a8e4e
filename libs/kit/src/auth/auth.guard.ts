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
    const refuse = (message: string) => {
      response.setHeader('WWW-Authenticate', 'Bearer realm="complaints"');
      return new UnauthorizedException(message);
    };
    const apiKey = header(request, 'x-api-key');
    if (apiKey !== undefined) {
      const principal = this.apiKeys ? await this.apiKeys.verify(apiKey) : undefined;
      if (!principal) throw refuse('The API key is unknown, revoked or not accepted by this service');
      return principal;
    }
    const authorization = header(request, 'authorization');
    const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token)
      throw refuse(
        'Authentication required: send "Authorization: Bearer <token>" (or X-Api-Key for a channel adapter)',
      );
    try {
      return await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidCredentials) throw refuse(error.message);
      if (error instanceof NoPlatformRole) throw new ForbiddenException(error.message);
      throw error;
    }
  }
}
