/**
 * For one release consumers read both shapes of an event: the CloudEvents Kafka binding's binary
 * mode (`ce_` headers, data as the value) and the previous one (the whole camelCase envelope as the
 * value, `ce-` headers), here through the embedded transport and the idempotent consumer.
 */
import { randomUUID } from 'node:crypto';
import { toBinaryMessage, type IntegrationEvent } from '@complaints/contracts';
import { eventually } from '../../../test/support/database';
import { receivedEnvelope } from '../../../test/fixtures/events';
import { PostgresTransport, startConsumer } from './index';
import { useBusDatabases } from '../../../test/support/bus-databases';

describe('a consumer during the change of wire shape', () => {
  const databases = useBusDatabases('envelope_shapes');

  it('handles the previous shape and the binary one alike, dead-lettering neither', async () => {
    const transport = new PostgresTransport(databases.bus, { pollIntervalMs: 20 });
    const extensions = {
      streamVersion: 3,
      correlationId: randomUUID(),
      causationId: randomUUID(),
      // An id may hold colons: only the role is kept free of them.
      actor: { id: 'urn:agent:7', role: 'agent' },
      tenant: 'bank-a',
    };
    const previous = receivedEnvelope(randomUUID(), extensions);
    const binary = receivedEnvelope(randomUUID(), { ...extensions, causationId: null });
    await transport.publish([
      {
        topic: 'shapes',
        key: previous.subject,
        value: JSON.stringify(previous),
        headers: { 'ce-id': previous.id, 'ce-type': previous.type, 'ce-source': previous.source },
      },
      { topic: 'shapes', key: binary.subject, ...toBinaryMessage(binary) },
    ]);
    const handled: IntegrationEvent[] = [];
    const subscription = await startConsumer({
      transport,
      db: databases.consumerDb,
      groupId: 'shapes',
      topics: ['shapes'],
      handle: async (event) => void handled.push(event),
      logger: { warn: () => undefined, error: () => undefined },
    });
    try {
      await eventually('both handled', async () => (handled.length === 2 ? true : undefined));
    } finally {
      await subscription.stop();
    }
    expect(handled).toEqual([previous, binary]);
    const { rows } = await databases.bus.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM bus_messages WHERE topic = 'shapes.dlt'",
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('names every attribute in lowercase letters and digits on the wire', () => {
    const { headers } = toBinaryMessage(receivedEnvelope(randomUUID(), { eventhash: 'a'.repeat(64), streamid: 's-1' }));
    const names = Object.keys(headers);
    expect(names.filter((name) => !/^ce_[a-z0-9]+$/.test(name) && name !== 'content-type')).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['ce_streamversion', 'ce_correlationid', 'ce_actor', 'ce_tenant']));
  });
});
