/**
 * Choosing a policy and a calendar for a complaint, shared by intake (the time limit told to the
 * customer), routing (the policy carried on the routing decision) and resolution (the clocks).
 */
import { LRUCache } from 'lru-cache';
import { localDateOf, type WorkingCalendar } from './calendar';
import { buildCalendar, missingYear } from './calendars/calendars';
import { SLA_POLICY_PRESETS, type PolicyCriteria, type Regime, type SlaPolicy } from './policies';
import type { CalendarDocument } from './calendars/calendars';
import { calendarKind, SlaSeeds } from './sla-kinds';
import {
  digestOf,
  selectClocks,
  type CalendarRef,
  type SelectionCriteria,
  type SlaDocument,
  type SlaSelection,
} from './sla-document';

/**
 * The tenant's `sla` and `calendar` versions: a service's ServicePolicies (libs/policy), or the
 * seeds alone where a service holds no policy copy. Structural, so libs/sla needs no Nest.
 */
export interface SlaPolicySource {
  inForce<D>(tenant: string, kind: 'sla' | 'calendar', at: Date): SourceVersion<D>;
  /** A version by number (0: the seed), undefined when the source does not hold it. */
  version<D>(tenant: string, kind: 'sla' | 'calendar', n: number): SourceVersion<D> | undefined;
}

export interface SourceVersion<D> {
  version: number;
  digest: string;
  document: D;
  source?: string;
}

/** The seeds alone as a source (version 0 for every tenant): analytics, and tests. */
export function seedsOnly(seeds: SlaSeeds = SlaSeeds.load()): SlaPolicySource {
  const seed = <D>(tenant: string, kind: 'sla' | 'calendar'): SourceVersion<D> => {
    const { document, source } = kind === 'sla' ? seeds.of(tenant) : calendarKind.seed(tenant);
    return { version: 0, digest: digestOf(document), document: document as D, source };
  };
  return { inForce: seed, version: (tenant, kind, n) => (n === 0 ? seed(tenant, kind) : undefined) };
}

/**
 * Which calendar version: the one in force at an instant (a complaint's receipt), the one a clock
 * names, or the seed (clocks started before calendars were policy counted on the built-in data).
 */
export type CalendarPin = Date | CalendarRef | 'seed';

/** A tenant's SLA document with what identifies it. */
export interface LoadedSlaDocument {
  document: SlaDocument;
  version: number;
  digest: string;
  /** Where it came from: the seed's source, or `sla vN`. */
  origin: string;
}

/** A calendar year a deadline falls in that the calendar's data does not hold. */
export interface CalendarYearWarning {
  calendarId: string;
  year: number;
  gap: string;
}

/**
 * Calendars kept built: one per calendar document (by digest: every tenant on the seed shares the
 * built-in ones), calendar and year a clock started in. A service needs the current year's and last
 * year's of each calendar it uses; more came only with a clock that moves on (a long SLA run on the
 * test clock kept ~230 KB per calendar-year, local days included, for good).
 */
// Four built-in calendars, each for this year, last year and a few before (~230 KB each): tenants'
// own calendar versions share the bound, so many of them are rebuilt now and then rather than kept.
const CACHED_CALENDARS = 16;

/** A calendar version: its document and what identifies it. */
interface CalendarInForce {
  document: CalendarDocument;
  ref: CalendarRef;
}

/**
 * A service's one view of its tenants' SLA documents and calendars, over its policy copy: the
 * versions in force at a complaint's receipt (a running clock keeps the version it started
 * under: the case stores its clocks, and its calendar by the version its clocks name).
 */
export class SlaCatalogue {
  private readonly calendars = new LRUCache<string, WorkingCalendar>({ max: CACHED_CALENDARS });
  /** Per tenant, calendar and year: the gap a deadline fell in, and the calendar version it was counted on. */
  private readonly warnings = new Map<string, CalendarYearWarning & { tenant: string }>();

  /**
   * @param policies the tenant's `sla` and `calendar` versions (ServicePolicies, or `seedsOnly()`)
   * @param onCalendarGap told once per tenant, calendar and year a deadline falls in that the data lacks (log, metric)
   */
  constructor(
    private readonly policies: SlaPolicySource = seedsOnly(),
    private readonly onCalendarGap: (warning: CalendarYearWarning) => void = () => undefined,
  ) {}

  /** The tenant's SLA document in force at `at` (the complaint's receipt). */
  documentOf(tenant: string, at: Date): LoadedSlaDocument {
    const v = this.policies.inForce<SlaDocument>(tenant, 'sla', at);
    return { document: v.document, version: v.version, digest: v.digest, origin: v.source ?? `sla v${v.version}` };
  }

  /** The tenant's calendar version in force at an instant, or the one a clock names (`pinned`). */
  private calendarVersion(tenant: string, pin: CalendarPin): CalendarInForce {
    const v =
      pin instanceof Date ? this.policies.inForce<CalendarDocument>(tenant, 'calendar', pin) : this.pinned(tenant, pin);
    return { document: v.document, ref: { kind: 'calendar', version: v.version, digest: v.digest } };
  }

  private pinned(tenant: string, pin: CalendarRef | 'seed'): SourceVersion<CalendarDocument> {
    const named = this.policies.version<CalendarDocument>(tenant, 'calendar', pin === 'seed' ? 0 : pin.version);
    if (named && (pin === 'seed' || named.digest === pin.digest)) return named;
    // The keeping service's copy holds every version: a clock naming one it lacks is an error, never a
    // silent recount on another calendar.
    throw new Error(
      `calendar version ${pin === 'seed' ? 0 : pin.version} of ${tenant} is not held by this instance with the digest its clocks name`,
    );
  }

  /** The tenant's calendar version in force at `at`, as a clock names it. */
  calendarRef(tenant: string, at: Date): CalendarRef {
    return this.calendarVersion(tenant, at).ref;
  }

  /** The regime of what the tenant runs when no rule matches (routing's shorthand for its policy name). */
  defaultRegime(tenant: string, at: Date): Regime {
    const { document } = this.documentOf(tenant, at);
    const id = document.otherwise[0];
    return [...document.policies, ...SLA_POLICY_PRESETS].find((p) => p.id === id)?.regime ?? 'default';
  }

  /** Every clock the complaint runs, with the sla and calendar versions that decided each (those in force at receipt). */
  select(criteria: SelectionCriteria, receivedAt: Date): SlaSelection {
    const { document, version, digest } = this.documentOf(criteria.tenant, receivedAt);
    const calendar = this.calendarVersion(criteria.tenant, receivedAt).ref;
    return selectClocks(document, criteria, { version, digest, calendar }, receivedAt);
  }

  /** The primary policy (its calendar and operational clocks) for a complaint received at `receivedAt`. */
  policyFor(
    criteria: Omit<PolicyCriteria, 'regime'> & Partial<SelectionCriteria>,
    receivedAt: Date = new Date(),
  ): SlaPolicy {
    return this.select(criteria, receivedAt).primary;
  }

  /**
   * The tenant's calendar `id` covering the years a clock started around `at` can reach, from the
   * calendar version `pin` names (the one a case's clocks name, or the one in force at the
   * complaint's receipt; default: in force at `at`). Built once per version and kept.
   */
  calendar(tenant: string, id: string, at: Date, pin: CalendarPin = at): WorkingCalendar {
    const { document, ref } = this.calendarVersion(tenant, pin);
    const year = at.getUTCFullYear();
    const key = `${ref.digest}:${id}:${year}`;
    let calendar = this.calendars.get(key);
    if (!calendar) {
      calendar = buildCalendar(id, [year - 1, year, year + 1], {}, document);
      this.calendars.set(key, calendar);
    }
    return calendar;
  }

  /**
   * Whether the tenant's calendar data (the version `pin` names) holds the year `deadline` falls in
   * (in the calendar's zone); when it does not, the deadline was counted without that year's
   * holiday blocks and make-up days: warn once per tenant, calendar and year, and keep it listed
   * for the health detail while the tenant's calendar in force still lacks the year.
   */
  checkDeadline(
    tenant: string,
    calendarId: string,
    deadline: Date,
    pin: CalendarPin = deadline,
  ): CalendarYearWarning | undefined {
    const calendar = this.calendar(tenant, calendarId, deadline, pin);
    const year = Number(localDateOf(calendar, deadline).slice(0, 4));
    const gap = missingYear(calendarId, year, this.calendarVersion(tenant, pin).document);
    if (gap === undefined) return undefined;
    const key = `${tenant}\u0000${calendarId}:${year}`;
    let warning = this.warnings.get(key);
    if (!warning) {
      warning = { tenant, calendarId, year, gap };
      this.warnings.set(key, warning);
      this.onCalendarGap({ calendarId, year, gap });
    }
    return { calendarId, year, gap };
  }

  /**
   * Calendar years deadlines fell in that the data lacks, seen since start, by calendar and year:
   * each while some tenant's calendar in force now still lacks it (a published year clears it).
   */
  calendarWarnings(now: Date = new Date()): CalendarYearWarning[] {
    const open = new Map<string, CalendarYearWarning>();
    for (const [key, w] of this.warnings) {
      if (missingYear(w.calendarId, w.year, this.calendarVersion(w.tenant, now).document) === undefined) {
        this.warnings.delete(key);
      } else if (!open.has(`${w.calendarId}:${w.year}`)) {
        open.set(`${w.calendarId}:${w.year}`, { calendarId: w.calendarId, year: w.year, gap: w.gap });
      }
    }
    return [...open.values()];
  }
}
