/**
 * Upcasting: a stored event's type never changes meaning, but its shape grows (new fields are
 * optional when written). An upcaster turns every shape ever stored under a type into the current
 * one on read, so evolve and the read side see one shape per event type. A service plugs its
 * upcasters in through the platform module (`PlatformModule.forRoot({ upcasters })`); the outbox
 * relay and the audit read events as stored, so what was published and hashed never changes.
 */
import type { StoredEvent, Upcaster } from './event-store';

/** Per stored event type, the function turning any stored shape of its data into the current one. */
export type UpcasterTable = Readonly<Record<string, (data: unknown, event: StoredEvent) => unknown>>;

/** One upcaster from tables (applied in order, so a later table sees what an earlier one made). */
export function upcasters(...tables: UpcasterTable[]): Upcaster {
  return (event) =>
    tables.reduce((current, table) => {
      const upcast = Object.hasOwn(table, current.type) ? table[current.type] : undefined;
      return upcast ? { ...current, data: upcast(current.data, current) } : current;
    }, event);
}
