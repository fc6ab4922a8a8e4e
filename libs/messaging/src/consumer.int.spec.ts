/**
 * How the idempotent consumer treats a failing handler, on a real PostgreSQL through the embedded
 * transport: an infrastructure failure (the handler's database connection dropped) is retried
 * until it recovers and never dead-lettered; a fault of the message itself (a domain refusal) is
 * retried a bounded number of times and then dead-lettered with its reason.
 */
import { RuleRejectedError } from '@complaints/decider';
import type { SqlClient } from '@complaints/eventstore';
import { eventually } from '../../../test/support/database';
import { receivedEnvelope } from '../../../test/fixtures/events';
import { inOrder, isInfrastructureFailure, PostgresTransport, startConsumer } from './index';
import { useBusDatabases } from '../../../test/support/bus-databases';

const quiet = { warn: () => undefined, error: () => undefined };

describe('a consumer whose handler fails', () => {
  const databases = useBusDatabases('consumer_faults');

  const deadLettered = async (topic: string) =>
    (
      await databases.bus.query<{ value: string; headers: Record<string, string> }>(
        'SELECT value, headers FROM bus_messages WHERE topic = $1',
        [`${topic}.dlt`],
      )
    ).rows;
  const inInbox = async (group: string) =>
    (
      await databases.consumerDb.query<{ n: number }>('SELECT count(*)::int AS n FROM inbox WHERE consumer = $1', [
        group,
      ])
    ).rows[0]!.n;

  it('retries a handler whose database connection drops beyond the attempt limit, and never dead-letters it', async () => {
    const transport = new PostgresTransport(databases.bus, { pollIntervalMs: 20 });
    const event = receivedEnvelope();
    await transport.publish([{ topic: 'outage', key: event.subject, value: JSON.stringify(event), headers: {} }]);
    const failures: unknown[] = [];
    let attempts = 0;
    const subscription = await startConsumer({
      transport,
      db: databases.consumerDb,
      groupId: 'outage',
      topics: ['outage'],
      maxAttempts: 3,
      backoffMs: 5,
      maxBackoffMs: 50,
      handle: async (_event, tx) => {
        attempts++;
        if (attempts <= 6) {
          // A real outage of this connection: the server ends the backend under the transaction.
          await tx.query('SELECT pg_terminate_backend(pg_backend_pid())').catch((error: unknown) => {
            failures.push(error);
            throw error;
          });
        }
        await tx.query('CREATE TABLE IF NOT EXISTS effects (event_id text PRIMARY KEY)');
        await tx.query('INSERT INTO effects VALUES ($1)', [_event.id]);
      },
      logger: quiet,
    });
    await eventually('the event handled once the connection holds', async () =>
      (await inInbox('outage')) === 1 ? true : undefined,
    );
    await subscription.stop();

    expect(attempts).toBe(7);
    expect(failures.every(isInfrastructureFailure)).toBe(true);
    expect((await databases.consumerDb.query('SELECT event_id FROM effects')).rows).toEqual([{ event_id: event.id }]);
    expect(await deadLettered('outage')).toEqual([]);
  });

  it('dead-letters a message its handler keeps refusing after the bounded attempts, with the reason', async () => {
    const transport = new PostgresTransport(databases.bus, { pollIntervalMs: 20 });
    const refused = receivedEnvelope();
    const next = receivedEnvelope();
    await transport.publish([
      { topic: 'refusals', key: refused.subject, value: JSON.stringify(refused), headers: {} },
      { topic: 'refusals', key: next.subject, value: JSON.stringify(next), headers: {} },
    ]);
    let attempts = 0;
    const handled: string[] = [];
    const subscription = await startConsumer({
      transport,
      db: databases.consumerDb,
      groupId: 'refusals',
      topics: ['refusals'],
      maxAttempts: 3,
      backoffMs: 5,
      handle: async (event) => {
        if (event.id === refused.id) {
          attempts++;
          throw new RuleRejectedError('The complaint names a department that does not exist');
        }
        handled.push(event.id);
      },
      logger: quiet,
    });
    await eventually('the next event handled', async () => (handled.length > 0 ? true : undefined));
    await subscription.stop();

    expect(attempts).toBe(3);
    expect(handled).toEqual([next.id]);
    const dead = await deadLettered('refusals');
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]!.value)).toMatchObject({ id: refused.id });
    expect(dead[0]!.headers).toMatchObject({
      'dlt-attempts': '3',
      'dlt-reason': expect.stringMatching(/does not exist/),
    });
    expect(await inInbox('refusals')).toBe(1);
  });

  it('applies a fetched batch in order in one transaction, and a batch with a refused event message by message', async () => {
    const transport = new PostgresTransport(databases.bus, { pollIntervalMs: 20 });
    const events = [receivedEnvelope(), receivedEnvelope(), receivedEnvelope()];
    const refused = receivedEnvelope();
    const publish = (batch: typeof events) =>
      transport.publish(
        batch.map((e) => ({ topic: 'in-order', key: e.subject, value: JSON.stringify(e), headers: {} })),
      );
    await publish(events);
    const applied: { id: string; tx: string }[] = [];
    const apply = async (event: { id: string }, tx: SqlClient) => {
      if (event.id === refused.id) throw new RuleRejectedError('Refused for the test');
      const { rows } = await tx.query<{ tx: string }>('SELECT txid_current()::text AS tx');
      applied.push({ id: event.id, tx: rows[0]!.tx });
    };
    const subscription = await startConsumer({
      transport,
      db: databases.consumerDb,
      groupId: 'in-order',
      topics: ['in-order'],
      maxAttempts: 2,
      backoffMs: 5,
      handle: apply,
      handleBatch: inOrder(apply),
      logger: quiet,
    });
    await eventually('the first batch applied', async () => (applied.length === 3 ? true : undefined));
    expect(applied.map((a) => a.id)).toEqual(events.map((e) => e.id));
    expect(new Set(applied.map((a) => a.tx)).size).toBe(1);

    const after = [receivedEnvelope(), receivedEnvelope()];
    await publish([after[0]!, refused, after[1]!]);
    await eventually('the good events of the second batch applied', async () =>
      applied.length === 6 ? true : undefined,
    );
    await subscription.stop();
    // Tried as one batch (the refusal rolled back the first event's effect), then one by one.
    expect(applied.slice(3).map((a) => a.id)).toEqual([after[0]!.id, after[0]!.id, after[1]!.id]);
    expect((await deadLettered('in-order')).map((d) => (JSON.parse(d.value) as { id: string }).id)).toEqual([
      refused.id,
    ]);
    expect(await inInbox('in-order')).toBe(5);
  });
});
