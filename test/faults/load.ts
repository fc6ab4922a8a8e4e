/**
 * A steady load of complaints, as a channel adapter behind a load balancer would send them: spread
 * over intake's instances in turn, each with its own Idempotency-Key, retried on 503 (after
 * Retry-After) and on a refused, dropped or timed-out connection — on the next instance — until a
 * deadline. A complaint counts as accepted when intake answered 2xx with its id.
 */
import { api } from '../support/auth';
import { complaintBody } from '../support/journey';

/** Every HTTP call the fault suite makes to a service goes through here (one place for credentials). */
export function callService(url: string, init: RequestInit = {}): Promise<Response> {
  return api(url, {
    ...init,
    headers: { 'x-actor-id': 'faults-load', 'x-actor-role': 'channel', ...(init.headers as Record<string, string>) },
    signal: AbortSignal.timeout(15_000),
  });
}

export interface LoadResult {
  /** Idempotency key → complaint id, for every complaint intake accepted. */
  accepted: Map<string, string>;
  sent: number;
  /** Complaints never accepted before the deadline. */
  abandoned: number;
  /** Responses by status ("network" for a refused, dropped or timed-out connection). */
  responses: Record<string, number>;
  /** 503s without a Retry-After header. */
  unavailableWithoutRetryAfter: number;
  /** Any answer that is neither 2xx, 503 nor a dropped connection, with its body. */
  unexpected: string[];
  /** Idempotency key → when the complaint was first sent (ms since the epoch). */
  firstSent: Map<string, number>;
  /** How long complaints were being sent (from start to stop), ms. */
  sendingMs: number;
  /** Per intake URL, the duration (ms) of every answered request. */
  latencies: Map<string, number[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SteadyLoad {
  private readonly result: LoadResult = {
    accepted: new Map(),
    sent: 0,
    abandoned: 0,
    responses: {},
    unavailableWithoutRetryAfter: 0,
    unexpected: [],
    firstSent: new Map(),
    latencies: new Map(),
    sendingMs: 0,
  };
  private startedAt = 0;
  private next = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private giveUpAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly intakeUrls: string[],
    private readonly label: string,
    private readonly perSecond: number,
  ) {}

  start(): void {
    this.startedAt = Date.now();
    // Paced by the clock, not by timer ticks: a tick that comes late (a busy event loop) sends
    // what is due, so the rate holds however the timer drifts.
    this.timer = setInterval(
      () => {
        const due = Math.floor(((Date.now() - this.startedAt) / 1000) * this.perSecond);
        while (this.result.sent < due) {
          const work = this.send(`${this.label}-${++this.result.sent}`);
          this.inFlight.add(work);
          void work.finally(() => this.inFlight.delete(work));
        }
      },
      Math.min(50, 1000 / this.perSecond),
    );
  }

  /** What the load has seen so far, while it runs (the soak reads it window by window). */
  latencies(): ReadonlyMap<string, number[]> {
    return this.result.latencies;
  }

  accepted(): ReadonlyMap<string, string> {
    return this.result.accepted;
  }

  firstSent(key: string): number | undefined {
    return this.result.firstSent.get(key);
  }

  /** Stops sending new complaints; those on their way keep retrying for up to `retryForMs`. */
  async stop(retryForMs = 120_000): Promise<LoadResult> {
    if (this.timer) this.result.sendingMs = Date.now() - this.startedAt;
    clearInterval(this.timer);
    this.timer = undefined;
    this.giveUpAt = Date.now() + retryForMs;
    await Promise.all([...this.inFlight]);
    return this.result;
  }

  private count(status: string) {
    this.result.responses[status] = (this.result.responses[status] ?? 0) + 1;
  }

  private async send(key: string): Promise<void> {
    const body = JSON.stringify(complaintBody(`故障测试 ${key}：电表计量不准`));
    this.result.firstSent.set(key, Date.now());
    let instance = this.next++;
    while (Date.now() < this.giveUpAt) {
      const url = this.intakeUrls[instance++ % this.intakeUrls.length]!;
      const began = Date.now();
      let response: Response;
      try {
        response = await callService(`${url}/complaints`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body,
        });
      } catch {
        this.count('network');
        await sleep(1000);
        continue;
      }
      this.count(String(response.status));
      const latencies = this.result.latencies.get(url) ?? [];
      latencies.push(Date.now() - began);
      this.result.latencies.set(url, latencies);
      if (response.ok) {
        const { complaintId } = (await response.json()) as { complaintId: string };
        this.result.accepted.set(key, complaintId);
        return;
      }
      const text = await response.text();
      if (response.status === 503) {
        const retryAfter = Number(response.headers.get('retry-after'));
        if (!retryAfter) this.result.unavailableWithoutRetryAfter++;
        await sleep(Math.min(retryAfter || 1, 10) * 1000);
        continue;
      }
      this.result.unexpected.push(`${key}: ${response.status} ${text.slice(0, 300)}`);
      return;
    }
    this.result.abandoned++;
  }
}
