/**
 * Resolution's memory over a long SLA run: a few hundred open cases evaluated again and again
 * while the test clock moves on (months, then years). What the evaluations cache must stay bounded:
 * the heap after a full collection grows by a few MB at most, however long the run.
 */
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Topics } from '@complaints/contracts';
import { openDatabase, type Database } from '@complaints/eventstore';
import { AdjustableClock } from '@complaints/kit';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { eventually } from '../../../test/support/database';
import { startInProcess, type InProcessService } from '../../../test/support/in-process';
import { routedEnvelope } from '../../../test/fixtures/events';
import { SlaMonitor } from './infrastructure/sla-monitor';
import { resolutionService } from './resolution.module';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1_048_576;
};

const CASES = Number(process.env.SLA_MEMORY_CASES ?? 200);
const DAY = 86_400_000;

describe("resolution's memory over a long SLA run", () => {
  let resolution: InProcessService;
  let bus: Database;
  const clock = new AdjustableClock();

  beforeAll(async () => {
    // The test drives the monitor itself.
    resolution = await startInProcess(resolutionService, clock, { SLA_MONITOR: 'off' });
    bus = await openDatabase({ url: resolution.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
  });
  afterAll(async () => {
    await bus?.close();
    await resolution?.close();
  });

  it('keeps its heap, after a full collection, within 8 MB of where it started over twelve years of test clock', async () => {
    const transport = new PostgresTransport(bus);
    const monitor = resolution.app.get(SlaMonitor);
    const evaluations = { n: 0 };
    const openCases = async (count: number) => {
      for (let i = 0; i < count; i += 50) {
        await transport.publish(
          Array.from({ length: Math.min(50, count - i) }, () => {
            const id = randomUUID();
            return {
              topic: Topics.routing,
              key: id,
              value: JSON.stringify(routedEnvelope(id, `C-${id.slice(0, 4)}`, 'bank-a')),
              headers: {},
            };
          }),
        );
      }
    };
    const evaluateDue = async () => {
      while (await monitor.evaluateNext()) evaluations.n++;
    };
    /** Cases opened over `days`, each day's evaluated: the clock, and so the years, move on. */
    const run = async (days: number, step: number) => {
      for (let day = 0; day < days; day += step) {
        await openCases(CASES / 20);
        clock.advance(step * DAY);
        await evaluateDue();
      }
    };
    const countChecks = async () =>
      (await resolution.db.query<{ n: number }>('SELECT count(*)::int AS n FROM sla_checks')).rows[0]!.n;
    await openCases(CASES);
    await eventually('the cases opened', async () => ((await countChecks()) >= CASES ? true : undefined), 60_000);

    await run(60, 3); // warm-up: every code path loaded
    const before = heapMb();
    const beforeRss = process.memoryUsage().rss / 1_048_576;
    const at = evaluations.n;
    await run(Number(process.env.SLA_MEMORY_DAYS ?? 365 * 12), Number(process.env.SLA_MEMORY_STEP ?? 73));
    const after = heapMb();
    const rss = process.memoryUsage().rss / 1_048_576;
    process.stdout.write(
      `SLA memory: ${evaluations.n - at} evaluations over 12 years of test clock; heap ${before.toFixed(1)} -> ${after.toFixed(1)} MB, RSS ${beforeRss.toFixed(0)} -> ${rss.toFixed(0)} MB\n`,
    );
    expect(evaluations.n - at).toBeGreaterThan(CASES);
    expect(after - before).toBeLessThan(8);
  }, 600_000);
});
