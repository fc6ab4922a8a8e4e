/**
 * What each scenario did and what was observed, written to a JSON file as the suite goes (so a
 * run stopped half way still leaves its findings); test/faults/render-report.js turns it into
 * docs/reliability.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../support/infrastructure';

export interface Observation {
  scenario: string;
  action: string;
  accepted: number;
  lost: number;
  duplicated: number;
  deadLettered: number;
  expectedDeadLetters: number;
  partitions: { caughtUp: number; total: number };
  responses: Record<string, number>;
  seconds: {
    load: number;
    fault: number;
    converged: number;
    /** From the fault's end until consumer lag was back to its pre-fault level (see measure.ts). */
    recovered: number;
    /** The longest stretch with no case opened anywhere, from the fault's start. */
    longestStall: number;
    /** End-to-end (first attempt → case in analytics) of complaints first sent during the fault. */
    p50: number | null;
    p99: number | null;
    max: number | null;
  };
  /** Complaints first sent during the fault (p50/p99's population), and the highest total lag seen. */
  duringFault: number;
  lagPeak: number;
  notes: string[];
  passed: boolean;
}

export const observationsFile = () =>
  process.env.FAULTS_OBSERVATIONS ?? join(repoRoot, 'reports', 'faults', 'observations.json');

export class ObservationLog {
  private readonly run = {
    startedAt: new Date().toISOString(),
    finishedAt: null as string | null,
    machine: `${cpus().length} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`,
    ratePerSecond: 0,
    profile: '',
    /** The instance in the network namespace (the network faults' target). */
    isolated: '',
    /** Settings every instance ran with (KAFKA_SESSION_TIMEOUT_MS, DB_POOL_SIZE…). */
    settings: {} as Record<string, string>,
    /** Anything about the run a reader should know (e.g. what else ran on the machine). */
    context: process.env.FAULTS_CONTEXT ?? '',
    scenarios: [] as Observation[],
  };

  constructor(ratePerSecond: number, profile: string, settings: Record<string, string>, isolated: string) {
    this.run.isolated = isolated;
    this.run.ratePerSecond = ratePerSecond;
    this.run.profile = profile;
    this.run.settings = settings;
    this.write();
  }

  add(observation: Observation): void {
    this.run.scenarios.push(observation);
    this.write();
  }

  finish(): void {
    this.run.finishedAt = new Date().toISOString();
    this.write();
  }

  private write(): void {
    const file = observationsFile();
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(this.run, null, 2)}\n`);
  }
}
