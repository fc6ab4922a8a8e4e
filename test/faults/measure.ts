/**
 * What a fault cost, in time: consumer lag sampled every second during a scenario (time to
 * recover), the longest stretch in which no case was opened anywhere (the stall), and end-to-end
 * latency — from the load's first attempt to the case's arrival in analytics — of the complaints
 * sent during the fault. Times of stored facts are PostgreSQL's (`recorded_at`, one clock for
 * every service, whatever an instance's own clock says); the load's are this process's, on the
 * same machine.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import { CONSUMERS, TOPICS, type Platform } from './platform';

export interface LagSample {
  at: number;
  /** Messages not yet committed, summed over every consumer group and partition; null if the broker did not answer. */
  lag: number | null;
}

export async function totalLag(platform: Platform, admin: Admin): Promise<number> {
  let lag = 0;
  for (const topic of TOPICS) {
    const name = platform.topic(topic);
    const ends = new Map((await admin.fetchTopicOffsets(name)).map((p) => [p.partition, Number(p.high)]));
    for (const service of CONSUMERS[topic]) {
      const [committed] = await admin.fetchOffsets({ groupId: platform.group(service), topics: [name] });
      for (const { partition, offset } of committed?.partitions ?? []) {
        lag += Math.max((ends.get(partition) ?? 0) - Math.max(Number(offset), 0), 0);
      }
    }
  }
  return lag;
}

/** Samples the total consumer lag every second until stopped. */
export class LagSampler {
  readonly samples: LagSample[] = [];
  private admin: Admin | undefined;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly platform: Platform) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<LagSample[]> {
    this.running = false;
    await this.loop;
    return this.samples;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const at = Date.now();
      let lag: number | null = null;
      try {
        if (!this.admin) {
          this.admin = new Kafka({
            clientId: 'faults-lag-sampler',
            brokers: this.platform.kafkaBrokers.split(','),
            logLevel: logLevel.NOTHING,
            retry: { retries: 0 },
            requestTimeout: 3000,
            connectionTimeout: 2000,
          }).admin();
          await this.admin.connect();
        }
        lag = await totalLag(this.platform, this.admin);
      } catch {
        await this.admin?.disconnect().catch(() => undefined);
        this.admin = undefined;
      }
      this.samples.push({ at, lag });
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - at))));
    }
    await this.admin?.disconnect().catch(() => undefined);
  }
}

/**
 * When the lag was back after the fault: the first sample after `faultEnd` at or below the level
 * it had under the same load before the fault (its peak then, and at least one second of
 * messages), or `settledAt` (every partition consumed to its end) if the load ended first.
 */
export function recoveredAt(
  samples: LagSample[],
  window: { loadStart: number; faultStart: number; faultEnd: number },
  oneSecondOfMessages: number,
  settledAt: number,
): { at: number; baseline: number; peak: number } {
  const known = samples.filter((s): s is { at: number; lag: number } => s.lag !== null);
  const before = known.filter((s) => s.at >= window.loadStart && s.at < window.faultStart);
  const baseline = Math.max(oneSecondOfMessages, ...before.map((s) => s.lag));
  const peak = Math.max(0, ...known.filter((s) => s.at >= window.faultStart).map((s) => s.lag));
  const back = known.find((s) => s.at >= window.faultEnd && s.lag <= baseline);
  return { at: back?.at ?? settledAt, baseline, peak };
}

export interface Timings {
  /** The longest stretch, from the fault's start to the last case opened, with no case opened (ms). */
  longestStallMs: number;
  /** End-to-end p50/p99 (ms) of complaints first sent during the fault; null if none arrived. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** The longest any of them waited. */
  maxMs: number | null;
  /** How many complaints were first sent during the fault (the p99's population). */
  duringFault: number;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** When each complaint's case was opened (resolution) and reached analytics, from PostgreSQL. */
export async function arrivals(
  platform: Platform,
): Promise<{ opened: Map<string, number>; arrived: Map<string, number> }> {
  const client = new Client({ connectionString: platform.databaseUrl });
  await client.connect();
  try {
    const times = async (sql: string) => {
      const map = new Map<string, number>();
      for (const row of (await client.query<{ id: string; at: Date }>(sql)).rows) {
        const id = UUID.exec(row.id)?.[0];
        if (id) map.set(id, row.at.getTime());
      }
      return map;
    };
    return {
      opened: await times(`SELECT stream_id AS id, recorded_at AS at FROM resolution.events WHERE type = 'CaseOpened'`),
      arrived: await times(
        `SELECT complaint_id::text AS id, recorded_at AS at FROM analytics.case_history WHERE type = 'case.opened.v1'`,
      ),
    };
  } finally {
    await client.end();
  }
}

/**
 * The stall and end-to-end latency of one scenario: `accepted` maps idempotency keys to complaint
 * ids, `firstSent` keys to when the load first sent them.
 */
export async function timings(
  platform: Platform,
  accepted: Map<string, string>,
  firstSent: Map<string, number>,
  fault: { start: number; end: number },
): Promise<Timings> {
  const { opened, arrived } = await arrivals(platform);
  const openings = [...accepted.values()]
    .map((id) => opened.get(id))
    .filter((t): t is number => t !== undefined && t >= fault.start)
    .sort((a, b) => a - b);
  let longestStallMs = 0;
  let previous = fault.start;
  for (const at of openings) {
    longestStallMs = Math.max(longestStallMs, at - previous);
    previous = at;
  }
  const latencies: number[] = [];
  let duringFault = 0;
  for (const [key, id] of accepted) {
    const sent = firstSent.get(key);
    if (sent === undefined || sent < fault.start || sent > fault.end) continue;
    duringFault++;
    const at = arrived.get(id);
    if (at !== undefined) latencies.push(at - sent);
  }
  return {
    longestStallMs,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: percentile(latencies, 100),
    duringFault,
  };
}
