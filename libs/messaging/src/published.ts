/**
 * The stored → published mapping of a service as one exhaustive table, typed per event: each
 * stored event type names the integration event it becomes (or `null`: private), and its data is
 * checked against that integration event's contract at compile time. A new stored event without
 * an entry, or a stored shape the contract does not accept without a conversion, fails to compile.
 */
import type { IntegrationEventData, IntegrationEventType } from '@complaints/contracts';
import type { IntegrationMapper, IntegrationPayload } from './relay';

/** A stored event whose data is `D`, published as `T`: a conversion is required unless `D` already is `T`'s payload. */
type PublicationAs<D, T extends IntegrationEventType> = { type: T } & ([D] extends [IntegrationEventData<T>]
  ? { data?: (data: D) => IntegrationEventData<T> }
  : { data: (data: D) => IntegrationEventData<T> });

/** What a stored event with data `D` publishes: one integration event type, its payload typed by the contract. */
export type Publication<D> = { [T in IntegrationEventType]: PublicationAs<D, T> }[IntegrationEventType];

/** Every stored event type of a service, mapped to what it publishes; `null` keeps an event private. */
export type PublishedTable<E extends { type: string; data: unknown }> = {
  [K in E['type']]: Publication<Extract<E, { type: K }>['data']> | null;
};

/**
 * The relay's mapper for a table. `subject` names the aggregate (the message key: the complaint or
 * the case). Stored types the table does not know (none, when the table is complete) publish nothing.
 */
export function integrationMapper<E extends { type: string; data: unknown }>(
  table: PublishedTable<E>,
  subject: (data: E['data']) => string,
): IntegrationMapper {
  const entries = table as Record<string, { type: IntegrationEventType; data?: (data: unknown) => unknown } | null>;
  return (stored): IntegrationPayload[] => {
    const entry = Object.hasOwn(entries, stored.type) ? entries[stored.type] : null;
    if (!entry) return [];
    const data = stored.data as E['data'];
    return [{ type: entry.type, subject: subject(data), data: entry.data ? entry.data(data) : data }];
  };
}
