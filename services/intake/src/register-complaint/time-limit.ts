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

function sentence(language: string, reference: string, respondBy: Date, timeZone: string): string {
  const chinese = language.startsWith('zh');
  const date = longDate(chinese ? 'zh-CN' : 'en-GB', timeZone, respondBy);
  return chinese
    ? `您的投诉已受理，编号 ${reference}。我们将于 ${date} 前答复您。`
    : `Your complaint is registered as ${reference}. We will respond by ${date}.`;
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
