import type { Actor } from '@complaints/decider';

export interface EventMetadata {
  tenant: string;
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  /** Business time of the decision (from the injected clock), ISO 8601. */
  time: string;
  /** W3C trace context (`traceparent`, `tracestate`) of the work that appended the event, when traced. */
  trace?: Record<string, string>;
}

/** An `events` row as PostgreSQL returns it. */
export interface EventRow {
  global_position: string;
  transaction_id: string;
  event_id: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  recorded_at: Date;
  hash?: string | null;
}
