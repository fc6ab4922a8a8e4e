/**
 * Management KPIs over case summaries: handling times in calendar and business time, SLA
 * compliance per clock, outcomes (escalation, reopening, first-contact resolution, validity,
 * satisfaction), root causes and improvement actions, and repeat complainants. Pure: the caller
 * loads the summaries and says which working calendar to use, so every figure can be checked
 * without a database.
 */
import { businessMillisBetween, DEFAULT_POLICY, SLA_POLICY_PRESETS, type WorkingCalendar } from '@complaints/sla';
import type { CaseSummary } from './case-summary';

/** A working calendar by id, built to cover the instant given (SlaCatalogue.calendar). */
export type CalendarOf = (calendarId: string, at: Date) => WorkingCalendar;

const HOUR_MS = 3_600_000;
const CLOCK_ORDER = ['acknowledgement', 'first-contact', 'resolution', 'follow-up', 'regulatory'];
/** A case opened without its policy's clocks in the event (older producers) ran these two: acknowledgeBy and resolveBy. */
const CLOCKS_OF_EVERY_CASE = ['acknowledgement', 'resolution'];

export const round2 = (value: number) => Math.round(value * 100) / 100;

/** part / whole to four decimals; null when there is nothing to divide by. */
export const ratio = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;

/** The p-th percentile interpolated between the closest ranks, as PostgreSQL's percentile_cont computes it. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = p * (sorted.length - 1);
  const below = sorted[Math.floor(position)] ?? Number.NaN;
  const above = sorted[Math.ceil(position)] ?? Number.NaN;
  return below + (above - below) * (position - Math.floor(position));
}

function medianAndP90(values: number[]) {
  const rounded = (p: number) => {
    const value = percentile(values, p);
    return value === null ? null : round2(value);
  };
  return { median: rounded(0.5), p90: rounded(0.9) };
}

/**
 * The calendar a case's business time counts on: the one its SLA policy named when the case
 * opened; for a case opened before the event carried it, the calendar of the preset policy it
 * names; failing both, the default policy's.
 */
export function calendarIdOf(summary: Pick<CaseSummary, 'calendarId' | 'slaPolicy'>): string {
  return (
    summary.calendarId ??
    SLA_POLICY_PRESETS.find((policy) => policy.id === summary.slaPolicy)?.calendarId ??
    DEFAULT_POLICY.calendarId
  );
}

/** Hours between two instants of a case, elapsed and on its working calendar. */
export function hoursBetween(summary: CaseSummary, calendars: CalendarOf, from: string, to: string) {
  const start = new Date(from);
  const end = new Date(to);
  const calendar = calendars(calendarIdOf(summary), start);
  return {
    calendar: (end.getTime() - start.getTime()) / HOUR_MS,
    business: businessMillisBetween(calendar, start, end) / HOUR_MS,
  };
}

const escalated = (summary: CaseSummary) => (summary.maxEscalationLevel ?? summary.escalationLevel ?? 0) > 0;
const reopened = (summary: CaseSummary) => (summary.reopenCount ?? 0) > 0;

/** Time to acknowledge and to resolve from receipt (median, p90; calendar and business hours) and the headline rates. */
export function handlingFigures(cases: CaseSummary[], calendars: CalendarOf) {
  const spans = (end: keyof CaseSummary) =>
    cases.flatMap((summary) => {
      const to = summary[end];
      return summary.receivedAt && typeof to === 'string'
        ? [hoursBetween(summary, calendars, summary.receivedAt, to)]
        : [];
    });
  const acknowledged = spans('acknowledgedAt');
  const resolved = spans('resolvedAt');
  return {
    cases: cases.length,
    acknowledged: acknowledged.length,
    resolved: resolved.length,
    hoursToAcknowledge: medianAndP90(acknowledged.map((h) => h.calendar)),
    hoursToResolve: medianAndP90(resolved.map((h) => h.calendar)),
    businessHoursToAcknowledge: medianAndP90(acknowledged.map((h) => h.business)),
    businessHoursToResolve: medianAndP90(resolved.map((h) => h.business)),
    slaBreachRate: ratio(cases.filter((s) => (s.breachedClocks ?? []).length > 0).length, cases.length),
    escalationRate: ratio(cases.filter(escalated).length, cases.length),
    reopenRate: ratio(cases.filter(reopened).length, cases.length),
  };
}

/** When a case's clock of this kind stopped (its goal reached, or the case closed), if it has. */
function endOf(summary: CaseSummary, clock: string): string | undefined {
  switch (clock) {
    case 'acknowledgement':
    case 'first-contact':
      return summary.acknowledgedAt ?? summary.closedAt;
    case 'resolution':
    case 'regulatory':
      return summary.resolvedAt ?? summary.closedAt;
    case 'follow-up': // stopped by the satisfaction the callback records
      return summary.satisfactionScore !== undefined ? (summary.closedAt ?? summary.lastEventAt) : summary.closedAt;
    default:
      return summary.closedAt;
  }
}

type ClockOutcome = 'met' | 'breached' | 'running';

/**
 * How a case's clock stands: breached once the SLA monitor said so (even while it still runs: it
 * can no longer be met; the monitor, not the summary, knows the pauses and extensions that move a
 * due time); met when it stopped without a breach; else running. The follow-up clock starts at
 * resolution: an unresolved case never had one (undefined).
 */
function outcomeOf(summary: CaseSummary, clock: string, breached: Set<string>): ClockOutcome | undefined {
  if (clock === 'follow-up' && !summary.resolvedAt && !breached.has(clock)) return undefined;
  if (breached.has(clock)) return 'breached';
  return endOf(summary, clock) ? 'met' : 'running';
}

/**
 * Compliance per SLA clock type, over the clocks that ended: met / (met + breached). Clocks still
 * running within their time are reported apart (`running`), in neither; `cases` counts every
 * opened case whose clock of that type started.
 */
export function slaCompliance(cases: CaseSummary[]) {
  const tally = new Map<string, Record<ClockOutcome, number>>();
  for (const summary of cases.filter((s) => s.openedAt)) {
    const breached = new Set(summary.breachedClocks ?? []);
    for (const clock of new Set([...(summary.slaClocks ?? CLOCKS_OF_EVERY_CASE), ...breached])) {
      const outcome = outcomeOf(summary, clock, breached);
      if (!outcome) continue;
      const entry = tally.get(clock) ?? { met: 0, breached: 0, running: 0 };
      tally.set(clock, { ...entry, [outcome]: entry[outcome] + 1 });
    }
  }
  const rank = (clock: string) => (CLOCK_ORDER.includes(clock) ? CLOCK_ORDER.indexOf(clock) : CLOCK_ORDER.length);
  return {
    rows: [...tally]
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([clock, { met, breached, running }]) => ({
        clock,
        cases: met + breached + running,
        met,
        breached,
        running,
        compliance: ratio(met, met + breached),
      })),
  };
}

/**
 * First-contact resolution: a resolved case settled by the department and level that first had
 * it, in one go — never escalated, handed to another department, left waiting on the customer
 * or reopened.
 */
const firstContactResolved = (summary: CaseSummary) =>
  !escalated(summary) && !reopened(summary) && !summary.waitedOnCustomer && (summary.handOffs ?? 0) === 0;

/** Items grouped by a key (items without one left out), groups in order of first appearance. */
export function groupBy<T>(items: T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const value = key(item);
    if (value === undefined) continue;
    const group = groups.get(value);
    if (group) group.push(item);
    else groups.set(value, [item]);
  }
  return groups;
}

function countBy<T>(items: T[], key: (item: T) => string | undefined): Map<string, number> {
  return new Map([...groupBy(items, key)].map(([value, group]) => [value, group.length]));
}

/** Most frequent first, then alphabetical, so equal counts come out in a stable order. */
const byCountThenName = ([a, m]: [string, number], [b, n]: [string, number]) => n - m || a.localeCompare(b);

/** Escalation rate and highest level reached, reopen rate, first-contact resolution, validity and satisfaction. */
export function outcomeFigures(cases: CaseSummary[]) {
  const resolved = cases.filter((s) => s.resolvedAt);
  const judged = cases.filter((s) => s.validity);
  const scores = cases.flatMap((s) => (s.satisfactionScore === undefined ? [] : [s.satisfactionScore]));
  const levels = countBy(cases.filter(escalated), (s) => String(s.maxEscalationLevel ?? s.escalationLevel));
  return {
    cases: cases.length,
    escalation: {
      escalated: cases.filter(escalated).length,
      rate: ratio(cases.filter(escalated).length, cases.length),
      highestLevelReached: Object.fromEntries([...levels].sort(([a], [b]) => Number(a) - Number(b))),
    },
    reopen: { reopened: cases.filter(reopened).length, rate: ratio(cases.filter(reopened).length, cases.length) },
    firstContactResolution: {
      resolved: resolved.length,
      firstContact: resolved.filter(firstContactResolved).length,
      rate: ratio(resolved.filter(firstContactResolved).length, resolved.length),
    },
    validity: {
      judged: judged.length,
      valid: judged.filter((s) => s.validity?.valid).length,
      rate: ratio(judged.filter((s) => s.validity?.valid).length, judged.length),
    },
    satisfaction: {
      responses: scores.length,
      average: scores.length === 0 ? null : round2(scores.reduce((a, b) => a + b, 0) / scores.length),
      satisfiedRate: ratio(scores.filter((score) => score >= 4).length, scores.length),
      scores: Object.fromEntries([1, 2, 3, 4, 5].map((score) => [score, scores.filter((s) => s === score).length])),
    },
  };
}

/** The commonest root causes of closed cases, each with the improvement actions taken for it, and the commonest actions. */
export function rootCauseFigures(cases: CaseSummary[], limit: number) {
  const closed = cases.filter((s) => s.closedAt);
  const causes = countBy(closed, (s) => s.rootCause);
  const actions = countBy(closed, (s) => s.improvementAction);
  return {
    closed: closed.length,
    withRootCause: closed.filter((s) => s.rootCause).length,
    rows: [...causes]
      .sort(byCountThenName)
      .slice(0, limit)
      .map(([rootCause, count]) => ({
        rootCause,
        cases: count,
        share: ratio(count, closed.length),
        improvementActions: [
          ...new Set(closed.filter((s) => s.rootCause === rootCause).flatMap((s) => s.improvementAction ?? [])),
        ].sort(),
      })),
    improvementActions: [...actions]
      .sort(byCountThenName)
      .slice(0, limit)
      .map(([improvementAction, count]) => ({ improvementAction, cases: count })),
  };
}

/** Customers with at least `minimum` complaints among the cases given, and the cases intake flagged as repeats. */
export function repeatComplainants(cases: CaseSummary[], minimum: number) {
  const perCustomer = groupBy(cases, (s) => s.customerId);
  const repeaters = [...perCustomer]
    .filter(([, theirs]) => theirs.length >= minimum)
    .sort(([a, m], [b, n]) => byCountThenName([a, m.length], [b, n.length]));
  return {
    complaints: cases.length,
    customers: perCustomer.size,
    repeatCustomers: repeaters.length,
    complaintsFromRepeatCustomers: repeaters.reduce((total, [, theirs]) => total + theirs.length, 0),
    flaggedByIntake: cases.filter((s) => s.repeatComplainant).length,
    rows: repeaters.map(([customerId, theirs]) => {
      const received = theirs.flatMap((s) => s.receivedAt ?? []).sort();
      return {
        customerId,
        complaints: theirs.length,
        flagged: theirs.some((s) => s.repeatComplainant),
        firstReceivedAt: received[0] ?? null,
        lastReceivedAt: received.at(-1) ?? null,
      };
    }),
  };
}
