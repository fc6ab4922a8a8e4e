import { AdjustableClock, loadTestClock, type Clock } from '@complaints/kit';

/**
 * The embedded host's one clock for its four services: with TEST_CLOCK=enabled, moving it on any
 * service's port moves all four, so the events they stamp stay in order. Undefined otherwise (each
 * service reads the system clock).
 */
export function sharedClock(env: NodeJS.ProcessEnv): Clock | undefined {
  return loadTestClock(env) ? new AdjustableClock() : undefined;
}
