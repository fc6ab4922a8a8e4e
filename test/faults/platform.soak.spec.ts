/**
 * The soak (`npm run test:soak`, not in CI): two instances of every service on the fault suite's
 * own Kafka and PostgreSQL, a steady load for SOAK_MINUTES (default 30) at SOAK_RATE complaints/s
 * (default 20), and no fault. Every window (SOAK_WINDOW_SECONDS, default a tenth of the run) it
 * records each process's resident memory (/proc/<pid>/status VmRSS), intake's answer time per
 * instance and the end-to-end latency of the complaints sent in it; the report
 * (reports/faults/soak.md and .json) gives, per process, the first and last window and the drift
 * between them. It fails on anything lost or doubled, an instance that died, or a process whose
 * memory grew more than SOAK_MAX_GROWTH times (default 2) from the first window to the last.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../support/infrastructure';
import { FaultInfrastructure, faultInfrastructureOptions } from './infrastructure';
import { INSTANCES, Platform, SERVICES, type Instance } from './platform';
import { SteadyLoad } from './load';
import { settle } from './reconcile';
import { arrivals, percentile } from './measure';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const RATE = Number(process.env.SOAK_RATE ?? 20);
const WINDOW_MS = Number(process.env.SOAK_WINDOW_SECONDS ?? (MINUTES * 60) / 10) * 1000;
const MAX_GROWTH = Number(process.env.SOAK_MAX_GROWTH ?? 2);
const SETTINGS: Record<string, string> = {
  KAFKA_SESSION_TIMEOUT_MS: '10000',
  DB_POOL_SIZE: '6',
  PII_VAULT_POOL_SIZE: '2',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number | null, digits = 1) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

const inSeconds = (ms: number | null) => (ms === null ? null : round(ms / 1000, 2));

function rssMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

interface Window {
  endedAt: string;
  rssMb: Record<string, number | null>;
  /** intake's answer time per instance (ms): p50, p99. */
  intakeMs: Record<string, { p50: number | null; p99: number | null }>;
  /** End to end (first attempt → case in analytics) of complaints first sent in the window (s). */
  endToEnd: { n: number; p50: number | null; p99: number | null };
}

describe('the platform soaked: a steady load for a long time, two instances of every service', () => {
  const infrastructure = new FaultInfrastructure(faultInfrastructureOptions());
  let platform: Platform;

  beforeAll(async () => {
    if (!(MINUTES > 0) || !(RATE > 0) || !(WINDOW_MS >= 10_000)) {
      throw new Error('SOAK_MINUTES and SOAK_RATE must be positive, SOAK_WINDOW_SECONDS at least 10');
    }
    await infrastructure.down();
    await infrastructure.up();
    platform = new Platform(infrastructure.databaseUrl, infrastructure.kafkaBrokers, SETTINGS);
    await platform.createDatabase();
    await Promise.all(SERVICES.map((s) => platform.start(`${s}-1`)));
    await Promise.all(SERVICES.map((s) => platform.start(`${s}-2`)));
  }, 900_000);

  afterAll(async () => {
    await platform?.stopAll();
    await platform?.dispose().catch((error: Error) => console.warn(`cleaning up the soak: ${error.message}`));
    await infrastructure.down();
  }, 300_000);

  it(
    `holds its memory and latency for ${MINUTES} min at ${RATE} complaints/s, losing and doubling nothing`,
    async () => {
      const load = new SteadyLoad(platform.intakeUrls(), 'soak', RATE);
      const intakeUrl = new Map(INSTANCES.filter((i) => i.startsWith('intake')).map((i) => [platform.url(i), i]));
      const windows: Window[] = [];
      const seen = new Map<string, number>();
      const started = Date.now();
      load.start();
      let windowStart = started;
      while (Date.now() - started < MINUTES * 60_000) {
        await sleep(Math.min(WINDOW_MS, MINUTES * 60_000 - (Date.now() - started)));
        const now = Date.now();
        const intakeMs: Window['intakeMs'] = {};
        for (const [url, latencies] of load.latencies()) {
          const fresh = latencies.slice(seen.get(url) ?? 0);
          seen.set(url, latencies.length);
          intakeMs[intakeUrl.get(url) ?? url] = { p50: percentile(fresh, 50), p99: percentile(fresh, 99) };
        }
        const { arrived } = await arrivals(platform);
        const e2e: number[] = [];
        let n = 0;
        for (const [key, id] of load.accepted()) {
          const sent = load.firstSent(key);
          if (sent === undefined || sent < windowStart || sent >= now) continue;
          n++;
          const at = arrived.get(id);
          if (at !== undefined) e2e.push(at - sent);
        }
        windows.push({
          endedAt: new Date(now).toISOString(),
          rssMb: Object.fromEntries(INSTANCES.map((i) => [i, round(rssMb(platform.pid(i)))])),
          intakeMs,
          endToEnd: { n, p50: inSeconds(percentile(e2e, 50)), p99: inSeconds(percentile(e2e, 99)) },
        });
        windowStart = now;
      }
      const result = await load.stop();
      const { reconciliation, progress } = await settle(platform, [...result.accepted.values()], 300_000);

      const first = windows[0]!;
      const last = windows[windows.length - 1]!;
      const growth = (i: Instance) => {
        const [a, b] = [first.rssMb[i], last.rssMb[i]];
        return a && b ? b / a : null;
      };
      const lines = [
        `# Soak: ${MINUTES} min at ${RATE} complaints/s`,
        '',
        `Run ${new Date(started).toISOString()} to ${new Date().toISOString()} on ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}; ${windows.length} windows of ${WINDOW_MS / 1000} s; ${result.accepted.size} complaints accepted, ${reconciliation.lost.length} lost, ${reconciliation.duplicated.length} duplicated. ${process.env.FAULTS_CONTEXT ?? ''}`,
        '',
        '| process | RSS first window (MB) | RSS last window (MB) | highest (MB) | drift |',
        '| --- | --- | --- | --- | --- |',
        ...INSTANCES.map((i) => {
          const highest = Math.max(...windows.map((w) => w.rssMb[i] ?? 0));
          const g = growth(i);
          return `| ${i} | ${first.rssMb[i]} | ${last.rssMb[i]} | ${round(highest)} | ${g === null ? '—' : `×${round(g, 2)}`} |`;
        }),
        '',
        '| latency | first window | last window |',
        '| --- | --- | --- |',
        ...Object.keys(last.intakeMs).map(
          (i) =>
            `| ${i} answer p50 / p99 (ms) | ${first.intakeMs[i]?.p50} / ${first.intakeMs[i]?.p99} | ${last.intakeMs[i]?.p50} / ${last.intakeMs[i]?.p99} |`,
        ),
        `| end to end p50 / p99 (s) | ${first.endToEnd.p50} / ${first.endToEnd.p99} | ${last.endToEnd.p50} / ${last.endToEnd.p99} |`,
        '',
      ];
      const file = join(repoRoot, 'reports', 'faults', 'soak.md');
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, lines.join('\n'));
      writeFileSync(file.replace(/\.md$/, '.json'), `${JSON.stringify({ MINUTES, RATE, windows }, null, 2)}\n`);
      console.log(lines.join('\n'));

      expect(platform.exited()).toEqual([]);
      expect(reconciliation.lost).toEqual([]);
      expect(reconciliation.duplicated).toEqual([]);
      expect(progress.behind).toEqual([]);
      expect(INSTANCES.filter((i) => (growth(i) ?? 0) > MAX_GROWTH)).toEqual([]);
    },
    (MINUTES * 60 + 900) * 1000,
  );
});
