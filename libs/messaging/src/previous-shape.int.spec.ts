/**
 * The one-release switch EVENTS_WRITE_PREVIOUS_SHAPE, from the real relay through the real broker:
 * off (the default), the official CloudEvents SDK reads every message and a consumer of the
 * previous release (the whole envelope from the value) cannot; on, the previous release's consumer
 * reads it and the SDK cannot. This release's reader reads both, so either setting is safe for the
 * platform's own consumers.
 */
import { randomUUID } from 'node:crypto';
import {
  envelopeOfMessage,
  IntegrationEvents,
  parseIntegrationEvent,
  prefixed,
  Topics,
  type IntegrationEventType,
} from '@complaints/contracts';
import { EventStore, eventStoreMigrations, openDatabase, type Database } from '@complaints/eventstore';
import { createTestDatabase, requireEnv, uniqueSuffix, type TestDatabase } from '../../../test/support/database';
import { everyEventData, metadata } from '../../../test/fixtures/events';
import { sdkEvent } from '../../../test/support/cloudevents-sdk';
import { KafkaTransport, OutboxRelay, type IncomingMessage } from './index';

/** How the previous release's consumers read a message: the whole envelope is the value. */
const previousReleaseReader = (message: IncomingMessage) => parseIntegrationEvent(JSON.parse(message.value));

/** The official SDK, given the message as a kafkajs consumer hands it over. */
function sdkReader(message: IncomingMessage) {
  const event = sdkEvent(message);
  event.validate();
  const contract = IntegrationEvents[event.type as IntegrationEventType];
  contract.schema.parse(event.data);
  return event;
}

const outcome = (read: () => unknown) => {
  try {
    read();
    return 'read';
  } catch {
    return 'refused';
  }
};

describe('EVENTS_WRITE_PREVIOUS_SHAPE, the one-release switch of the wire shape', () => {
  let testDb: TestDatabase;
  let db: Database;
  let transport: KafkaTransport;
  // One topic set per run of the relay, made up front: a topic's leaders settle before it is read.
  const prefixes = { binary: `shapes${uniqueSuffix()}`, previous: `shapes${uniqueSuffix()}` };
  const topicsOf = (prefix: string) => Object.values(Topics).map((topic) => prefixed(prefix, topic));

  beforeAll(async () => {
    testDb = await createTestDatabase('previous_shape');
    db = await openDatabase({ url: testDb.url, schema: 'shapes', migrations: eventStoreMigrations });
    transport = new KafkaTransport({
      brokers: requireEnv('KAFKA_BROKERS').split(','),
      clientId: 'previous-shape-test',
    });
  });
  afterAll(async () => {
    await transport?.close();
    await db?.close();
    await testDb?.drop();
  });

  /** Every event type stored, relayed once with the switch as given, and read back from the broker. */
  async function relayed(previousShape: boolean | undefined): Promise<IncomingMessage[]> {
    const topicPrefix = previousShape ? prefixes.previous : prefixes.binary;
    const topics = topicsOf(topicPrefix);
    const complaintId = randomUUID();
    const fixtures = everyEventData(complaintId);
    const types = Object.keys(IntegrationEvents) as IntegrationEventType[];
    await db.transaction((tx) =>
      new EventStore().append(
        tx,
        `complaint-${complaintId}`,
        0,
        types.map((type) => ({ eventId: randomUUID(), type, data: fixtures[type], metadata: metadata() })),
      ),
    );
    const relay = new OutboxRelay({
      db,
      transport,
      name: topicPrefix,
      source: '/complaints/test',
      topicPrefix,
      map: (stored) =>
        stored.streamId === `complaint-${complaintId}`
          ? [{ type: stored.type as IntegrationEventType, subject: complaintId, data: stored.data }]
          : [],
      ...(previousShape === undefined ? {} : { previousShape }),
    });
    while ((await relay.relayOnce()) > 0);
    const messages: IncomingMessage[] = [];
    await (await transport.history(topics)).read(async (batch) => void messages.push(...batch));
    expect(messages).toHaveLength(types.length);
    return messages;
  }

  const readers = (message: IncomingMessage) => ({
    sdk: outcome(() => sdkReader(message)),
    previousRelease: outcome(() => previousReleaseReader(message)),
    thisRelease: outcome(() => parseIntegrationEvent(envelopeOfMessage(message))),
  });

  it('off (the default): the CloudEvents binary mode, which the SDK reads and the previous release does not', async () => {
    for (const message of await relayed(undefined)) {
      expect({ type: message.headers.ce_type, ...readers(message) }).toEqual({
        type: message.headers.ce_type,
        sdk: 'read',
        previousRelease: 'refused',
        thisRelease: 'read',
      });
      expect(Object.keys(message.headers)).not.toEqual(expect.arrayContaining(['ce-id', 'correlation-id']));
    }
  }, 120_000);

  it('on: the previous shape with its headers, which the previous release reads and the SDK does not', async () => {
    for (const message of await relayed(true)) {
      const event = previousReleaseReader(message);
      expect({ type: event.type, ...readers(message) }).toEqual({
        type: event.type,
        sdk: 'refused',
        previousRelease: 'read',
        thisRelease: 'read',
      });
      expect(message.headers).toMatchObject({
        'ce-id': event.id,
        'ce-type': event.type,
        'ce-source': '/complaints/test',
        'correlation-id': event.correlationId,
        tenant: event.tenant,
      });
      expect(Object.keys(message.headers).filter((name) => name.startsWith('ce_'))).toEqual([]);
    }
  }, 120_000);
});
