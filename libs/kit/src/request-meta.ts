/**
 * Who is acting, for which tenant, within which request: read from headers at the HTTP edge and
 * carried on every command and event. (Authentication replaces the actor headers later.)
 */
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '@complaints/decider';

export interface RequestMeta {
  actor: Actor;
  tenant: string;
  correlationId: string;
}

function header(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first && first.trim() !== '' ? first.trim() : undefined;
}

export function requestMetaOf(request: Request): RequestMeta {
  return {
    actor: { id: header(request, 'x-actor-id') ?? 'anonymous', role: header(request, 'x-actor-role') ?? 'channel' },
    tenant: header(request, 'x-tenant-id') ?? 'default',
    correlationId: header(request, 'x-correlation-id') ?? uuidv7(),
  };
}

export const Meta = createParamDecorator((_: unknown, context: ExecutionContext): RequestMeta => {
  const request = context.switchToHttp().getRequest<Request & { meta?: RequestMeta }>();
  request.meta ??= requestMetaOf(request);
  return request.meta;
});
