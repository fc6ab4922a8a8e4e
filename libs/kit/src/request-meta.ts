/**
 * Who is acting, for which tenant, within which request: set by the auth guard from the verified
 * token or API key (never from headers the caller chooses) and carried on every command and event.
 */
import { createParamDecorator, ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from '@complaints/decider';
import { departmentScope, type Principal } from './auth/principal';

export interface RequestMeta {
  actor: Actor;
  tenant: string;
  correlationId: string;
  principal: Principal;
}

export const Meta = createParamDecorator((_: unknown, context: ExecutionContext): RequestMeta => {
  const meta = context.switchToHttp().getRequest<Request & { meta?: RequestMeta }>().meta;
  if (!meta) throw new UnauthorizedException('Authentication required');
  return meta;
});

/** Whether a case of `department` (in `tenant`) is the caller's to see. */
export function mayAccess(meta: RequestMeta, tenant: string, department: string | null | undefined): boolean {
  if (tenant !== meta.tenant) return false;
  const scope = departmentScope(meta.principal, meta.actor.role);
  return scope === undefined || (department != null && scope.includes(department));
}

/** The client a request comes from, within its tenant: its API key, else its token's subject. */
export function clientOf(meta: RequestMeta): string {
  const { apiKeyId, subject } = meta.principal;
  return apiKeyId ? `api-key:${apiKeyId}` : `token:${subject}`;
}

/** An API key submits only on the channels it was issued for. */
export function assertChannel(meta: RequestMeta, channel: string): void {
  const allowed = meta.principal.channels;
  if (allowed && !allowed.includes(channel)) {
    throw new ForbiddenException(`This API key submits on ${allowed.join(', ')}, not on "${channel}"`);
  }
}

/** A tenant a caller names (e.g. a `tenant` query parameter) may only be its own: nothing crosses tenants. */
export function ownTenant(meta: RequestMeta, requested: string | undefined): string {
  if (requested !== undefined && requested !== meta.tenant) {
    throw new ForbiddenException(`Only your own tenant (${meta.tenant}) can be read; drop the tenant parameter`);
  }
  return meta.tenant;
}
