/**
 * China's official holiday schedule per year, as data: the days off of each holiday block and
 * the weekend days that are working days to make up for them (调休 / 补班).
 *
 * Why a table: date-holidays knows only the statutory days themselves (and, for CN, still the
 * pre-2025 counts: 3 Spring Festival days, 1 Labour Day), not the blocks the State Council
 * actually sets (8–9 days at Spring Festival, 5 at Labour Day, 7–8 at National Day), nor any
 * make-up working day after 2021. Half-day and group holidays it lists as "public" (妇女节,
 * 青年节, 儿童节, 建军节) are not days off for everyone and are never used. For a year listed
 * here the table is the whole truth for CN; for a year that is not, the calendar falls back to
 * date-holidays' statutory days without make-up days and reports the gap.
 *
 * How to update (every November): the General Office of the State Council publishes
 * 《国务院办公厅关于YYYY年部分节假日安排的通知》 on www.gov.cn, usually in early or mid
 * November, for the next year. Add the year below: one block per holiday with its first and
 * last day off exactly as the notice says ("X月X日至X日放假调休，共N天"), the make-up working
 * days it names ("X月X日（周日）上班"), and the notice's reference and date. Then run the unit
 * tests: they check that make-up days fall on weekends, that blocks do not overlap them, and that
 * every statutory day date-holidays knows lies inside a block.
 */

export interface ChinaHolidayBlock {
  name: string;
  /** First and last local day off, 'YYYY-MM-DD', both included. */
  from: string;
  to: string;
}

export interface ChinaHolidaySchedule {
  /** The State Council notice the data was copied from. */
  notice: string;
  blocks: ChinaHolidayBlock[];
  /** Saturdays and Sundays that are working days (调休上班). */
  makeUpWorkingDays: string[];
  /** Anything still to be checked against the official text. */
  todo?: string;
}

export const CHINA_HOLIDAY_SCHEDULES: Readonly<Record<number, ChinaHolidaySchedule>> = {
  2025: {
    notice: '国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号, 2024-11-12)',
    blocks: [
      { name: '元旦', from: '2025-01-01', to: '2025-01-01' },
      { name: '春节', from: '2025-01-28', to: '2025-02-04' },
      { name: '清明节', from: '2025-04-04', to: '2025-04-06' },
      { name: '劳动节', from: '2025-05-01', to: '2025-05-05' },
      { name: '端午节', from: '2025-05-31', to: '2025-06-02' },
      { name: '国庆节、中秋节', from: '2025-10-01', to: '2025-10-08' },
    ],
    makeUpWorkingDays: ['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11'],
  },
  // TODO(2026): verify against the official notice on www.gov.cn (see `todo`).
  2026: {
    notice: '国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04, as published by Xinhua)',
    blocks: [
      { name: '元旦', from: '2026-01-01', to: '2026-01-03' },
      { name: '春节', from: '2026-02-15', to: '2026-02-23' },
      { name: '清明节', from: '2026-04-04', to: '2026-04-06' },
      { name: '劳动节', from: '2026-05-01', to: '2026-05-05' },
      { name: '端午节', from: '2026-06-19', to: '2026-06-21' },
      { name: '中秋节', from: '2026-09-25', to: '2026-09-27' },
      { name: '国庆节', from: '2026-10-01', to: '2026-10-07' },
    ],
    makeUpWorkingDays: ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10'],
    todo:
      'Copied from news reproductions of the notice, not from the gov.cn original: check every date ' +
      'against the official text on www.gov.cn and drop this note when done.',
  },
};
