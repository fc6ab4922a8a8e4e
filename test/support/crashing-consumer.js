/**
 * A consumer process for the crash test: it handles messages like any service (inbox + effect in
 * one transaction) and kills itself with SIGKILL right after the first effect committed, before
 * Kafka's offset is committed. Runs on the built libraries (npm test builds first).
 */
const { openDatabase, eventStoreMigrations } = require('../../libs/eventstore/dist');
const { KafkaTransport, startConsumer } = require('../../libs/messaging/dist');

async function main() {
  const { DATABASE_URL, KAFKA_BROKERS, TOPIC, GROUP, SCHEMA } = process.env;
  const db = await openDatabase({ url: DATABASE_URL, schema: SCHEMA, migrations: eventStoreMigrations });
  const transport = new KafkaTransport({
    brokers: KAFKA_BROKERS.split(','),
    clientId: 'crashing-consumer',
    sessionTimeout: 6000,
  });
  await startConsumer({
    transport,
    db,
    groupId: GROUP,
    topics: [TOPIC],
    handle: async (event, tx) => {
      await tx.query('INSERT INTO effects (event_id) VALUES ($1)', [event.id]);
    },
    afterCommit: () => {
      process.stdout.write('effect committed; dying before the offset commit\n');
      process.kill(process.pid, 'SIGKILL');
    },
  });
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
