/**
 * The policy kinds `sla` and `calendar` (docs/policy.md, docs/sla.md): one definition shared by
 * resolution, which keeps them, and intake and routing, which replicate them from the policy topic.
 *
 * - `sla`: the tenant's SLA document (sla-document.ts). Its seed, version 0, is the tenant's
 *   SLA_POLICY_DIR file, else SLA_TENANT_REGIMES' shorthand, else the default seed document.
 *   Published, it is checked against the tenant's calendars in force (a policy may not count on a
 *   calendar the tenant does not have).
 * - `calendar`: per calendar id and year, the days off and make-up working days that replace the
 *   built-in data for that year, and calendars of the tenant's own. Its seed holds none.
 *
 * Only types come from libs/policy: its pure model, not its store or Nest edges.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime, Info } from 'luxon';
import { z } from 'zod';
import type { PolicyKind, PolicyProblem, RelatedPolicies } from '@complaints/policy';
import { CALENDAR_IDS, calendarIdsOf, EMPTY_CALENDAR_DOCUMENT, type CalendarDocument } from './calendars/calendars';
import type { Regime } from './policies';
import { REGIMES, seedSlaDocument, validateSlaDocument, type SlaDocument } from './sla-document';

/** Where the seeds come from (libs/kit's `config.slaSeeds`: SLA_POLICY_DIR and SLA_TENANT_REGIMES). */
export interface SlaSeedsConfig {
  policyDir?: string;
  tenantRegimes?: string;
}

/** `bank-a=CN-NFRA,grid-east=CN-SGCC-95598` (SLA_TENANT_REGIMES) → tenant → regime; throws naming a bad entry. */
export function parseTenantRegimes(raw: string | undefined): Record<string, Regime> {
  const entries = (raw ?? '')
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const [tenant, regime] = pair.split('=').map((part) => part.trim());
      if (!tenant || !regime || !REGIMES.includes(regime as Regime)) {
        throw new Error(
          `SLA_TENANT_REGIMES entry "${pair}" must be tenant=regime, regime one of ${REGIMES.join(', ')}`,
        );
      }
      return [tenant, regime as Regime] as const;
    });
  return Object.fromEntries(entries);
}

interface SeedDocument {
  document: SlaDocument;
  /** Where it came from: the file, or SLA_TENANT_REGIMES. */
  source: string;
}

function checkedSeed(document: SlaDocument, source: string): SeedDocument {
  const errors = validateSlaDocument(document);
  if (errors.length) {
    throw new Error(`SLA policy of ${source} is invalid: ${errors.map((e) => `${e.path}: ${e.reason}`).join('; ')}`);
  }
  return { document, source };
}

/**
 * The tenants' seed SLA documents, read and checked once at start: SLA_POLICY_DIR (one
 * `<tenant>.json` per tenant, every error naming the file and field) and SLA_TENANT_REGIMES (the
 * seed document running one regime). A tenant in both is refused: one source per tenant.
 */
export class SlaSeeds {
  private constructor(private readonly byTenant: Record<string, SeedDocument>) {}

  static load(config: SlaSeedsConfig = {}): SlaSeeds {
    const seeds: Record<string, SeedDocument> = {};
    for (const [tenant, regime] of Object.entries(parseTenantRegimes(config.tenantRegimes))) {
      seeds[tenant] = checkedSeed(seedSlaDocument(tenant, regime), `SLA_TENANT_REGIMES (${tenant}=${regime})`);
    }
    const dir = config.policyDir;
    if (!dir) return new SlaSeeds(seeds);
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const path = join(dir, file);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        throw new Error(`SLA policy ${path} is not JSON: ${(error as Error).message}`);
      }
      const seed = checkedSeed(parsed as SlaDocument, path);
      const tenant = seed.document.tenant;
      const other = seeds[tenant];
      if (other) throw new Error(`SLA policy ${path}: tenant ${tenant} is also given by ${other.source}`);
      seeds[tenant] = seed;
    }
    return new SlaSeeds(seeds);
  }

  /** Seeds given as documents (tests, tools): each checked like a file. */
  static of(documents: SlaDocument[]): SlaSeeds {
    return new SlaSeeds(
      Object.fromEntries(documents.map((d) => [d.tenant, checkedSeed(d, `document of ${d.tenant}`)])),
    );
  }

  /** The tenant's seed: its file or shorthand, else the default seed document. */
  of(tenant: string): SeedDocument {
    return this.byTenant[tenant] ?? { document: seedSlaDocument(tenant), source: 'seed' };
  }
}

/** The `sla` kind: the SLA document's validator (calendars checked against the tenant's when published) and its seeds. */
export function slaKind(seeds: SlaSeeds): PolicyKind<SlaDocument> {
  return {
    name: 'sla',
    validate: (document, related) => {
      const calendars = related ? calendarIdsOf(related.documentOf<CalendarDocument>('calendar')) : null;
      const problems = validateSlaDocument(document, calendars);
      const tenant = (document as Partial<SlaDocument> | null)?.tenant;
      if (related && typeof tenant === 'string' && tenant !== related.tenant) {
        problems.push({ path: 'tenant', reason: `must be the tenant publishing it, ${related.tenant}` });
      }
      return problems;
    },
    seed: (tenant) => seeds.of(tenant),
  };
}

const YEAR = /^\d{4}$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const calendarYear = z
  .object({
    holidays: z.array(z.string()),
    workingDays: z.array(z.string()),
    notice: z.string().min(1).optional(),
  })
  .strict();

const tenantCalendar = z
  .object({
    description: z.string().min(1).optional(),
    timeZone: z
      .string()
      .refine((zone) => Info.isValidIANAZone(zone), 'must be an IANA time zone such as Asia/Shanghai')
      .optional(),
    workingHours: z
      .object({
        start: z.string().regex(HHMM, "must be a local time 'HH:mm'"),
        end: z.string().regex(HHMM, "must be a local time 'HH:mm' ('24:00' for midnight)"),
      })
      .strict()
      .refine((h) => !HHMM.test(h.start) || !HHMM.test(h.end) || minutes(h.start) < minutes(h.end), {
        message: 'working hours must open before they close',
        path: ['end'],
      })
      .optional(),
    weekendDays: z
      .array(z.number().int().min(1).max(7))
      .max(6, 'a calendar needs a working day')
      .refine((days) => new Set(days).size === days.length, 'lists a day twice')
      .optional(),
    years: z.record(z.string(), calendarYear),
  })
  .strict();

const calendarDocument = z.object({ calendars: z.record(z.string(), tenantCalendar) }).strict();

const ID = /^[A-Za-z][A-Za-z0-9-]{0,31}$/;
const WEEKEND = [6, 7];

/** The checks zod cannot express: ids, settings a new calendar needs, the days of each year. */
function calendarProblems(document: CalendarDocument): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const [id, calendar] of Object.entries(document.calendars)) {
    const at = `calendars.${id}`;
    if (!ID.test(id)) problems.push({ path: at, reason: 'a calendar id is letters, digits and dashes (e.g. CN-SH)' });
    if (!CALENDAR_IDS.includes(id)) {
      for (const field of ['timeZone', 'workingHours', 'weekendDays'] as const) {
        if (calendar[field] === undefined) {
          problems.push({
            path: `${at}.${field}`,
            reason: `required for a calendar of the tenant's own ('${id}' is not one of ${CALENDAR_IDS.join(', ')})`,
          });
        }
      }
    }
    const weekend = calendar.weekendDays ?? WEEKEND;
    for (const [year, days] of Object.entries(calendar.years)) {
      const path = `${at}.years.${year}`;
      if (!YEAR.test(year) || Number(year) < 1970 || Number(year) > 2100) {
        problems.push({ path, reason: 'a year is four digits between 1970 and 2100' });
        continue;
      }
      problems.push(...dayProblems(`${path}.holidays`, days.holidays, year));
      problems.push(...dayProblems(`${path}.workingDays`, days.workingDays, year));
      const off = new Set(days.holidays);
      days.workingDays.forEach((day, i) => {
        if (off.has(day)) {
          problems.push({
            path: `${path}.workingDays.${i}`,
            reason: `${day} is a holiday too: a day is one or the other`,
          });
        }
        const date = DateTime.fromISO(day, { zone: 'UTC' });
        if (date.isValid && !weekend.includes(date.weekday)) {
          problems.push({
            path: `${path}.workingDays.${i}`,
            reason: `${day} is not a weekend day: a make-up working day is a weekend day worked (weekend: ${weekend.join(', ')})`,
          });
        }
      });
    }
  }
  return problems;
}

/** Each day an ISO date inside the year, listed once. */
function dayProblems(path: string, days: string[], year: string): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  days.forEach((day, i) => {
    const date = DateTime.fromISO(day, { zone: 'UTC' });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !date.isValid) {
      problems.push({ path: `${path}.${i}`, reason: `'${day}' is not a date 'YYYY-MM-DD'` });
    } else if (!day.startsWith(`${year}-`)) {
      problems.push({ path: `${path}.${i}`, reason: `${day} lies outside ${year}` });
    } else if (days.indexOf(day) !== i) {
      problems.push({ path: `${path}.${i}`, reason: `${day} is listed twice` });
    }
  });
  return problems;
}

/** The calendars the tenant's SLA document in force counts on that a calendar document would drop. */
function droppedCalendars(document: CalendarDocument, related: RelatedPolicies): PolicyProblem[] {
  const known = calendarIdsOf(document);
  const sla = related.documentOf<SlaDocument>('sla');
  return [...new Set(sla.policies.map((p) => p.calendarId))]
    .filter((id) => !known.includes(id))
    .map((id) => ({
      path: 'calendars',
      reason: `the tenant's SLA policy in force counts on calendar '${id}': keep it, or publish an SLA version without it first`,
    }));
}

/** The `calendar` kind: strict checks of the tenant's calendar data; the seed holds none (the built-in data). */
export const calendarKind: PolicyKind<CalendarDocument> = {
  name: 'calendar',
  validate: (document, related) => {
    const parsed = calendarDocument.safeParse(document);
    if (!parsed.success) {
      return parsed.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        reason: issue.message,
      }));
    }
    const problems = calendarProblems(parsed.data);
    return problems.length || !related ? problems : droppedCalendars(parsed.data, related);
  },
  seed: () => ({ document: EMPTY_CALENDAR_DOCUMENT, source: 'built-in calendars' }),
};

/** Both kinds, for a service's ServicePolicies (kept by resolution, replicated by intake and routing). */
export const slaPolicyKinds = (seeds: SlaSeeds): [PolicyKind<SlaDocument>, PolicyKind<CalendarDocument>] => [
  slaKind(seeds),
  calendarKind,
];
