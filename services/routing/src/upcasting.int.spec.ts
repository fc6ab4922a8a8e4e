/**
 * The upcaster plugged in through the platform module: a routing decision stored before agents
 * were assigned (no `assignment`) is read by the running service as the current shape.
 */
import { randomUUID } from 'node:crypto';
import { EventStore } from '@complaints/eventstore';
import { startInProcess, type InProcessService } from '../../../test/support/in-process';
import { metadata } from '../../../test/fixtures/events';
import { api } from '../../../test/support/auth';
import { routingService } from './routing.module';
import { NOT_ASSIGNED_BEFORE_ASSIGNMENT } from './infrastructure/upcasters';

describe('the routing service reading decisions stored in an older shape', () => {
  let routing: InProcessService;

  beforeAll(async () => {
    routing = await startInProcess(routingService);
  });
  afterAll(async () => {
    await routing?.close();
  });

  it('answers a decision recorded before assignment existed with the assignment the upcaster gives it', async () => {
    const complaintId = randomUUID();
    const before = {
      complaintId,
      reference: 'CMP-2025-000001',
      channel: 'hotline',
      department: 'metering',
      queue: 'power-metering',
      category: 'meter-accuracy',
      priority: 'normal',
      ruleId: 'power-metering',
      matchedKeywords: ['电表'],
      explanation: [],
      ruleTable: 'default.json',
      routedAt: '2025-06-01T08:00:00.000Z',
    };
    // Written as it was then, straight into the store: the service itself no longer writes this shape.
    await routing.db.transaction((tx) =>
      new EventStore().append(tx, `routing-${complaintId}`, 0, [
        {
          eventId: randomUUID(),
          type: 'ComplaintRouted',
          data: before,
          metadata: { ...metadata(new Date(before.routedAt)), tenant: 'grid-east' },
        },
      ]),
    );

    const response = await api(`${routing.base}/routings/${complaintId}`, { headers: { 'x-tenant-id': 'grid-east' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ...before,
      assignment: NOT_ASSIGNED_BEFORE_ASSIGNMENT,
      current: { department: 'metering', queue: 'power-metering' },
    });
    const stored = await routing.db.query<{ data: object }>('SELECT data FROM events WHERE stream_id = $1', [
      `routing-${complaintId}`,
    ]);
    expect(stored.rows[0]?.data).not.toHaveProperty('assignment');
  });
});
