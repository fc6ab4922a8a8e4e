/**
 * The assignment ledger: open assignments per agent and round-robin cursors, read and written in
 * the transaction that routes or reroutes, under a per-tenant lock so that two routers never both
 * hand the last free slot (or the same turn) to one agent.
 */
import type { SqlClient, StoredEvent } from '@complaints/eventstore';
import { nextCursor, type Directory, type Workload } from '../domain/directory';
import type { ComplaintRerouted, ComplaintRouted } from '../domain/routing';

export async function readWorkload(tx: SqlClient, tenant: string): Promise<Workload> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`routing-assignment:${tenant}`]);
  const open = await tx.query<{ agent_id: string; n: string }>(
    `SELECT agent_id, count(*) AS n FROM routing_assignments
      WHERE tenant = $1 AND agent_id IS NOT NULL AND released_at IS NULL GROUP BY agent_id`,
    [tenant],
  );
  const cursors = await tx.query<{ queue: string; position: number }>(
    'SELECT queue, position FROM routing_queue_cursors WHERE tenant = $1',
    [tenant],
  );
  return {
    openByAgent: Object.fromEntries(open.rows.map((r) => [r.agent_id, Number(r.n)])),
    cursorByQueue: Object.fromEntries(cursors.rows.map((r) => [r.queue, r.position])),
  };
}

/** Records where each appended routing event put its complaint and moves the round-robin cursor. */
export async function recordAssignments(
  tx: SqlClient,
  tenant: string,
  directory: Directory,
  appended: StoredEvent[],
): Promise<void> {
  for (const event of appended) {
    if (event.type !== 'ComplaintRouted' && event.type !== 'ComplaintRerouted') continue;
    const data = event.data as ComplaintRouted | ComplaintRerouted;
    const agentId = data.assignment?.agentId ?? null;
    await tx.query(
      `INSERT INTO routing_assignments (complaint_id, tenant, department, queue, agent_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (tenant, complaint_id) DO UPDATE
         SET department = EXCLUDED.department, queue = EXCLUDED.queue, agent_id = EXCLUDED.agent_id, released_at = NULL, updated_at = now()`,
      [data.complaintId, tenant, data.department, data.queue, agentId],
    );
    if (agentId && data.assignment?.strategy === 'round-robin') {
      await tx.query(
        `INSERT INTO routing_queue_cursors (tenant, queue, position) VALUES ($1, $2, $3)
         ON CONFLICT (tenant, queue) DO UPDATE SET position = EXCLUDED.position`,
        [tenant, data.queue, nextCursor(directory, data.department, data.queue, agentId)],
      );
    }
  }
}

/**
 * Closing a case frees its agent's slot; reopening takes it again. Only the tenant's own assignment:
 * the consumer runs for every tenant, and another tenant's case of the same id is another case.
 */
export async function releaseOrRetake(
  tx: SqlClient,
  tenant: string,
  complaintId: string,
  released: boolean,
): Promise<void> {
  await tx.query(
    `UPDATE routing_assignments SET released_at = ${released ? 'now()' : 'NULL'}, updated_at = now()
      WHERE tenant = $1 AND complaint_id = $2`,
    [tenant, complaintId],
  );
}
