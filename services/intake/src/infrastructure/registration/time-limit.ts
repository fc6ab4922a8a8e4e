/**
 * The time limit the customer is told at registration (告知处理时限): the earliest binding date
 * of the clocks the tenant's SLA document selects (a regulator's referral deadline among them),
 * else the resolution clock, on the primary policy's working calendar, worded "on or before
 * <date> (end of day, <zone>)". Routing's category may later add clocks; this is what the
 * channel promises at once.
 */
import { dueAt, type SlaCatalogue, slaCriteriaOf, type ClockKind, type SlaTarget } from '@complaints/sla';
import type { ComplaintDetails } from '../../domain/complaint';

export interface TimeLimit {
  respondBy: string;
  target: SlaTarget;
  clock: string;
  /** The clock's key, `<regime>/<kind>` (`referral/regulatory` for a regulator's deadline). */
  clockId: string;
  policy: string;
  /** What the channel reads or sends to the customer, in the complaint's language. */
  message: string;
}

/** Building an Intl.DateTimeFormat costs ~0.25 ms, formatting with one ~2 µs: one per locale and zone. */
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function longDate(locale: string, timeZone: string, instant: Date): string {
  const key = `${locale} ${timeZone}`;
  let format = dateFormats.get(key);
  if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'long' })));
  return format.format(instant);
}

type Script = 'Hant' | 'Hans' | 'en';

/**
 * Which written Chinese a BCP 47 tag asks for, by its likely script (CLDR's likely subtags, via
 * Intl.Locale): zh-TW, zh-HK, zh-MO and zh-Hant are Traditional; zh, zh-CN, zh-SG and zh-Hans are
 * Simplified. Anything else, or a tag Intl cannot read, is answered in English.
 */
export function scriptFor(language: string): Script {
  try {
    const locale = new Intl.Locale(language).maximize();
    if (locale.language !== 'zh') return 'en';
    return locale.script === 'Hant' ? 'Hant' : 'Hans';
  } catch {
    return 'en';
  }
}

/**
 * "On or before <date> (end of day, <zone>)": the date alone would leave open whether the day
 * itself counts and in whose time zone it ends. A deadline that is not a day's end (a
 * regulator's hour, a working day's close) is told with its time: "on or before <date>, <time> (<zone>)".
 */
const SENTENCES: Record<Script, { locale: string; text: (reference: string, by: string) => string }> = {
  Hant: { locale: 'zh-TW', text: (r, by) => `您的投訴已受理，編號 ${r}。我們將於 ${by}答覆您。` },
  Hans: { locale: 'zh-CN', text: (r, by) => `您的投诉已受理，编号 ${r}。我们将于 ${by}答复您。` },
  en: { locale: 'en-GB', text: (r, by) => `Your complaint is registered as ${r}. We will respond on or before ${by}.` },
};

const BY: Record<
  Script,
  { endOfDay: (date: string, zone: string) => string; at: (date: string, time: string, zone: string) => string }
> = {
  Hant: {
    endOfDay: (d, z) => `${d}當日結束前（${z} 時間）`,
    at: (d, t, z) => `${d} ${t}（${z} 時間）或之前`,
  },
  Hans: {
    endOfDay: (d, z) => `${d}当日结束前（${z} 时间）`,
    at: (d, t, z) => `${d} ${t}（${z} 时间）或之前`,
  },
  en: { endOfDay: (d, z) => `${d} (end of day, ${z})`, at: (d, t, z) => `${d}, ${t} (${z})` },
};

function sentence(language: string, reference: string, respondBy: Date, timeZone: string): string {
  const script = scriptFor(language);
  const { locale, text } = SENTENCES[script];
  const date = longDate(locale, timeZone, respondBy);
  const endOfDay = longDate(locale, timeZone, new Date(respondBy.getTime() + 1)) !== date;
  const by = endOfDay
    ? BY[script].endOfDay(date, timeZone)
    : BY[script].at(date, hourOf(timeZone, respondBy), timeZone);
  return text(reference, by);
}

function hourOf(timeZone: string, instant: Date): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    instant,
  );
}

/** Clocks whose date binds the tenant towards the customer: regulatory and sector commitments, not internal targets. */
const INTERNAL: readonly ClockKind[] = ['acknowledgement', 'first-contact', 'resolution', 'follow-up'];

/**
 * The EARLIEST binding date of the clocks the tenant's SLA document selects for the complaint
 * as it arrives (category not yet known, so category rules wait for routing; product, market and
 * a regulator's referral already count), else the resolution clock, under the tenant's sla and
 * calendar versions in force at receipt (the service's one catalogue).
 */
export function timeLimitFor(
  catalogue: SlaCatalogue,
  tenant: string,
  details: ComplaintDetails,
  reference: string,
  receivedAt: Date,
): TimeLimit {
  const { primary, clocks } = catalogue.select(
    { tenant, channel: details.channel, category: 'unclassified', ...slaCriteriaOf(details) },
    receivedAt,
  );
  const calendar = catalogue.calendar(tenant, primary.calendarId, receivedAt);
  const binding = clocks.filter((c) => c.startsWhen === 'complaint-received' && !INTERNAL.includes(c.kind));
  const candidates = (binding.length ? binding : clocks.filter((c) => c.kind === 'resolution')).map((clock) => ({
    clock,
    due: dueAt(calendar, receivedAt, clock.target),
  }));
  const earliest = candidates.reduce((a, b) => (b.due < a.due ? b : a));
  catalogue.checkDeadline(tenant, primary.calendarId, earliest.due, receivedAt);
  return {
    respondBy: earliest.due.toISOString(),
    target: earliest.clock.target,
    clock: earliest.clock.kind,
    clockId: earliest.clock.id,
    policy: earliest.clock.decidedBy.policyId,
    message: sentence(details.language, reference, earliest.due, calendar.timeZone),
  };
}
