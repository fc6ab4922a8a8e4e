import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '@complaints/eventstore';
import { EMPTY_WORKLOAD } from '../domain/directory';
import { routingDecider, type ComplaintRouted } from '../domain/routing';
import { complaint, DIRECTORY, TABLE } from '../domain/testing';
import { NOT_ASSIGNED_BEFORE_ASSIGNMENT, routingUpcaster } from './upcasters';

const meta = {
  now: new Date('2026-03-02T08:30:00.000Z'),
  actor: { id: 'routing', role: 'system' },
  tenant: 't1',
  correlationId: 'c1',
};
const routedToday = (): ComplaintRouted => {
  const [event] = routingDecider.decide(
    {
      type: 'RouteComplaint',
      data: { complaint: complaint('电表计量不准'), rules: TABLE, directory: DIRECTORY, workload: EMPTY_WORKLOAD },
    },
    routingDecider.initialState(),
    meta,
  );
  return event!.data as ComplaintRouted;
};
const stored = (data: unknown): StoredEvent => ({
  globalPosition: '1',
  transactionId: '1',
  eventId: randomUUID(),
  streamId: 'routing-x',
  streamVersion: 1,
  type: 'ComplaintRouted',
  schemaVersion: 1,
  data,
  metadata: { tenant: 't1', actor: meta.actor, correlationId: 'c1', causationId: null, time: meta.now.toISOString() },
  recordedAt: meta.now,
  hash: null,
});
const fold = (data: ComplaintRouted) =>
  routingDecider.evolve(routingDecider.initialState(), { type: 'ComplaintRouted', data });

describe("routing's upcasters", () => {
  it('reads a decision recorded before assignment existed as one left in its queue', () => {
    const { assignment: _assignment, ...before } = routedToday();
    const upcast = routingUpcaster(stored(before)).data as ComplaintRouted;
    expect(upcast).toEqual({ ...before, assignment: NOT_ASSIGNED_BEFORE_ASSIGNMENT });
    expect(fold(upcast)).toMatchObject({ status: 'routed', current: { department: before.department } });
    const state = fold(upcast);
    expect(state.status === 'routed' ? state.current.agentId : 'not routed').toBeUndefined();
  });

  it('reads a decision with its assignment as it was stored', () => {
    const today = { ...routedToday(), assignment: { strategy: 'round-robin' as const, agentId: 'a-7', reason: 'rr' } };
    expect(routingUpcaster(stored(today)).data).toEqual(today);
    expect(fold(today)).toMatchObject({ status: 'routed', current: { agentId: 'a-7' } });
  });

  it('leaves other events alone', () => {
    const other = { ...stored({ anything: true }), type: 'ComplaintRerouted' };
    expect(routingUpcaster(other)).toEqual(other);
  });
});
