/** A plain kafkajs client and producer with the platform's producer settings, for baselines. */
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { BenchContext } from './context';

export async function rawKafka(ctx: BenchContext, clientId: string): Promise<{ kafka: Kafka; producer: Producer }> {
  const kafka = new Kafka({ clientId, brokers: ctx.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return { kafka, producer };
}
