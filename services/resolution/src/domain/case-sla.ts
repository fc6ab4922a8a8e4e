/**
 * The SLA side of a case: which clocks run, their readings, what the monitor must record now
 * (warnings, breaches, climbing the escalation ladder) and when it must look again. Pure: the
 * calendar and the time come in as arguments.
 */
import { ROLES } from './authority';
import { clockKey, type CaseClock, type CaseEvent, type CaseFacts, type ClockRun, type EscalationRecord } from './case';
import { ESCALATION_LADDER, stepAt, whoToNotify, type DirectoryInForce } from './escalation';
import { dueAt as calendarDueAt, type WorkingCalendar } from '@complaints/sla';
import type { ClockReading } from '@complaints/sla';
import {
  readPolicyClock,
  targetInForce,
  whenPolicyClockReaches,
  type ClockDefinition,
  type ClockKind,
  type PolicyClockRun,
} from '@complaints/sla';

export interface ClockView {
  /** The clock's key on the case, e.g. `CN-NFRA/regulatory` (its kind on cases opened before selection rules). */
  id: string;
  clock: ClockKind;
  policy: string;
  regime: CaseClock['regime'];
  /** The SLA document version and policy it started under. */
  decidedBy?: CaseClock['decidedBy'];
  source: string;
  target: ClockDefinition['target'];
  extension: ClockRun['extension'];
  startedAt: string;
  stoppedAt?: string;
  dueAt: string;
  state: ClockReading['state'];
  elapsed: ClockReading['elapsed'];
  remaining: ClockReading['remaining'];
  fractionElapsed: number;
  warningsIssued: number[];
  breachedAt?: string;
  escalationLevel: number;
}

function runsOf(facts: CaseFacts): { definition: CaseClock; run: ClockRun & { startedAt: string } }[] {
  return facts.sla.clocks.flatMap((definition) => {
    const run = facts.clocks[clockKey(definition)];
    return run?.startedAt ? [{ definition, run: run as ClockRun & { startedAt: string } }] : [];
  });
}

function runOf(facts: CaseFacts, run: ClockRun & { startedAt: string }, now: Date): PolicyClockRun {
  return {
    startedAt: new Date(run.startedAt),
    waitingOnCustomer: facts.pauses.map((p) => ({ from: new Date(p.from), to: p.to ? new Date(p.to) : undefined })),
    now,
    stoppedAt: run.stoppedAt ? new Date(run.stoppedAt) : undefined,
    extension: run.extension,
  };
}

function read(
  calendar: WorkingCalendar,
  facts: CaseFacts,
  definition: ClockDefinition,
  run: ClockRun & { startedAt: string },
  now: Date,
) {
  return readPolicyClock(calendar, definition, runOf(facts, run, now));
}

export function readClocks(calendar: WorkingCalendar, facts: CaseFacts, now: Date): ClockView[] {
  return runsOf(facts).map(({ definition, run }) => {
    const reading = read(calendar, facts, definition, run, now);
    return {
      id: clockKey(definition),
      clock: definition.kind,
      policy: definition.decidedBy?.policyId ?? facts.sla.policyId,
      regime: definition.regime ?? facts.sla.regime,
      ...(definition.decidedBy ? { decidedBy: definition.decidedBy } : {}),
      source: definition.source,
      target: targetInForce(definition, run.extension),
      extension: run.extension,
      startedAt: run.startedAt,
      stoppedAt: run.stoppedAt,
      dueAt: reading.dueAt.toISOString(),
      state: run.breachedAt && reading.state !== 'met' ? 'breached' : reading.state,
      elapsed: reading.elapsed,
      remaining: reading.remaining,
      fractionElapsed: reading.fractionElapsed,
      warningsIssued: run.warned,
      breachedAt: run.breachedAt,
      escalationLevel: facts.escalationLevel,
    };
  });
}

/** The unacknowledged escalation that may climb, and when it climbs. */
function nextClimb(calendar: WorkingCalendar, facts: CaseFacts): { from: EscalationRecord; at: Date } | undefined {
  const last = facts.escalations.at(-1);
  if (!last || last.acknowledgedAt || last.level >= ROLES.length - 1) return undefined;
  const within = stepAt(last.level)?.acknowledgeWithin;
  return within ? { from: last, at: calendarDueAt(calendar, new Date(last.escalatedAt), within) } : undefined;
}

/** What the SLA monitor records at `now`: warnings crossed, breaches (even of clocks stopped too late), ladder steps. */
export function slaEventsDue(
  calendar: WorkingCalendar,
  facts: CaseFacts,
  now: Date,
  inForce: DirectoryInForce,
): CaseEvent[] {
  const caseId = facts.opened.caseId;
  const at = now.toISOString();
  const events: CaseEvent[] = [];
  let level = facts.escalationLevel;
  const escalate = (
    reason: string,
    trigger: 'sla-breach' | 'unacknowledged-escalation',
    clock?: { kind: ClockKind; id: string },
  ) => {
    const role = ROLES[level + 1];
    if (role === undefined) return; // the top of the ladder
    events.push({
      type: 'CaseEscalated',
      data: {
        caseId,
        fromLevel: level,
        level: level + 1,
        escalatedTo: role,
        reason,
        trigger,
        ...(clock ? { clock: clock.kind } : {}),
        ...(clock && clock.id !== clock.kind ? { clockId: clock.id } : {}),
        notified: whoToNotify(inForce.directory, facts.department, role),
        directoryPolicy: inForce.policy,
        escalatedAt: at,
      },
    });
    level += 1;
  };
  for (const { definition, run } of runsOf(facts)) {
    if (run.breachedAt) continue;
    const reading = read(calendar, facts, definition, run, now);
    if (reading.state !== 'running' && reading.state !== 'breached') continue;
    // One evaluation may pass several thresholds (the monitor was down, time moved on): every
    // warning not yet issued comes first, lowest first, then the breach, as a timeline reads them.
    const passed = reading.state === 'breached' ? 1 : reading.fractionElapsed;
    for (const threshold of definition.warnAt
      .filter((f) => f < 1 && passed >= f && !run.warned.includes(f))
      .sort((a, b) => a - b)) {
      events.push({
        type: 'SlaWarningIssued',
        data: {
          caseId,
          clock: definition.kind,
          ...(definition.id ? { clockId: definition.id } : {}),
          threshold,
          dueAt: reading.dueAt.toISOString(),
          issuedAt: at,
        },
      });
    }
    if (reading.state === 'breached') {
      events.push({
        type: 'SlaBreached',
        data: {
          caseId,
          clock: definition.kind,
          ...(definition.id ? { clockId: definition.id } : {}),
          dueAt: reading.dueAt.toISOString(),
          breachedAt: reading.dueAt.toISOString(),
          detectedAt: at,
        },
      });
      const clock = { kind: definition.kind, id: clockKey(definition) };
      escalate(`The ${clock.id} clock was due at ${reading.dueAt.toISOString()}`, 'sla-breach', clock);
    }
  }
  const climb = level === facts.escalationLevel ? nextClimb(calendar, facts) : undefined;
  if (climb && climb.at <= now) {
    const { level: unacknowledged } = climb.from;
    escalate(
      `Level ${unacknowledged} (${stepAt(unacknowledged)?.role}) did not acknowledge by ${climb.at.toISOString()}`,
      'unacknowledged-escalation',
    );
  }
  return events;
}

/** When the monitor must look at this case again; undefined when nothing can fire any more. */
export function nextSlaCheck(calendar: WorkingCalendar, facts: CaseFacts, now: Date): Date | undefined {
  const candidates: Date[] = [];
  for (const { definition, run } of runsOf(facts)) {
    if (run.breachedAt) continue;
    const reading = read(calendar, facts, definition, run, now);
    if (reading.state === 'breached') return now;
    if (reading.state !== 'running') continue;
    candidates.push(reading.dueAt);
    const pending = definition.warnAt.filter((f) => f < 1 && !run.warned.includes(f)).sort((a, b) => a - b)[0];
    if (pending !== undefined) {
      candidates.push(
        reading.fractionElapsed >= pending
          ? now
          : whenPolicyClockReaches(calendar, definition, runOf(facts, run, now), pending),
      );
    }
  }
  const climb = nextClimb(calendar, facts);
  if (climb) candidates.push(climb.at);
  return candidates.length ? new Date(Math.min(...candidates.map((d) => d.getTime()))) : undefined;
}

export { ESCALATION_LADDER };
