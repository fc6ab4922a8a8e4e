/**
 * Regulator-style complaint returns built from the case summaries of a reporting period
 * [from, to):
 *
 * - FCA (DISP 1.10 complaints return): complaints opened and closed in the period, closed within
 *   3 business days (by close of business on the third business day after the day of receipt,
 *   DISP 1.5), within 8 weeks (56 calendar days, DISP 1.6.2R) or later, upheld and the upheld
 *   percentage, per product, and those still open at the end of the period.
 * - NFRA (《银行业保险业消费投诉处理管理办法》): per complaint category, received and handled in
 *   the period, handled within the 15-day limit (art. 20), within the 30-day extension, within the
 *   further 30 days (60) or beyond, and still open at the end of the period.
 *
 * A complaint counts as closed when the firm gave its final response: the case's resolution
 * (case.resolved.v1, the result told to the customer), or its closure when it was closed without
 * one. A reopened case is open again until it is resolved again. Upheld means judged valid
 * (case.validity-judged.v1, 成立). Limits are counted on the case's own working calendar with
 * the conventions of libs/sla (day of receipt not counted, deadline at the end of the last day).
 * The product is what the complainant named as the target when it is a product, else the
 * complaint's category.
 */
import { dueAt, type SlaTarget } from '@complaints/sla';
import type { CaseSummary } from './case-summary';
import { calendarIdOf, groupBy, ratio, type CalendarOf } from './kpi-figures';

export interface Period {
  from: string;
  to: string;
}

const within = (at: string, { from, to }: Period) => at >= from && at < to;
const instant = (iso: string) => new Date(iso).toISOString();

/** When the firm gave its final response, if it has. */
export const respondedAt = (summary: CaseSummary) => summary.resolvedAt ?? summary.closedAt;

function respondedWithin(summary: CaseSummary, calendars: CalendarOf, target: SlaTarget): boolean {
  const responded = respondedAt(summary);
  if (!summary.receivedAt || !responded) return false;
  const received = new Date(summary.receivedAt);
  const due = dueAt(calendars(calendarIdOf(summary), received), received, target);
  return new Date(responded).getTime() <= due.getTime();
}

/** Of one group of cases: those received in the period, those answered in it, and how many were open at its end. */
function periodCounts(cases: CaseSummary[], period: Period) {
  return {
    opened: cases.filter((s) => s.receivedAt && within(instant(s.receivedAt), period)),
    closed: cases.filter((s) => {
      const responded = respondedAt(s);
      return Boolean(s.receivedAt && responded && within(instant(responded), period));
    }),
    openAtPeriodEnd: cases.filter((s) => {
      const responded = respondedAt(s);
      return Boolean(
        s.receivedAt && instant(s.receivedAt) < period.to && (!responded || instant(responded) >= period.to),
      );
    }).length,
  };
}

const groupsInOrder = (cases: CaseSummary[], key: (summary: CaseSummary) => string) =>
  [...groupBy(cases, key)].sort(([a], [b]) => a.localeCompare(b));

const businessDays = (amount: number): SlaTarget => ({ amount, unit: 'business-days' });
const calendarDays = (amount: number): SlaTarget => ({ amount, unit: 'calendar-days' });

/** FCA-style return per product, with the totals over every product. */
export function fcaReturn(cases: CaseSummary[], period: Period, calendars: CalendarOf) {
  const figures = (group: CaseSummary[]) => {
    const { opened, closed, openAtPeriodEnd } = periodCounts(group, period);
    const in3Days = closed.filter((s) => respondedWithin(s, calendars, businessDays(3)));
    const in8Weeks = closed.filter((s) => respondedWithin(s, calendars, calendarDays(56)));
    const upheld = closed.filter((s) => s.validity?.valid === true).length;
    const upheldShare = ratio(upheld, closed.length);
    return {
      opened: opened.length,
      closed: closed.length,
      closedWithin3BusinessDays: in3Days.length,
      closedAfter3BusinessDaysWithin8Weeks: in8Weeks.length - in3Days.length,
      closedAfter8Weeks: closed.length - in8Weeks.length,
      upheld,
      upheldPercent: upheldShare === null ? null : Math.round(upheldShare * 10_000) / 100,
      openAtPeriodEnd,
    };
  };
  return {
    return: 'FCA DISP 1.10 style',
    period,
    total: figures(cases),
    rows: groupsInOrder(cases, (s) => s.product ?? s.category ?? 'unknown').map(([product, group]) => ({
      product,
      ...figures(group),
    })),
  };
}

/** NFRA-style return per complaint category: received, handled within each time-limit band, and still open. */
export function nfraReturn(cases: CaseSummary[], period: Period, calendars: CalendarOf) {
  const figures = (group: CaseSummary[]) => {
    const { opened, closed, openAtPeriodEnd } = periodCounts(group, period);
    const in15 = closed.filter((s) => respondedWithin(s, calendars, calendarDays(15))).length;
    const in30 = closed.filter((s) => respondedWithin(s, calendars, calendarDays(30))).length;
    const in60 = closed.filter((s) => respondedWithin(s, calendars, calendarDays(60))).length;
    return {
      received: opened.length,
      handled: closed.length,
      handledWithin15Days: in15,
      handledIn16To30Days: in30 - in15,
      handledIn31To60Days: in60 - in30,
      handledAfter60Days: closed.length - in60,
      openAtPeriodEnd,
    };
  };
  return {
    return: 'NFRA consumer complaints style',
    period,
    total: figures(cases),
    rows: groupsInOrder(cases, (s) => s.category ?? 'unknown').map(([category, group]) => ({
      category,
      ...figures(group),
    })),
  };
}
