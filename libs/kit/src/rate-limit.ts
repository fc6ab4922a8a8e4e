/**
 * The rate limit counts per client, over every route together: per API key, else per token
 * subject (of its tenant), else per client address, each only once verified — a made-up key or
 * token counts against the address it came from. The counts live in the memory of each instance
 * (docs/security.md: with N instances behind a balancer a client gets up to N times the limit).
 */
import { Inject, Injectable, Optional, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request } from 'express';
import { apiKeyIdOf, type ApiKeys } from './auth/api-keys';
import { authenticate } from './auth/auth.guard';
import type { TokenVerifier } from './auth/token-verifier';
import { API_KEYS, TOKEN_VERIFIER } from './tokens';

@Injectable()
export class ClientThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly tokens: TokenVerifier,
    @Optional() @Inject(API_KEYS) private readonly apiKeys?: ApiKeys,
  ) {
    super(options, storage, reflector);
  }

  protected override async getTracker(request: Request): Promise<string> {
    const principal = await authenticate(request, this.tokens, this.apiKeys).catch(() => undefined);
    if (principal !== undefined && typeof principal !== 'string') {
      if (principal.via === 'api-key') return `api-key:${apiKeyIdOf(String(request.headers['x-api-key']).trim())}`;
      return `token:${principal.tenant}:${principal.subject}`;
    }
    return `ip:${request.ip ?? 'unknown'}`;
  }

  /** One count per client and limit, whatever the route (the default counts each route apart). */
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }
}
