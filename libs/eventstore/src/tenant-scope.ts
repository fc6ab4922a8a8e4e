/**
 * Tenants kept apart by PostgreSQL itself (row-level security), under the application code.
 *
 * Every request runs in a tenant scope (an AsyncLocalStorage store the HTTP edge opens and the
 * authentication guard fills in). While a scope holds a tenant, every statement the database layer
 * runs — a single query or a whole transaction — runs inside a transaction as the role
 * `complaints_tenant` with `app.tenant` set to that tenant. That role is neither owner nor superuser,
 * so the policies of `tenantIsolation` apply: it sees and writes only the tenant's rows, and no rows
 * at all when no tenant is set. Work that is for every tenant (consumers, the outbox relay, the SLA
 * monitor, the rebuild) runs outside any scope, as the service's own database user.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { escapeLiteral } from 'pg';

/** The role requests run as; created by the migrations when missing (see `tenantRoleSql`). */
export const TENANT_ROLE = 'complaints_tenant';

interface Scope {
  tenant?: string;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Runs `work` in a new, still empty tenant scope (one per HTTP request). */
export function withTenantScope<T>(work: () => T): T {
  return scopes.run({}, work);
}

/** Sets the tenant of the current scope, once the caller is authenticated. Outside a scope: an error. */
export function bindTenant(tenant: string): void {
  const scope = scopes.getStore();
  if (!scope) throw new Error('bindTenant outside a tenant scope: the HTTP edge opens one per request');
  if (scope.tenant !== undefined && scope.tenant !== tenant) {
    throw new Error(`This request is already bound to another tenant`);
  }
  scope.tenant = tenant;
}

/** The tenant whose rows the database layer confines the current work to, if any. */
export function currentTenant(): string | undefined {
  return scopes.getStore()?.tenant;
}

/** Runs `work` for every tenant (outside the current scope): for checks that must see the whole log. */
export function forAllTenants<T>(work: () => T): T {
  return scopes.exit(work);
}

/**
 * The statements that open a transaction confined to a tenant. They travel as one simple query
 * (no parameters: a multi-statement query cannot have any), so the tenant goes in as a quoted literal.
 */
export function beginInTenantSql(tenant: string): string {
  return `BEGIN; SELECT set_config('role', '${TENANT_ROLE}', true), set_config('app.tenant', ${escapeLiteral(tenant)}, true)`;
}

/**
 * Row-level security on a table: the tenant role reads and writes only rows whose `tenantOf`
 * expression equals `app.tenant` (none when it is unset). The table's owner is not subject to it.
 */
export function tenantIsolation(table: string, tenantOf = 'tenant'): string {
  const mine = `${tenantOf} = current_setting('app.tenant', true)`;
  return `
    ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON ${table} USING (${mine}) WITH CHECK (${mine});`;
}

/**
 * The tenant role and its rights on one schema: created when missing (several services may start
 * at once), granted to the connecting user when it is not a member yet, and allowed to use every
 * table and sequence of the schema (row-level security then decides which rows), except rewriting
 * the event log or the audit checkpoints.
 */
export function tenantRoleSql(schema: string): string {
  return `
    ${ensureTenantRoleSql()}
    GRANT USAGE ON SCHEMA "${schema}" TO ${TENANT_ROLE};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO ${TENANT_ROLE};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "${schema}" TO ${TENANT_ROLE};
    DO $$
    BEGIN
      -- Requests append events and read them; rewriting the log is no request's business.
      IF to_regclass('"${schema}".events') IS NOT NULL THEN
        REVOKE UPDATE, DELETE, TRUNCATE ON "${schema}".events FROM ${TENANT_ROLE};
      END IF;
      IF to_regclass('"${schema}".audit_checkpoints') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "${schema}".audit_checkpoints FROM ${TENANT_ROLE};
      END IF;
    END $$;`;
}

/**
 * Creates the tenant role when missing and makes the connecting user a member: for a schema
 * without tenant rows that grants the role a function or two (the key vault).
 */
export function ensureTenantRoleSql(): string {
  return `
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${TENANT_ROLE}') THEN
        BEGIN
          CREATE ROLE ${TENANT_ROLE} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
      END IF;
      IF NOT pg_has_role(current_user, '${TENANT_ROLE}', 'MEMBER') THEN
        EXECUTE format('GRANT ${TENANT_ROLE} TO %I', current_user);
      END IF;
    END $$;`;
}
