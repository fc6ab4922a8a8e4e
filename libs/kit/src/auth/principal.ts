/** The verified caller: built by the auth guard from a token or an API key, never from headers. */
import type { Role } from './roles';
import { DEPARTMENT_SCOPED } from './roles';

export interface Principal {
  /** The token's `sub`, or `api-key:<name>` for a channel adapter. */
  subject: string;
  tenant: string;
  roles: Role[];
  /** Departments a department-scoped role may see; empty for everyone else. */
  departments: string[];
  /** Channels an API key may submit on; `undefined` means any (tokens). */
  channels?: string[];
  via: 'token' | 'api-key';
  /** The API key's id (names are not unique): what tells two adapters of one tenant apart. */
  apiKeyId?: string;
}

/** The departments the caller is limited to when acting in `role`, or undefined for all of them. */
export function departmentScope(principal: Principal, role: string): string[] | undefined {
  return DEPARTMENT_SCOPED.includes(role as Role) ? principal.departments : undefined;
}
