#!/usr/bin/env node
/**
 * npm run rebuild -- analytics [--keep-old]
 * Rebuilds analytics' projections from the beginning of history while the service keeps answering
 * from the old ones, then switches atomically. Uses the service's configuration (DATABASE_URL,
 * KAFKA_BROKERS or the embedded bus, TOPIC_PREFIX, ANALYTICS_DB_SCHEMA).
 */
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { ConfigError, loadServiceConfig } from '@complaints/kit';
import { rebuildAnalytics } from './rebuild';

const PROJECTIONS = ['analytics'];

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'keep-old': { type: 'boolean', default: false } },
  });
  const [name] = positionals;
  if (!name || !PROJECTIONS.includes(name) || positionals.length > 1) {
    console.error(`Usage: npm run rebuild -- <${PROJECTIONS.join('|')}> [--keep-old]`);
    return 2;
  }
  const config = loadServiceConfig('analytics');
  const bar = new SingleBar(
    {
      format: 'rebuilding [{bar}] {value}/{total} events | {speed} events/s | {eta_formatted} left',
      stream: process.stderr,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  const started = Date.now();
  const report = await rebuildAnalytics({
    config,
    keepOld: values['keep-old'],
    onStart: (total) => bar.start(total, 0, { speed: 0 }),
    onProgress: (done) =>
      bar.update(done, { speed: Math.round(done / Math.max((Date.now() - started) / 1000, 0.001)) }),
  });
  bar.stop();
  console.log(
    `Rebuilt ${config.schema} from ${report.read} events (${report.skipped} unreadable skipped, ${report.tail} projected live meanwhile) ` +
      `in ${report.seconds.toFixed(1)} s, ${report.eventsPerSecond} events/s.` +
      (report.retiredSchema ? ` The old tables are in schema ${report.retiredSchema}.` : ''),
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
