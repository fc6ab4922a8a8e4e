/**
 * What each scenario did and what was observed, written to a JSON file as the suite goes (so a
 * run stopped half way still leaves its findings); test/faults/render-report.js turns it into
 * docs/reliability.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
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
  seconds: { load: number; fault: number; converged: number };
  notes: string[];
  passed: boolean;
}

export const observationsFile = () =>
  process.env.FAULTS_OBSERVATIONS ?? join(repoRoot, 'reports', 'faults', 'observations.json');

export class ObservationLog {
  private readonly run = {
    startedAt: new Date().toISOString(),
    finishedAt: null as string | null,
    machine: `${cpus().length} cores, Node ${process.version}`,
    ratePerSecond: 0,
    scenarios: [] as Observation[],
  };

  constructor(ratePerSecond: number) {
    this.run.ratePerSecond = ratePerSecond;
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
