/**
 * Load generators: autocannon against HTTP (127.0.0.1 only), pgbench for the database baseline,
 * and the complaint bodies intake receives.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { summarise } from './figures';
import { authorization } from './context';

/** A hotline complaint from a different phone number each time (so no duplicate links pile up). */
export function complaintBody(): string {
  const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  return JSON.stringify({
    channel: 'hotline',
    complainant: { name: '王女士', contact: { phone } },
    description: '电表计量不准，本月电费比上月高出三倍',
    demands: ['校验电表', '退还多收电费'],
    target: { kind: 'meter', name: '电能表 3301-778' },
    occurredAt: '2026-03-01T10:00:00+08:00',
    language: 'zh',
  });
}

export const complaintHeaders = () => ({
  'content-type': 'application/json',
  ...authorization('channel'),
  'idempotency-key': randomUUID(),
});

export interface HttpLoadResult {
  /** 2xx responses per second. */
  okPerSecond: number;
  p50: number;
  p99: number;
  ok: number;
  failed: number;
}

export interface HttpLoad {
  url: string;
  connections: number;
  seconds: number;
  /** Caps the total request rate (open loop at that rate); absent = as fast as it goes. */
  rate?: number;
  post?: boolean;
}

export async function httpLoad(load: HttpLoad): Promise<HttpLoadResult> {
  const result = await autocannon({
    url: load.url,
    connections: load.connections,
    duration: load.seconds,
    ...(load.rate ? { overallRate: Math.max(1, Math.round(load.rate)) } : {}),
    ...(load.post
      ? {
          requests: [
            {
              method: 'POST',
              setupRequest: (request) => ({ ...request, headers: complaintHeaders(), body: complaintBody() }),
            },
          ],
        }
      : {}),
  });
  const ok = result['2xx'];
  return {
    okPerSecond: ok / load.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok,
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

export interface PgbenchResult {
  tps: number;
  p50: number;
  p99: number;
  transactions: number;
}

/**
 * The JSON as an SQL literal pgbench leaves alone: pgbench reads `:name` anywhere in a script as a
 * variable (sealed fields hold `pii:v1:…`). Indented, JSON's own separators are followed by a space;
 * a colon left before a name character is inside a string and becomes `\u003a`, the same jsonb.
 */
function pgbenchLiteral(json: string): string {
  return JSON.stringify(JSON.parse(json), null, 1)
    .replace(/:(?=[\p{L}\p{N}_])/gu, '\\u003a')
    .replace(/'/g, "''");
}

/** pgbench running one single-row INSERT per transaction, with `clients` connections. */
export async function pgbenchInsert(
  url: string,
  options: { clients: number; seconds: number; rate?: number; row: string },
): Promise<PgbenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pgbench-'));
  try {
    const script = join(dir, 'insert.sql');
    writeFileSync(script, `INSERT INTO pgbench_insert (data) VALUES ('${pgbenchLiteral(options.row)}'::jsonb);\n`);
    const args = [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(options.clients),
      '-j',
      String(Math.min(options.clients, 2)),
      '-T',
      String(options.seconds),
      '-f',
      script,
      '-l',
      '--log-prefix',
      join(dir, 'log'),
      ...(options.rate ? ['-R', String(Math.max(1, Math.round(options.rate)))] : []),
      url,
    ];
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        'pgbench',
        args,
        { timeout: (options.seconds + 60) * 1000, maxBuffer: 1 << 24 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`pgbench failed: ${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? NaN);
    const latencies: number[] = [];
    for (const file of readdirSync(dir).filter((f) => f.startsWith('log'))) {
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
        const fields = line.split(' ');
        if (fields.length >= 3) latencies.push(Number(fields[2]) / 1000);
      }
    }
    const s = summarise(latencies);
    return { tps, p50: s.p50, p99: s.p99, transactions: s.count };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
