/**
 * Who may do what. Roles arrive in the verified token (or with an API key: always `channel`);
 * each endpoint names the roles that may call it, and nothing is open unless it says so.
 */
import { ROLES, isKnownRole, type Role } from '@complaints/contracts';

export { ROLES, isKnownRole, type Role };

/** Roles that see and act only on the cases of the departments named in their token. */
export const DEPARTMENT_SCOPED: readonly Role[] = ['agent', 'department-head'];

/** The groups endpoints name; one place to read who may do what. */
export const CAN = {
  /** Register a complaint: channel adapters and staff taking one down for a customer. */
  submit: ['channel', 'agent', 'supervisor', 'complaints-officer'],
  /** Read a case, its clocks, routing and history. */
  readCases: ['agent', 'supervisor', 'department-head', 'complaints-officer', 'quality-inspector', 'auditor'],
  /** Work a case: the workflow's decisions (the domain checks authority by amount and kind). */
  workCases: ['agent', 'supervisor', 'department-head', 'complaints-officer'],
  /** Move a case between departments, undo a duplicate link. */
  supervise: ['supervisor', 'complaints-officer'],
  /** Management figures (KPIs): the tenant's for oversight roles, their own departments' for department heads. */
  readKpis: ['supervisor', 'department-head', 'complaints-officer', 'quality-inspector', 'auditor'],
  /** Regulator-style returns: the tenant's for audit roles, their own departments' for department heads. */
  readReturns: ['department-head', 'complaints-officer', 'quality-inspector', 'auditor'],
  /** The audit trail itself: verification, point-in-time state, search and export. */
  audit: ['complaints-officer', 'quality-inspector', 'auditor'],
  /** Policies, rules, directory, personal data requests. */
  administer: ['admin', 'complaints-officer'],
} as const satisfies Record<string, readonly Role[]>;
