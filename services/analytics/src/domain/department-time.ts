/**
 * Time spent in each department's hands, from the case's own events: a spell starts when the
 * case opens (or reopens) in a department, passes on at every reassignment to another department
 * (a hand-off), and ends when the case is resolved or closed. A spell still running has no end
 * yet, so only finished spells count towards hours; hand-offs count as they happen. Kept to some
 * departments (a department head's), it gives their rows only and the hand-offs into or out of them.
 */
import { businessMillisBetween } from '@complaints/sla';
import { calendarIdOf, groupBy, round2, type CalendarOf } from './kpi-figures';

export interface CaseEventRow {
  complaintId: string;
  type: string;
  time: string;
  data: Record<string, unknown>;
}

interface Spell {
  complaintId: string;
  department: string;
  from: string;
  to: string;
  calendarId: string;
}

const HOUR_MS = 3_600_000;

/** The finished spells and the hand-offs of one case, its events in stream order. */
function spellsOfCase(events: CaseEventRow[]) {
  const spells: Spell[] = [];
  const handOffs: { from: string; to: string }[] = [];
  let calendarId = calendarIdOf({});
  let current: { department: string; since: string } | undefined;
  let department: string | undefined;
  const end = (at: string) => {
    if (current)
      spells.push({ complaintId: events[0]?.complaintId ?? '', ...current, from: current.since, to: at, calendarId });
    current = undefined;
  };
  for (const { type, time, data } of events) {
    if (type === 'case.opened.v1') {
      const sla = data.sla as { calendarId?: string } | undefined;
      calendarId = calendarIdOf({ calendarId: sla?.calendarId, slaPolicy: data.slaPolicy as string | undefined });
      department = data.department as string;
      current = { department, since: time };
    } else if (type === 'case.reassigned.v1' && data.department !== department) {
      handOffs.push({ from: department ?? 'unknown', to: data.department as string });
      end(time);
      department = data.department as string;
      current = { department, since: time };
    } else if (type === 'case.resolved.v1' || type === 'case.closed.v1') {
      end(time);
    } else if (type === 'case.reopened.v1' && department) {
      current = { department, since: time };
    }
  }
  return { spells, handOffs };
}

/**
 * Per department: cases it held, finished spells, hours (elapsed and business) and hand-offs in and
 * out; and every hand-off pair. `only` (when given) keeps the departments reported and the pairs to
 * those touching one of them.
 */
export function departmentTime(events: CaseEventRow[], calendars: CalendarOf, only?: readonly string[]) {
  const reported = (department: string) => only === undefined || only.includes(department);
  const cases = [...groupBy(events, (event) => event.complaintId).values()].map(spellsOfCase);
  const spells = cases.flatMap((c) => c.spells);
  const handOffs = cases.flatMap((c) => c.handOffs).filter(({ from, to }) => reported(from) || reported(to));
  const departments = [
    ...new Set([...spells.map((s) => s.department), ...handOffs.flatMap((h) => [h.from, h.to])]),
  ].filter(reported);
  const pairs = new Map<string, number>();
  for (const { from, to } of handOffs) pairs.set(`${from}\u0000${to}`, (pairs.get(`${from}\u0000${to}`) ?? 0) + 1);
  return {
    rows: departments.sort().map((department) => {
      const theirs = spells.filter((s) => s.department === department);
      const hours = theirs.reduce((t, s) => t + (Date.parse(s.to) - Date.parse(s.from)) / HOUR_MS, 0);
      const businessHours = theirs.reduce((total, s) => {
        const from = new Date(s.from);
        return total + businessMillisBetween(calendars(s.calendarId, from), from, new Date(s.to)) / HOUR_MS;
      }, 0);
      const held = new Set(theirs.map((s) => s.complaintId)).size;
      return {
        department,
        cases: held,
        spells: theirs.length,
        hours: round2(hours),
        businessHours: round2(businessHours),
        averageHoursPerCase: held === 0 ? null : round2(hours / held),
        handOffsIn: handOffs.filter((h) => h.to === department).length,
        handOffsOut: handOffs.filter((h) => h.from === department).length,
      };
    }),
    handOffs: [...pairs]
      .map(([key, count]) => {
        const [from, to] = key.split('\u0000') as [string, string];
        return { from, to, handOffs: count };
      })
      .sort((a, b) => b.handOffs - a.handOffs || a.from.localeCompare(b.from) || a.to.localeCompare(b.to)),
  };
}
