import { tenantIsolation, type Migration } from '@complaints/eventstore';

export const routingMigrations: Migration[] = [
  {
    name: 'RoutingAssignments1763900001000',
    up: `
      -- Who holds each routed complaint, kept from routing's own events in the deciding transaction:
      -- least-loaded and capacity read the open count per agent from here.
      CREATE TABLE routing_assignments (
        complaint_id uuid PRIMARY KEY,
        tenant text NOT NULL,
        department text NOT NULL,
        queue text NOT NULL,
        agent_id text,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX routing_assignments_by_agent ON routing_assignments (tenant, agent_id) WHERE agent_id IS NOT NULL;
      -- Where the next round-robin turn of each queue starts.
      CREATE TABLE routing_queue_cursors (
        tenant text NOT NULL,
        queue text NOT NULL,
        position integer NOT NULL,
        PRIMARY KEY (tenant, queue)
      );
    `,
  },
  {
    name: 'RoutingAssignmentRelease1763900001100',
    up: `
      -- An assignment stops counting against the agent's capacity when its case closes.
      ALTER TABLE routing_assignments ADD COLUMN released_at timestamptz;
    `,
  },
  {
    name: 'RoutingTenantIsolation1763900001200',
    // Row-level security (tenant-scope.ts): a request sees only its tenant's rows.
    up: `${tenantIsolation('routing_assignments')} ${tenantIsolation('routing_queue_cursors')}`,
  },
  {
    name: 'RoutingTenantKeys1763900001300',
    // The tenant in every key that holds tenant data: an assignment is its tenant's, so another
    // tenant's routing or closing of the same complaint id never moves or frees it
    // (tenant-keys.insider.spec.ts).
    up: `
      ALTER TABLE routing_assignments DROP CONSTRAINT routing_assignments_pkey;
      ALTER TABLE routing_assignments ADD PRIMARY KEY (tenant, complaint_id);
    `,
  },
];
