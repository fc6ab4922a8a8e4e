#!/usr/bin/env node
/**
 * npm run dlt -- list <topic> [--since <ISO time>]     the dead letters of <topic> (from <topic>.dlt)
 * npm run dlt -- replay <topic> (--ids p/o,… | --all)  re-publish them to <topic> after a fix
 *
 * <topic> as the bus names it (with TOPIC_PREFIX). Kafka when KAFKA_BROKERS is set, else the
 * embedded bus in DATABASE_URL. Replaying is idempotent: see libs/messaging/src/dead-letters.ts.
 * Exit 0 done, 2 bad usage, 3 failed.
 */
import { parseArgs } from 'node:util';
import { openDatabase } from '@complaints/eventstore';
import {
  embeddedBusMigrations,
  KafkaTransport,
  listDeadLetters,
  PostgresTransport,
  replayDeadLetters,
  type Transport,
} from '@complaints/messaging';
import { busSettings } from './config';

const USAGE = 'Usage: npm run dlt -- list <topic> [--since <ISO time>] | replay <topic> (--ids <p/o>,… | --all)';

async function openBus(): Promise<{ transport: Transport; close: () => Promise<void> }> {
  const bus = busSettings(process.env);
  if (bus.kafkaBrokers.length > 0) {
    const quiet = () => undefined;
    // An operator's command: a mistyped topic is answered in seconds, not after a minute of retries.
    const transport = new KafkaTransport({
      brokers: bus.kafkaBrokers,
      clientId: 'dlt-cli',
      partitions: bus.partitions,
      retries: 2,
      log: { error: quiet, warn: quiet, log: quiet, debug: quiet },
    });
    return { transport, close: () => transport.close() };
  }
  const url = process.env.DATABASE_URL;
  if (!url) throw new UsageError('Set KAFKA_BROKERS (Kafka) or DATABASE_URL (the embedded bus)');
  const db = await openDatabase({ url, schema: 'bus', migrations: embeddedBusMigrations, applicationName: 'dlt-cli' });
  return { transport: new PostgresTransport(db), close: () => db.close() };
}

class UsageError extends Error {}

function parse(argv: string[]) {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { since: { type: 'string' }, ids: { type: 'string' }, all: { type: 'boolean' } },
  });
  const [command, topic, ...rest] = positionals;
  if (!topic || rest.length > 0 || (command !== 'list' && command !== 'replay')) throw new UsageError(USAGE);
  const since = values.since === undefined ? undefined : new Date(values.since);
  if (since && Number.isNaN(since.getTime())) throw new UsageError(`--since is not a date: "${values.since}"`);
  const ids = values.ids?.split(',').map((id) => id.trim());
  if (ids?.some((id) => !/^\d+\/\d+$/.test(id)))
    throw new UsageError(`--ids takes <partition>/<offset>,…: "${values.ids}"`);
  if (command === 'replay' && !ids === !values.all) throw new UsageError('replay takes either --ids or --all');
  return { command, topic, since, ids };
}

async function main(): Promise<number> {
  const { command, topic, since, ids } = parse(process.argv.slice(2));
  const { transport, close } = await openBus();
  try {
    if (command === 'list') {
      for (const d of await listDeadLetters(transport, topic, { since })) {
        const state = d.replayed ? 'replayed' : 'pending';
        console.log([d.id, state, d.failedAt ?? '-', d.consumerGroup ?? '-', d.key, d.reason ?? '-'].join('\t'));
      }
      return 0;
    }
    const result = await replayDeadLetters(transport, topic, ids);
    console.log(`replayed ${result.replayed.length}: ${result.replayed.join(', ') || 'none'}`);
    if (result.alreadyReplayed.length) console.log(`already replayed: ${result.alreadyReplayed.join(', ')}`);
    if (result.unknown.length) console.error(`no such dead letter: ${result.unknown.join(', ')}`);
    return result.unknown.length ? 2 : 0;
  } finally {
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(/does not host this topic/.test(message) ? `No such topic on the broker: ${message}` : message);
    process.exit(error instanceof UsageError ? 2 : 3);
  },
);
