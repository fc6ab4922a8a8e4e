import type { DomainEvent } from '@complaints/decider';
import { integrationMapper, type PublishedTable } from './published';
import type { StoredEvent } from '@complaints/eventstore';

const complaintId = '6f1c2a52-3c1e-4a55-9d0e-2f7e4b1e9a10';
type Erased = { complaintId: string; subjectId: string; erasedAt: string };
type Noted = { complaintId: string; note: string };
type ToyEvent = DomainEvent<'Erased', Erased> | DomainEvent<'Noted', Noted>;

const stored = (type: string, data: unknown) => ({ type, data }) as unknown as StoredEvent;

describe('a stored → published table', () => {
  const table: PublishedTable<ToyEvent> = {
    Erased: { type: 'complainant.erased.v1', data: ({ erasedAt, ...rest }) => ({ ...rest, erasedAt }) },
    Noted: null,
  };
  const map = integrationMapper(table, (data) => data.complaintId);

  it('maps a stored event to its integration event, keyed by the subject the service names', () => {
    const data = { complaintId, subjectId: 's-1', erasedAt: '2026-12-06T10:00:00.000Z' };
    expect(map(stored('Erased', data))).toEqual([{ type: 'complainant.erased.v1', subject: complaintId, data }]);
  });

  it('publishes nothing for an event the table keeps private, or a type it does not know', () => {
    expect(map(stored('Noted', { complaintId, note: 'x' }))).toEqual([]);
    expect(map(stored('toString', { complaintId }))).toEqual([]);
  });

  it('refuses, at compile time, a table that forgets a stored event or publishes a shape its contract rejects', () => {
    // @ts-expect-error `Noted` has no entry: a new stored event must say what it publishes
    const incomplete: PublishedTable<ToyEvent> = { Erased: { type: 'complainant.erased.v1' } };
    // @ts-expect-error a note is not an erasure: without a conversion the contract's shape is not met
    const wrongShape: PublishedTable<ToyEvent> = { Erased: null, Noted: { type: 'complainant.erased.v1' } };
    expect([incomplete, wrongShape]).toHaveLength(2);
  });
});
