/**
 * Where identity providers put who the caller is, and how their names become the platform's.
 * Keycloak nests roles (`realm_access.roles`, `resource_access.<client>.roles`), Entra ID uses
 * `roles` and `groups` (app roles, group object ids), Okta `groups`; each names them its own way.
 */
import { ROLES, type Role } from './roles';

/**
 * The values at a dotted path (`realm_access.roles`), arrays flattened. A key that itself holds
 * dots (Auth0's `https://example.com/roles`, Keycloak's `resource_access.my.client`) is matched
 * whole first: at each level the longest run of segments that is a key wins.
 */
export function valuesAt(claims: unknown, path: string): unknown[] {
  const walk = (node: unknown, segments: string[]): unknown[] => {
    if (segments.length === 0) return Array.isArray(node) ? node.flat(Infinity) : node === undefined ? [] : [node];
    if (Array.isArray(node)) return node.flatMap((item) => walk(item, segments));
    if (node === null || typeof node !== 'object') return [];
    for (let take = segments.length; take >= 1; take--) {
      const key = segments.slice(0, take).join('.');
      if (Object.hasOwn(node, key)) return walk((node as Record<string, unknown>)[key], segments.slice(take));
    }
    return [];
  };
  return walk(claims, path.split('.'));
}

/** The strings found at any of `paths`, united, each once, in the order found. */
export function stringsAt(claims: unknown, paths: readonly string[]): string[] {
  const found = paths.flatMap((path) => valuesAt(claims, path)).filter((v): v is string => typeof v === 'string');
  return [...new Set(found)];
}

/** IdP role or group → the platform roles it grants. */
export type RoleMap = Readonly<Record<string, readonly Role[]>>;

/** Without a map, a platform role's own name grants it (the development tokens, a configured IdP). */
export const IDENTITY_ROLE_MAP: RoleMap = Object.fromEntries(ROLES.map((role) => [role, [role]]));

/** The platform roles `names` grant; every name the map does not hold is ignored. */
export function mapRoles(names: readonly string[], map: RoleMap): Role[] {
  const granted = new Set(names.flatMap((name) => (Object.hasOwn(map, name) ? map[name]! : [])));
  return ROLES.filter((role) => granted.has(role));
}
