/**
 * 4. Consumer + projection: events/s through analytics' inbox and case-timeline projection (the real
 * service process, consuming N complaint.received.v1 envelopes that were produced beforehand),
 * against a raw kafkajs consumer reading the same messages. Both rates are taken between the first
 * and the last message handled, so group joins and start-up are left out.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { prefixed, toBinaryMessage, Topics } from '@complaints/contracts';
import { toEnvelope, type IntegrationPayload } from '@complaints/messaging';
import type { StoredEvent } from '@complaints/eventstore';
import { figure, type Figure } from '../lib/figures';
import { envNumber, log, sql, type BenchContext } from '../lib/context';
import { rawKafka } from '../lib/raw-kafka';
import { sampleEvent, type SampleEvent } from '../lib/sample';
import { startTopology } from '../lib/services';

const S = '4 consumer + projection';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function envelopes(sample: SampleEvent, count: number, from: number) {
  return Array.from({ length: count }, (_, i) => {
    const complaintId = randomUUID();
    const data = { ...sample.data, complaintId, reference: `CMP-2026-${String(from + i).padStart(7, '0')}` };
    const stored = {
      eventId: randomUUID(),
      streamVersion: 1,
      metadata: { ...sample.metadata, correlationId: randomUUID() },
    } as unknown as StoredEvent;
    const payload: IntegrationPayload = { type: 'complaint.received.v1', subject: complaintId, data };
    const envelope = toEnvelope(stored, '/complaints/intake', payload);
    return { key: complaintId, ...toBinaryMessage(envelope) };
  });
}

async function inboxProgress(ctx: BenchContext) {
  const [row] = await sql<{ n: string; seconds: number | null }>(
    ctx.databaseUrl,
    `SELECT count(*) AS n, extract(epoch FROM max(processed_at) - min(processed_at))::float AS seconds
       FROM consumer_analytics.inbox WHERE processed_at > (SELECT min(processed_at) FROM consumer_analytics.inbox)`,
  );
  return { n: Number(row!.n), seconds: row!.seconds ?? NaN };
}

export async function consumerScenario(ctx: BenchContext): Promise<Figure[]> {
  const count = envNumber('BENCH_CONSUMER_EVENTS', 5_000);
  const timeoutMs = envNumber('BENCH_CONSUMER_TIMEOUT_S', 240) * 1000;
  const sample = await sampleEvent(ctx);
  const prefix = `${ctx.runId}-consumer`;
  const topic = prefixed(prefix, Topics.intake);
  const { kafka, producer } = await rawKafka(ctx, 'bench-consumer');

  // The service first, consuming (its group joined): a probe event must come through before the load.
  log('consumer: analytics service (inbox + case timeline projection)');
  const topology = await startTopology(['analytics'], {
    databaseUrl: ctx.databaseUrl,
    kafkaBrokers: ctx.kafkaBrokers,
    topicPrefix: prefix,
    schemas: { analytics: 'consumer_analytics' },
  });
  let done = { n: 0, seconds: NaN };
  try {
    await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages: envelopes(sample, 1, 0) }] });
    const probeDeadline = Date.now() + 120_000;
    while ((await sql(ctx.databaseUrl, 'SELECT 1 FROM consumer_analytics.inbox LIMIT 1')).length === 0) {
      if (Date.now() > probeDeadline) throw new Error('analytics consumed nothing within 120 s');
      await sleep(200);
    }
    log(`consumer: producing ${count} complaint.received.v1 envelopes`);
    for (let produced = 0; produced < count;) {
      const messages = envelopes(sample, Math.min(500, count - produced), produced + 1);
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
      produced += messages.length;
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      done = await inboxProgress(ctx);
      if (done.n >= count) break;
      await sleep(500);
    }
  } finally {
    await producer.disconnect();
    await topology.stop();
  }
  const rate = (done.n - 1) / done.seconds;
  log(`consumer: analytics handled ${done.n} events at ${rate.toFixed(0)}/s`);

  log('consumer: raw kafkajs consumer over the same messages');
  const consumer = kafka.consumer({ groupId: prefixed(prefix, 'raw') });
  let seen = 0;
  let first = 0;
  let last = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      JSON.parse(message.value?.toString() ?? 'null');
      seen++;
      if (seen === 1) first = performance.now();
      last = performance.now();
    },
  });
  const rawDeadline = Date.now() + timeoutMs;
  while (seen < count + 1 && Date.now() < rawDeadline) await sleep(50);
  await consumer.disconnect();
  const rawRate = (seen - 1) / ((last - first) / 1000);
  log(`consumer: raw ${seen} messages at ${rawRate.toFixed(0)}/s`);
  return [
    figure(S, `events/s through inbox + projection (${count} events)`, rate, '/s', {
      baseline: { name: 'raw kafkajs consumer (eachMessage, JSON.parse)', value: rawRate },
      note: done.n < count ? `**only ${done.n} of ${count} handled before the time limit**` : `${done.n} handled`,
    }),
  ];
}
