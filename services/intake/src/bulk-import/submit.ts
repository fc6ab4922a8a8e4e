/**
 * One row to the intake API, retried while the intake says "not now": 429 and 503 (with their
 * Retry-After), 408, 409, 425, 502, 504 and a dropped connection, a bounded number of times with
 * exponential backoff. Retrying is safe: the row's Idempotency-Key makes a repeat return the first
 * result. A row is "rejected" only when the intake refuses its content.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  attempts: number;
  /** The longest single wait, whatever Retry-After says. */
  maxWaitMs: number;
  /** The first wait when the answer names none; doubled each attempt. */
  baseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, maxWaitMs: 120_000, baseMs: 1_000 };

const RETRYABLE = new Set([408, 409, 425, 429, 502, 503, 504]);

/** One wait shared by every worker: when the intake says "slow down", none of them keeps asking. */
export class Gate {
  private until = 0;
  async pass(): Promise<void> {
    while (Date.now() < this.until) await sleep(this.until - Date.now());
  }
  hold(ms: number): void {
    this.until = Math.max(this.until, Date.now() + ms);
  }
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  if (/^\s*\d+\s*$/.test(header)) return Number(header) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export type Answer =
  | { kind: 'answered'; status: number; body: Record<string, unknown>; replayed: boolean }
  | { kind: 'gave-up'; reason: string };

export async function post(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  gate: Gate,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<Answer> {
  let last = '';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    await gate.pass();
    const backoff = Math.min(policy.maxWaitMs, policy.baseMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
    } catch (error) {
      last = `no answer (${(error as Error).message})`;
      await sleep(backoff);
      continue;
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!RETRYABLE.has(response.status))
      return {
        kind: 'answered',
        status: response.status,
        body: answer,
        replayed: response.headers.has('idempotent-replayed'),
      };
    last = `${response.status}`;
    const wait = Math.min(policy.maxWaitMs, retryAfterMs(response.headers.get('retry-after')) ?? backoff);
    if (response.status === 429 || response.status === 503) gate.hold(wait);
    else await sleep(wait);
  }
  return {
    kind: 'gave-up',
    reason: `intake answered ${last} ${policy.attempts} times; import the file again later (rows already done are not duplicated)`,
  };
}
