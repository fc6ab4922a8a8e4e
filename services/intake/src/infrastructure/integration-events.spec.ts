import { randomUUID } from 'node:crypto';
import { CHANNELS, parseIntegrationEvent, type Channel } from '@complaints/contracts';
import type { DomainEvent } from '@complaints/decider';
import type { StoredEvent } from '@complaints/eventstore';
import { toEnvelope, type PublishedTable } from '@complaints/messaging';
import type { ComplaintReceived, ComplaintEvent } from '../domain/complaint';
import { intakeIntegrationEvents } from './integration-events';

const received = (channel: Channel): ComplaintReceived => ({
  complaintId: randomUUID(),
  reference: 'CMP-2026-000001',
  channel,
  complainant: { name: 'pii:v1:k1:sealed', contact: { phone: 'pii:v1:k1:sealed' } },
  description: 'pii:v1:k1:sealed',
  demands: [],
  target: { kind: 'bill', name: 'December bill' },
  occurredAt: '2026-12-01T09:00:00.000Z',
  language: 'en',
  receivedAt: '2026-12-01T09:05:00.000Z',
});

const stored = (event: ComplaintEvent): StoredEvent => ({
  globalPosition: '1',
  transactionId: '1',
  eventId: randomUUID(),
  streamId: `complaint-${randomUUID()}`,
  streamVersion: 1,
  type: event.type,
  schemaVersion: 1,
  data: event.data,
  metadata: {
    tenant: 'acme-bank',
    actor: { id: 'hotline-adapter', role: 'channel' },
    correlationId: randomUUID(),
    causationId: null,
    time: '2026-12-01T09:05:00.000Z',
  },
  recordedAt: new Date('2026-12-01T09:05:00.000Z'),
  hash: null,
});

describe("intake's published events", () => {
  it.each(CHANNELS)(
    'publishes a complaint received on %s as a complaint.received.v1 the contract accepts',
    (channel) => {
      const event = stored({ type: 'ComplaintReceived', data: received(channel) });
      const [integration] = intakeIntegrationEvents(event);
      const envelope = toEnvelope(event, '/complaints/intake', integration!);
      expect(() => parseIntegrationEvent(envelope)).not.toThrow();
    },
  );

  it("knows no channel but the contracts' list, so a new one cannot compile and then be dead-lettered", () => {
    // A stored complaint on a channel the contract does not list: intake used to accept it in its own
    // `Channel` type, answer 201, and the relay dead-lettered the event. The table refuses it now.
    type OnAnotherChannel = DomainEvent<
      'ComplaintReceived',
      Omit<ComplaintReceived, 'channel'> & { channel: 'wechat' }
    >;
    // @ts-expect-error `wechat` is not a channel of complaint.received.v1
    const table: PublishedTable<OnAnotherChannel> = { ComplaintReceived: { type: 'complaint.received.v1' } };
    const sameList: Channel extends (typeof CHANNELS)[number]
      ? (typeof CHANNELS)[number] extends Channel
        ? true
        : false
      : false = true;
    expect([table, sameList]).toEqual([expect.anything(), true]);
  });
});
