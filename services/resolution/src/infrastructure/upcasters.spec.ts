import { randomUUID } from 'node:crypto';
import type { CommandMetadata } from '@complaints/decider';
import type { StoredEvent } from '@complaints/eventstore';
import { DEFAULT_POLICY, SLA_POLICY_PRESETS } from '@complaints/sla';
import type { CaseEventData } from '../domain/case';
import { caseDecider } from '../domain/case.decide';
import { PLAIN_UTC_CALENDAR } from '../domain/testing';
import { resolutionUpcaster, SLA_BEFORE_POLICIES } from './upcasters';

const caseId = randomUUID();
const RECEIVED = '2026-03-02T10:00:00.000Z';
const meta: CommandMetadata = {
  now: new Date(RECEIVED),
  actor: { id: 'resolution', role: 'system' },
  tenant: 't',
  correlationId: 'c',
};
const openedUnder = (policy = DEFAULT_POLICY) =>
  caseDecider.decide(
    {
      type: 'OpenCase',
      data: {
        caseId,
        complaintId: caseId,
        reference: 'CMP-2026-000042',
        department: 'cards',
        queue: 'bank-cards',
        category: 'card-fees',
        priority: 'normal',
        receivedAt: RECEIVED,
        policy,
        calendar: PLAIN_UTC_CALENDAR,
      },
    },
    caseDecider.initialState(),
    meta,
  )[0]!.data as CaseEventData['CaseOpened'];
const stored = (data: unknown): StoredEvent => ({
  globalPosition: '1',
  transactionId: '1',
  eventId: randomUUID(),
  streamId: `case-${caseId}`,
  streamVersion: 1,
  type: 'CaseOpened',
  schemaVersion: 1,
  data,
  metadata: { tenant: 't', actor: meta.actor, correlationId: 'c', causationId: null, time: RECEIVED },
  recordedAt: meta.now,
  hash: null,
});
const fold = (data: CaseEventData['CaseOpened']) =>
  caseDecider.evolve(caseDecider.initialState(), { type: 'CaseOpened', data });

describe("resolution's upcasters", () => {
  it('reads a case opened before SLA policies as running the default policy', () => {
    const { sla: _sla, ...before } = openedUnder();
    const upcast = resolutionUpcaster(stored(before)).data as CaseEventData['CaseOpened'];
    expect(upcast).toEqual({ ...before, sla: SLA_BEFORE_POLICIES });
    expect(SLA_BEFORE_POLICIES.policyId).toBe(DEFAULT_POLICY.id);
    const state = fold(upcast);
    expect(state.status !== 'none' && state.facts.sla.policyId).toBe(DEFAULT_POLICY.id);
  });

  it('reads a case opened under its own policy as it was stored', () => {
    const other = SLA_POLICY_PRESETS.find((p) => p.id !== DEFAULT_POLICY.id)!;
    const today = openedUnder(other);
    expect(resolutionUpcaster(stored(today)).data).toEqual(today);
    const state = fold(today);
    expect(state.status !== 'none' && state.facts.sla.policyId).toBe(other.id);
  });
});
