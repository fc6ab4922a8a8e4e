/**
 * Choosing a policy and a calendar for a complaint, shared by intake (the time limit told to the
 * customer), routing (the policy carried on the routing decision) and resolution (the clocks).
 */
import { LRUCache } from 'lru-cache';
import { localDateOf, type WorkingCalendar } from './calendar';
import { buildCalendar, missingYear } from './calendars/calendars';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SLA_POLICY_PRESETS, type PolicyCriteria, type Regime, type SlaPolicy } from './policies';
import {
  digestOf,
  REGIMES,
  seedSlaDocument,
  selectClocks,
  validateSlaDocument,
  type SelectionCriteria,
  type SlaDocument,
  type SlaSelection,
} from './sla-document';

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

/** A tenant's SLA document with what identifies it (version 0 = seed or file, until the policy store holds `sla`). */
export interface LoadedSlaDocument {
  document: SlaDocument;
  version: number;
  digest: string;
  /** Where it came from: 'seed', 'SLA_TENANT_REGIMES' or the file. */
  origin: string;
}

export function loadedDocument(document: SlaDocument, origin: string): LoadedSlaDocument {
  const errors = validateSlaDocument(document);
  if (errors.length) {
    throw new Error(`SLA policy of ${origin} is invalid: ${errors.map((e) => `${e.path}: ${e.reason}`).join('; ')}`);
  }
  return { document, version: 0, digest: digestOf(document), origin };
}

/**
 * Tenant documents from SLA_POLICY_DIR (one `<tenant>.json` per tenant, validated at start-up,
 * every error naming the file and field) and SLA_TENANT_REGIMES (shorthand: the seed document
 * running one regime). A tenant in both is refused: one source per tenant.
 */
export function loadSlaDocuments(env: NodeJS.ProcessEnv = process.env): Record<string, LoadedSlaDocument> {
  const documents: Record<string, LoadedSlaDocument> = {};
  for (const [tenant, regime] of Object.entries(parseTenantRegimes(env.SLA_TENANT_REGIMES))) {
    documents[tenant] = loadedDocument(seedSlaDocument(tenant, regime), `SLA_TENANT_REGIMES (${tenant}=${regime})`);
  }
  const dir = env.SLA_POLICY_DIR;
  if (!dir) return documents;
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
    const loaded = loadedDocument(parsed as SlaDocument, path);
    const tenant = loaded.document.tenant;
    if (documents[tenant])
      throw new Error(`SLA policy ${path}: tenant ${tenant} is also given by ${documents[tenant].origin}`);
    documents[tenant] = loaded;
  }
  return documents;
}

/** A calendar year a deadline falls in that the calendar's data does not hold. */
export interface CalendarYearWarning {
  calendarId: string;
  year: number;
  gap: string;
}

/**
 * Calendars kept built: one per calendar and year a clock started in. A service needs the current
 * year's and last year's of each calendar it uses; more came only with a clock that moves on (a
 * long SLA run on the test clock kept ~230 KB per calendar-year, local days included, for good).
 */
/** Four calendars (CALENDAR_IDS), each for this year, last year and a few before. */
const CACHED_CALENDARS = 16;

export class SlaCatalogue {
  private readonly calendars = new LRUCache<string, WorkingCalendar>({ max: CACHED_CALENDARS });
  private readonly yearGaps = new Map<string, string | undefined>();
  private readonly warnings = new Map<string, CalendarYearWarning>();

  /**
   * @param documents tenant → its SLA document; other tenants run the seed (default regime)
   * @param onCalendarGap told once per calendar and year a deadline falls in that the data lacks (log, metric)
   */
  constructor(
    private readonly documents: Record<string, LoadedSlaDocument> = {},
    private readonly onCalendarGap: (warning: CalendarYearWarning) => void = () => undefined,
  ) {}

  static fromEnv(
    env: NodeJS.ProcessEnv = process.env,
    onCalendarGap?: (warning: CalendarYearWarning) => void,
  ): SlaCatalogue {
    return new SlaCatalogue(loadSlaDocuments(env), onCalendarGap);
  }

  /** The tenant's document, or the seed. */
  documentOf(tenant: string): LoadedSlaDocument {
    let loaded = this.documents[tenant];
    if (!loaded) this.documents[tenant] = loaded = loadedDocument(seedSlaDocument(tenant), 'seed');
    return loaded;
  }

  /** The regime of what the tenant runs when no rule matches (routing's shorthand for its policy name). */
  defaultRegime(tenant: string): Regime {
    const { document } = this.documentOf(tenant);
    return this.policyById(document.otherwise[0])?.regime ?? 'default';
  }

  /** Every clock the complaint runs, with what decided each. */
  select(criteria: SelectionCriteria, receivedAt: Date): SlaSelection {
    const { document, version, digest } = this.documentOf(criteria.tenant);
    return selectClocks(document, criteria, { version, digest }, receivedAt);
  }

  /** The primary policy (its calendar and operational clocks) for a complaint. */
  policyFor(criteria: Omit<PolicyCriteria, 'regime'> & Partial<SelectionCriteria>): SlaPolicy {
    return this.select(criteria, new Date()).primary;
  }

  /** A policy by id among the presets and every loaded document's own. */
  policyById(id: string | undefined): SlaPolicy | undefined {
    if (id === undefined) return undefined;
    const own = Object.values(this.documents).flatMap((d) => d.document.policies);
    return [...own, ...SLA_POLICY_PRESETS].find((p) => p.id === id);
  }

  /** A calendar covering the years a clock started around `at` can reach; built once and kept. */
  calendar(id: string, at: Date): WorkingCalendar {
    const year = at.getUTCFullYear();
    const key = `${id}:${year}`;
    let calendar = this.calendars.get(key);
    if (!calendar) {
      calendar = buildCalendar(id, [year - 1, year, year + 1]);
      this.calendars.set(key, calendar);
    }
    return calendar;
  }

  /**
   * Whether the calendar's data holds the year `deadline` falls in (in the calendar's zone);
   * when it does not, the deadline was counted without that year's holiday blocks and make-up
   * days: warn once per calendar and year, and keep it listed for the health detail.
   */
  checkDeadline(calendarId: string, deadline: Date): CalendarYearWarning | undefined {
    const calendar = this.calendar(calendarId, deadline);
    const year = Number(localDateOf(calendar, deadline).slice(0, 4));
    const key = `${calendarId}:${year}`;
    if (!this.yearGaps.has(key)) this.yearGaps.set(key, missingYear(calendarId, year));
    const gap = this.yearGaps.get(key);
    if (gap === undefined) return undefined;
    let warning = this.warnings.get(key);
    if (!warning) {
      warning = { calendarId, year, gap };
      this.warnings.set(key, warning);
      this.onCalendarGap(warning);
    }
    return warning;
  }

  /** Calendar years deadlines fell in that the data lacks, seen since start. */
  calendarWarnings(): CalendarYearWarning[] {
    return [...this.warnings.values()];
  }
}
