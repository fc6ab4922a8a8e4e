#!/usr/bin/env node
/**
 * `npm run audit`: the event store's audit command (libs/eventstore/src/audit-command.ts) with the
 * Kafka topic `<TOPIC_PREFIX>.audit.checkpoints.v1` as a witness besides the file when
 * KAFKA_BROKERS is set: verify compares both, checkpoint publishes to both. Like the services, it
 * reads the env file `npm run keys` wrote (ENV_FILE, default .local/keys.env); the environment wins.
 */
import { prefixed } from '@complaints/contracts';
import { auditCommand, type ExtraWitness } from '@complaints/eventstore';
import { KafkaTransport } from '@complaints/messaging';
import { AUDIT_CHECKPOINT_TOPIC, readWitnessTopic, recordWitnessTopic } from './audit';
import { busSettings, readEnvFile } from './config';

async function main(): Promise<number> {
  readEnvFile();
  const bus = busSettings(process.env);
  if (bus.kafkaBrokers.length === 0) return auditCommand(process.argv.slice(2), process.env);
  const transport = new KafkaTransport({
    brokers: bus.kafkaBrokers,
    clientId: 'audit-cli',
    partitions: bus.partitions,
  });
  const topic = prefixed(bus.topicPrefix, AUDIT_CHECKPOINT_TOPIC);
  const witness: ExtraWitness = {
    read: (schema) => readWitnessTopic(transport, topic, schema),
    record: async (entry) => {
      await transport.ensureTopics([topic]);
      await recordWitnessTopic(transport, topic, entry);
    },
  };
  try {
    return await auditCommand(process.argv.slice(2), process.env, [witness]);
  } finally {
    await transport.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(3);
  },
);
