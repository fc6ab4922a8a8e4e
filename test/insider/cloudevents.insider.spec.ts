/**
 * Attacker: someone who can write to a topic (a misconfigured producer, a compromised client with
 * broker credentials). In binary mode the event's attributes travel as headers, so the headers are
 * as untrusted as the value: every attribute is checked by the same contract, and a message that
 * fails it is dead-lettered with its reason and reaches no handler.
 */
import { randomUUID } from 'node:crypto';
import { toBinaryMessage, type IntegrationEvent } from '@complaints/contracts';
import { Kafka } from 'kafkajs';
import { KafkaTransport, PostgresTransport, startConsumer } from '@complaints/messaging';
import { eventually, requireEnv, uniqueSuffix } from '../support/database';
import { receivedEnvelope } from '../fixtures/events';
import { useBusDatabases } from '../support/bus-databases';

describe('a topic writer forging CloudEvents headers', () => {
  const databases = useBusDatabases('cloudevents_insider');

  it('gets every forged attribute dead-lettered with a reason naming it, and handled nowhere', async () => {
    const transport = new PostgresTransport(databases.bus, { pollIntervalMs: 20 });
    const forged = (headers: Record<string, string | undefined>) => {
      const wire = toBinaryMessage(receivedEnvelope(randomUUID()));
      const all: Record<string, string> = { ...wire.headers };
      for (const [name, value] of Object.entries(headers)) {
        if (value === undefined) delete all[name];
        else all[name] = value;
      }
      return { topic: 'forged', key: randomUUID(), value: wire.value, headers: all };
    };
    const cases: [Record<string, string | undefined>, RegExp][] = [
      [{ ce_streamversion: '1.5' }, /streamVersion/],
      [{ ce_streamversion: '-1' }, /streamVersion/],
      [{ ce_tenant: undefined }, /tenant/],
      [{ ce_tenant: '' }, /tenant/],
      [{ ce_actor: 'no-role' }, /actor/],
      [{ ce_subject: 'not-a-uuid' }, /subject/],
      [{ ce_specversion: '0.3' }, /specversion/],
      [{ 'content-type': 'text/plain' }, /datacontenttype/],
      [{ ce_eventhash: 'ff' }, /eventhash/],
    ];
    await transport.publish(cases.map(([headers]) => forged(headers)));
    let handled = 0;
    const subscription = await startConsumer({
      transport,
      db: databases.consumerDb,
      groupId: 'forged',
      topics: ['forged'],
      handle: async () => void handled++,
      logger: { warn: () => undefined, error: () => undefined },
    });
    try {
      const dead = await eventually('every forgery dead-lettered', async () => {
        const { rows } = await databases.bus.query<{ headers: Record<string, string> }>(
          "SELECT headers FROM bus_messages WHERE topic = 'forged.dlt' ORDER BY position",
        );
        return rows.length === cases.length ? rows : undefined;
      });
      expect(handled).toBe(0);
      expect(dead.map((row, i) => cases[i]![1].test(row.headers['dlt-reason'] ?? ''))).toEqual(cases.map(() => true));
    } finally {
      await subscription.stop();
    }
  });

  it('gets an attribute header sent twice (which copy wins differs between tools) dead-lettered, not joined into a tenant', async () => {
    const brokers = requireEnv('KAFKA_BROKERS').split(',');
    const topic = `forged${uniqueSuffix()}`;
    const transport = new KafkaTransport({ brokers, clientId: 'cloudevents-insider' });
    await transport.ensureTopics([topic]);
    const wire = toBinaryMessage(receivedEnvelope(randomUUID(), { tenant: 'bank-a' }));
    const producer = new Kafka({ brokers, clientId: 'forger' }).producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: randomUUID(), value: wire.value, headers: { ...wire.headers, ce_tenant: ['bank-a', 'bank-b'] } },
      ],
    });
    await producer.disconnect();
    const handled: IntegrationEvent[] = [];
    const dead: Record<string, string>[] = [];
    const dlt = await transport.subscribe({
      groupId: `dlt-${topic}`,
      topics: [`${topic}.dlt`],
      onMessage: async (message) => void dead.push(message.headers),
    });
    const subscription = await startConsumer({
      transport,
      db: databases.consumerDb,
      groupId: topic,
      topics: [topic],
      handle: async (event) => void handled.push(event),
      logger: { warn: () => undefined, error: () => undefined },
    });
    try {
      await eventually('the message handled or dead-lettered', async () =>
        handled.length + dead.length > 0 ? true : undefined,
      );
      expect({ tenants: handled.map((event) => event.tenant), reasons: dead.map((h) => h['dlt-reason']) }).toEqual({
        tenants: [],
        reasons: [expect.stringMatching(/ce_tenant/)],
      });
    } finally {
      await subscription.stop();
      await dlt.stop();
      await transport.close();
    }
  }, 120_000);
});
