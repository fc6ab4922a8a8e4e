/** What an endpoint declares: open to everyone (health only), or the roles that may call it. */
import { SetMetadata } from '@nestjs/common';
import type { Role } from './roles';

export const PUBLIC_ROUTE = 'complaints:public';
export const ALLOWED_ROLES = 'complaints:roles';

/** No token needed: health and metrics. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** The roles that may call this endpoint (on a controller: all of its endpoints). */
export const Roles = (...roles: readonly Role[]) => SetMetadata(ALLOWED_ROLES, roles);
