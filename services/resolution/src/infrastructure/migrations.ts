import { tenantIsolation, type Migration } from '@complaints/eventstore';

export const resolutionMigrations: Migration[] = [
  {
    name: 'FeeWaivers1763800003000',
    up: `
      -- Fee waivers granted per customer: the once-per-period rule reads this in the deciding transaction.
      CREATE TABLE fee_waivers (
        event_id uuid PRIMARY KEY,
        tenant text NOT NULL,
        customer_id text NOT NULL,
        case_id uuid NOT NULL,
        reference text NOT NULL,
        granted_at timestamptz NOT NULL
      );
      CREATE INDEX fee_waivers_by_customer ON fee_waivers (tenant, customer_id, granted_at);
    `,
  },
  {
    name: 'SlaChecks1763800003100',
    up: `
      -- The next instant the SLA monitor must look at a case (warning, breach or escalation step due).
      CREATE TABLE sla_checks (
        case_id uuid PRIMARY KEY,
        tenant text NOT NULL,
        due_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX sla_checks_due ON sla_checks (due_at);
    `,
  },
  {
    name: 'ResolutionTenantIsolation1763800003200',
    // Row-level security (tenant-scope.ts): a request sees only its tenant's rows.
    up: `${tenantIsolation('fee_waivers')} ${tenantIsolation('sla_checks')}`,
  },
  {
    name: 'SlaCheckBackoff1763800003300',
    up: `
      -- Evaluations of the case that failed in a row: the monitor puts its wake-up off further each time.
      ALTER TABLE sla_checks ADD COLUMN failures integer NOT NULL DEFAULT 0;
    `,
  },
  {
    name: 'SlaCheckTenantKeys1763800003400',
    // The tenant in every key that holds tenant data: a case's wake-up is its tenant's, so no write
    // for another tenant's case of the same id moves or deletes it (tenant-keys.insider.spec.ts).
    up: `
      ALTER TABLE sla_checks DROP CONSTRAINT sla_checks_pkey;
      ALTER TABLE sla_checks ADD PRIMARY KEY (tenant, case_id);
    `,
  },
];
