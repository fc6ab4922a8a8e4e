/**
 * The time limit the customer is told at registration (告知处理时限): the regulatory clock of the
 * tenant's SLA policy where there is one, else the resolution clock, computed on the policy's
 * working calendar. Routing may later pick a more specific policy; this is what the channel
 * promises at once, and a regulator's own deadline wins when it is earlier.
 */
import { dueAt, SlaCatalogue, type SlaTarget } from '@complaints/sla';
import type { ComplaintDetails } from '../domain/complaint';

export interface TimeLimit {
  respondBy: string;
  target: SlaTarget;
  clock: string;
  policy: string;
  /** What the channel reads or sends to the customer, in the complaint's language. */
  message: string;
}

const catalogue = SlaCatalogue.fromEnv();

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

const SENTENCES: Record<Script, { locale: string; text: (reference: string, date: string) => string }> = {
  Hant: { locale: 'zh-TW', text: (r, d) => `您的投訴已受理，編號 ${r}。我們將於 ${d} 前答覆您。` },
  Hans: { locale: 'zh-CN', text: (r, d) => `您的投诉已受理，编号 ${r}。我们将于 ${d} 前答复您。` },
  en: { locale: 'en-GB', text: (r, d) => `Your complaint is registered as ${r}. We will respond by ${d}.` },
};

function sentence(language: string, reference: string, respondBy: Date, timeZone: string): string {
  const { locale, text } = SENTENCES[scriptFor(language)];
  return text(reference, longDate(locale, timeZone, respondBy));
}

export function timeLimitFor(
  tenant: string,
  details: ComplaintDetails,
  reference: string,
  receivedAt: Date,
): TimeLimit {
  const policy = catalogue.policyFor({
    tenant,
    channel: details.channel,
    category: 'unclassified',
    priority: 'normal',
  });
  const clock =
    policy.clocks.find((c) => c.kind === 'regulatory') ??
    policy.clocks.find((c) => c.kind === 'resolution') ??
    policy.clocks[0]!;
  const calendar = catalogue.calendar(policy.calendarId, receivedAt);
  let respondBy = dueAt(calendar, receivedAt, clock.target);
  if (details.regulatorDeadline && new Date(details.regulatorDeadline) < respondBy)
    respondBy = new Date(details.regulatorDeadline);
  return {
    respondBy: respondBy.toISOString(),
    target: clock.target,
    clock: clock.kind,
    policy: policy.id,
    message: sentence(details.language, reference, respondBy, calendar.timeZone),
  };
}
