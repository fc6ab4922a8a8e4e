/**
 * One place where an integration event is checked against its contract, used by producers
 * (before publishing) and consumers (where a message arrives).
 */
import type { ZodError } from 'zod';
import { envelopeSchema, type Envelope, type EnvelopeOf } from './envelope';
import { IntegrationEvents, type IntegrationEventData, type IntegrationEventType } from './events';

export class ContractViolation extends Error {
  constructor(
    message: string,
    readonly issues: string[],
  ) {
    super(`${message}: ${issues.join('; ')}`);
    this.name = 'ContractViolation';
  }
}

function describe(error: ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => `${prefix}${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

export function isIntegrationEventType(type: string): type is IntegrationEventType {
  return Object.prototype.hasOwnProperty.call(IntegrationEvents, type);
}

export type IntegrationEvent = {
  [T in IntegrationEventType]: EnvelopeOf<T, IntegrationEventData<T>>;
}[IntegrationEventType];

/** Parses an unknown value into a typed integration event or throws a ContractViolation. */
export function parseIntegrationEvent(value: unknown): IntegrationEvent {
  const envelope = envelopeSchema.safeParse(value);
  if (!envelope.success) {
    throw new ContractViolation('Invalid event envelope', describe(envelope.error));
  }
  const { type } = envelope.data;
  if (!isIntegrationEventType(type)) {
    throw new ContractViolation('Unknown event type', [`type: ${type}`]);
  }
  const data = IntegrationEvents[type].schema.safeParse(envelope.data.data);
  if (!data.success) {
    throw new ContractViolation(`Invalid ${type} payload`, describe(data.error, 'data.'));
  }
  return { ...envelope.data, data: data.data } as IntegrationEvent;
}

/** Narrow helper for consumers: the event if it has the given type, else undefined. */
export function asEventOfType<T extends IntegrationEventType>(
  event: IntegrationEvent,
  type: T,
): EnvelopeOf<T, IntegrationEventData<T>> | undefined {
  return event.type === type ? (event as EnvelopeOf<T, IntegrationEventData<T>>) : undefined;
}

export type { Envelope };
