/**
 * Contracts that standard tools read: every integration event type, published by the real relay
 * through the real Kafka transport, consumed from the broker with the official CloudEvents SDK
 * (`Kafka.toEvent`), valid by the SDK's rules and its data valid by the contract's schema.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { propagation } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { IntegrationEvents, prefixed, Topics, type IntegrationEventType } from '@complaints/contracts';
import { EventStore, eventStoreMigrations, openDatabase, type Database } from '@complaints/eventstore';
import { createTestDatabase, requireEnv, uniqueSuffix, type TestDatabase } from '../../../test/support/database';
import { everyEventData, metadata } from '../../../test/fixtures/events';
import { sdkEvent } from '../../../test/support/cloudevents-sdk';
import { KafkaTransport, OutboxRelay, type IncomingMessage } from './index';

describe('integration events read by the official CloudEvents SDK', () => {
  let testDb: TestDatabase;
  let db: Database;
  let transport: KafkaTransport;
  const topicPrefix = `cloudevents${uniqueSuffix()}`;
  const topics = Object.values(Topics).map((topic) => prefixed(topicPrefix, topic));

  beforeAll(async () => {
    // As a service's telemetry does: the trace context travels as W3C `traceparent`.
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    testDb = await createTestDatabase('cloudevents');
    db = await openDatabase({ url: testDb.url, schema: 'cloudevents', migrations: eventStoreMigrations });
    transport = new KafkaTransport({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId: 'cloudevents-test' });
    await transport.ensureTopics(topics);
  });
  afterAll(async () => {
    await transport?.close();
    await db?.close();
    await testDb?.drop();
    propagation.disable();
  });

  it('reads every event type as a valid CloudEvent whose data passes its contract', async () => {
    const complaintId = randomUUID();
    const traceId = randomBytes(16).toString('hex');
    const fixtures = everyEventData(complaintId);
    const types = Object.keys(IntegrationEvents) as IntegrationEventType[];
    await db.transaction((tx) =>
      new EventStore().append(
        tx,
        `complaint-${complaintId}`,
        0,
        types.map((type) => ({
          eventId: randomUUID(),
          type,
          data: fixtures[type],
          metadata: { ...metadata(), trace: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } },
        })),
      ),
    );
    const relay = new OutboxRelay({
      db,
      transport,
      name: 'cloudevents-test',
      source: '/complaints/test',
      topicPrefix,
      map: (stored) => [{ type: stored.type as IntegrationEventType, subject: complaintId, data: stored.data }],
    });
    expect(await relay.relayOnce()).toBe(types.length);

    const messages: IncomingMessage[] = [];
    await (await transport.history(topics)).read(async (batch) => void messages.push(...batch));
    const read = messages.map((message) => {
      const event = sdkEvent(message);
      const contract = IntegrationEvents[event.type as IntegrationEventType];
      return {
        type: event.type,
        valid: event.validate(),
        contentType: event.datacontenttype,
        subject: event.subject,
        dataIssues: contract ? (contract.schema.safeParse(event.data).error?.issues ?? []) : ['unknown type'],
        extensions: {
          streamversion: event.streamversion,
          correlationid: typeof event.correlationid,
          actor: event.actor,
          tenant: event.tenant,
          eventhash: typeof event.eventhash,
          streamid: event.streamid,
          traceId: String(event.traceparent).split('-')[1],
        },
      };
    });
    expect(read.map((event) => event.type).sort()).toEqual([...types].sort());
    for (const event of read) {
      expect(event).toEqual({
        type: event.type,
        valid: true,
        contentType: 'application/json',
        subject: complaintId,
        dataIssues: [],
        extensions: {
          streamversion: expect.stringMatching(/^[1-9]\d*$/),
          correlationid: 'string',
          actor: 'agent:test',
          tenant: 'test',
          eventhash: 'string',
          streamid: `complaint-${complaintId}`,
          traceId,
        },
      });
    }
  }, 120_000);
});
