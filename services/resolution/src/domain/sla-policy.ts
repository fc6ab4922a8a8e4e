/**
 * The default SLA policy of this slice, as data. Calendar time; business calendars, regulatory
 * presets and several concurrent clocks per case come with the SLA work.
 */
import type { Priority } from './case';

export interface SlaPolicy {
  id: string;
  acknowledgeWithinHours: number;
  resolveWithinDays: Record<Priority, number>;
}

export const DEFAULT_SLA_POLICY: SlaPolicy = {
  id: 'default-calendar-v1',
  acknowledgeWithinHours: 24,
  resolveWithinDays: { urgent: 2, high: 5, normal: 15, low: 30 },
};

const HOUR_MS = 3_600_000;

export function deadlinesFor(policy: SlaPolicy, priority: Priority, openedAt: Date) {
  return {
    acknowledgeBy: new Date(openedAt.getTime() + policy.acknowledgeWithinHours * HOUR_MS),
    resolveBy: new Date(openedAt.getTime() + policy.resolveWithinDays[priority] * 24 * HOUR_MS),
  };
}
