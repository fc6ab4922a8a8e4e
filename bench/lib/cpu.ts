/**
 * Where the CPU goes during a load: CPU time (user + system) of each process, read from /proc, so a
 * scenario can say how many milliseconds of CPU one complaint costs each part, against what the
 * machine's cores can give at the offered rate.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { sql } from './context';

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU time a process has used (ms), or undefined once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Busy CPU time of the whole machine (ms, all cores), from /proc/stat. */
function machineBusyMs(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .map(Number);
  return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / TICKS_PER_SECOND;
}

/** Processes whose command line contains `word` (e.g. the Kafka broker's main class). */
export function pidsMatching(word: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(word)) pids.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** The server processes serving `database` now (PostgreSQL on this machine: one process per connection). */
async function backendsOf(adminUrl: string, database: string): Promise<number[]> {
  const rows = await sql<{ pid: number }>(
    adminUrl,
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [database],
  );
  return rows.map((r) => r.pid);
}

export interface CpuUse {
  /** CPU ms of each named group of processes over the window. */
  byName: Record<string, number>;
  /** Busy CPU ms of the whole machine, and the wall-clock ms of the window. */
  machineBusyMs: number;
  wallMs: number;
  cores: number;
}

/**
 * Starts measuring: named groups of processes, plus the backends of a PostgreSQL database (those
 * connected at the start and at the end; a connection that opened and closed in between is missed),
 * less the backends named in a group (e.g. the bench's own connection).
 */
export async function cpuMeter(groups: Record<string, number[]>, postgres?: { adminUrl: string; database: string }) {
  const grouped = new Set(Object.values(groups).flat());
  const backends = async (p: { adminUrl: string; database: string }) =>
    (await backendsOf(p.adminUrl, p.database)).filter((pid) => !grouped.has(pid));
  const sum = (pids: number[], from?: Map<number, number>) =>
    pids.reduce(
      (total, pid) => total + Math.max(0, (processCpuMs(pid) ?? from?.get(pid) ?? 0) - (from?.get(pid) ?? 0)),
      0,
    );
  const snapshot = (pids: number[]) => new Map(pids.map((pid) => [pid, processCpuMs(pid) ?? 0]));
  const starts = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, snapshot(pids)]));
  const pgStart = postgres ? snapshot(await backends(postgres)) : undefined;
  const busy0 = machineBusyMs();
  const wall0 = Date.now();
  return {
    async stop(): Promise<CpuUse> {
      const byName: Record<string, number> = {};
      for (const [name, pids] of Object.entries(groups)) byName[name] = sum(pids, starts[name]);
      if (postgres && pgStart) {
        const now = await backends(postgres);
        byName.PostgreSQL = sum([...new Set([...pgStart.keys(), ...now])], pgStart);
      }
      return { byName, machineBusyMs: machineBusyMs() - busy0, wallMs: Date.now() - wall0, cores: cpus().length };
    },
  };
}

export interface DatabaseActivity {
  commits: number;
  rowsWritten: number;
}

/**
 * Counts from pg_stat_database for one database (transactions committed; rows inserted, updated or
 * deleted), read now; subtract two readings for a window. PostgreSQL publishes a backend's counts
 * within about a second of its transactions, so read the end after a pause.
 */
export async function databaseActivity(adminUrl: string, database: string): Promise<DatabaseActivity> {
  const [row] = await sql<{ commits: string; written: string }>(
    adminUrl,
    `SELECT xact_commit AS commits, tup_inserted + tup_updated + tup_deleted AS written
       FROM pg_stat_database WHERE datname = $1`,
    [database],
  );
  return { commits: Number(row!.commits), rowsWritten: Number(row!.written) };
}
