import { complaintReceivedV1 } from './events';
import { TARGET_KINDS, TARGET_KINDS_BY_SECTOR } from './vocabularies';

const received = (kind: string) => ({
  complaintId: '0190a1b2-0000-7000-8000-000000000001',
  reference: 'CMP-2026-000001',
  channel: 'web',
  complainant: { name: 'pii:v1:k:x', contact: {} },
  description: 'pii:v1:k:y',
  demands: [],
  target: { kind, name: 'pii:v1:k:z' },
  occurredAt: '2026-12-01T08:00:00.000Z',
  language: 'en',
  receivedAt: '2026-12-01T08:00:00.000Z',
});

describe('target kinds per sector', () => {
  it.each([
    ['insurance', 'policy'],
    ['insurance', 'claim'],
    ['bank', 'card'],
    ['bank', 'atm'],
    ['bank', 'transaction'],
    ['bank', 'account'],
    ['power', 'supply-point'],
    ['power', 'account'],
  ])('in the %s sector, %s is a kind of its own on complaint.received.v1', (sector, kind) => {
    expect(TARGET_KINDS_BY_SECTOR[sector as keyof typeof TARGET_KINDS_BY_SECTOR]).toContain(kind);
    expect(complaintReceivedV1.safeParse(received(kind)).success).toBe(true);
  });

  it('still accepts every kind events were published with before', () => {
    for (const kind of ['branch', 'staff', 'product', 'bill', 'service', 'outage', 'meter', 'other']) {
      expect(complaintReceivedV1.safeParse(received(kind)).success).toBe(true);
    }
  });

  it('refuses a kind no sector lists, and lists each kind once with other last', () => {
    expect(complaintReceivedV1.safeParse(received('spaceship')).success).toBe(false);
    expect(new Set(TARGET_KINDS).size).toBe(TARGET_KINDS.length);
    expect(TARGET_KINDS[TARGET_KINDS.length - 1]).toBe('other');
    expect([...TARGET_KINDS].sort()).toEqual([...new Set(Object.values(TARGET_KINDS_BY_SECTOR).flat())].sort());
  });
});
