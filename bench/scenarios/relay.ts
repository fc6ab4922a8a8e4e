/**
 * 3. Outbox relay: events/s from the event store to Kafka through the platform's OutboxRelay and
 * KafkaTransport (the code every service runs), over N ComplaintReceived rows seeded with SQL,
 * against a raw kafkajs producer loop with the same batch size, producer settings (idempotent,
 * acks=all, one request in flight) and message size.
 */
import { performance } from 'node:perf_hooks';
import { prefixed, toBinaryMessage, Topics } from '@complaints/contracts';
import { eventStoreMigrations, openDatabase, type StoredEvent } from '@complaints/eventstore';
import { KafkaTransport, OutboxRelay, toEnvelope, type IntegrationPayload } from '@complaints/messaging';
import { atLeast, figure, type Figure } from '../lib/figures';
import { envNumber, log, sql, type BenchContext } from '../lib/context';
import { rawKafka } from '../lib/raw-kafka';
import { sampleEvent, seedEventsSql } from '../lib/sample';

const S = '3 outbox relay';

/** intake's mapping of its ComplaintReceived (services/intake/src/infrastructure/integration-events.ts). */
const mapReceived = (event: StoredEvent): IntegrationPayload[] =>
  event.type === 'ComplaintReceived'
    ? [
        {
          type: 'complaint.received.v1',
          subject: (event.data as { complaintId: string }).complaintId,
          data: event.data,
        },
      ]
    : [];

export async function relayScenario(ctx: BenchContext): Promise<Figure[]> {
  const count = envNumber('BENCH_RELAY_EVENTS', 20_000);
  const batchSize = envNumber('BENCH_RELAY_BATCH', 200);
  const sample = await sampleEvent(ctx);
  const schema = 'relay_bench';
  const topicPrefix = `${ctx.runId}-relay`;
  const db = await openDatabase({ url: ctx.databaseUrl, schema, migrations: eventStoreMigrations, poolSize: 4 });
  const transport = new KafkaTransport({ brokers: ctx.kafkaBrokers.split(','), clientId: 'bench-relay' });
  try {
    log(`relay: seeding ${count} events`);
    await sql(ctx.databaseUrl, seedEventsSql(schema), [
      count,
      JSON.stringify(sample.data),
      JSON.stringify(sample.metadata),
    ]);
    await sql(ctx.databaseUrl, `VACUUM ANALYZE ${schema}.events`);
    await transport.ensureTopics([prefixed(topicPrefix, Topics.intake)]);
    const relay = new OutboxRelay({
      db,
      transport,
      name: 'bench',
      source: '/complaints/intake',
      topicPrefix,
      map: mapReceived,
      batchSize,
    });
    // One batch first: connects the producer, as a running service's relay already is.
    let relayed = await relay.relayOnce();
    const start = performance.now();
    for (let n = -1; n !== 0;) {
      n = await relay.relayOnce();
      relayed += n;
    }
    const relayMs = performance.now() - start;
    const relayRate = (relayed - batchSize) / (relayMs / 1000);
    log(`relay: ${relayed} events in ${(relayMs / 1000).toFixed(1)} s: ${relayRate.toFixed(0)}/s`);

    // The same messages, produced raw: same size, same batch size, same producer settings.
    const [row] = await sql<StoredEvent & { data: unknown }>(
      ctx.databaseUrl,
      `SELECT event_id AS "eventId", type, stream_version AS "streamVersion", data, metadata FROM ${schema}.events LIMIT 1`,
    );
    const envelope = toEnvelope(row!, '/complaints/intake', mapReceived(row!)[0]!);
    // As the relay writes it: the CloudEvents binary mode (libs/contracts' one envelope writer).
    const { headers, value } = toBinaryMessage(envelope);
    const { kafka, producer } = await rawKafka(ctx, 'bench-raw');
    const topic = prefixed(topicPrefix, 'raw');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6 }] });
    await admin.disconnect();
    const batch = (i: number) =>
      Array.from({ length: batchSize }, (_, j) => ({
        key: `${i}-${j}-${envelope.subject}`,
        value,
        headers,
      }));
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch(-1) }] });
    const rawStart = performance.now();
    let produced = 0;
    for (let i = 0; produced < relayed - batchSize; i++) {
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: batch(i) }] });
      produced += batchSize;
    }
    const rawMs = performance.now() - rawStart;
    await producer.disconnect();
    const rawRate = produced / (rawMs / 1000);
    log(`relay: raw producer ${produced} messages in ${(rawMs / 1000).toFixed(1)} s: ${rawRate.toFixed(0)}/s`);
    return [
      figure(S, `events/s store → Kafka (batch ${batchSize}, ${count} events)`, relayRate, '/s', {
        baseline: { name: `raw kafkajs producer loop, batch ${batchSize}, same settings`, value: rawRate },
        target: atLeast(0.25, '≥ 25% of raw producer', 'ratio'),
        note: `message ${value.length} bytes`,
      }),
    ];
  } finally {
    await transport.close();
    await db.close();
  }
}
