/**
 * The CloudEvents 1.0 envelope every integration event travels in, plus the attributes this
 * platform adds: the stream version, correlation and causation ids, the actor, the tenant and the
 * evidence of the source event (`eventhash`, `streamid`) and the trace context (`traceparent`).
 * These are the TypeScript names; cloudevents.ts maps them to the attribute names on the wire.
 */
import { z } from 'zod';

/**
 * An ISO 8601 date-time with `Z` or an offset: what `z.string().datetime({ offset: true })` accepts,
 * with the regular expression compiled once (zod 3 compiles it again on every check, which was a
 * third of the time spent checking an event).
 */
export const isoDateTime = z
  .string()
  .regex(z.datetimeRegex({ offset: true, precision: null, local: false }), { message: 'Invalid datetime' });

export const actorSchema = z.object({
  id: z.string().min(1),
  role: z.string().min(1),
});

export const envelopeSchema = z.object({
  specversion: z.literal('1.0'),
  id: z.string().uuid(),
  source: z.string().min(1),
  type: z.string().min(1),
  subject: z.string().uuid(),
  time: isoDateTime,
  datacontenttype: z.literal('application/json'),
  streamVersion: z.number().int().positive(),
  correlationId: z.string().min(1),
  causationId: z.string().nullable(),
  actor: actorSchema,
  tenant: z.string().min(1),
  /**
   * Evidence of the source event (CloudEvents extension names: lowercase letters and digits): its
   * hash in the source service's chain and its stream there. Absent on events published before.
   */
  eventhash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  streamid: z.string().min(1).optional(),
  /** The producer's W3C trace context: the CloudEvents distributed tracing extension. */
  traceparent: z
    .string()
    .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
    .optional(),
  data: z.unknown(),
});

export type Envelope = z.infer<typeof envelopeSchema>;
export type EnvelopeOf<Type extends string, Data> = Omit<Envelope, 'type' | 'data'> & {
  type: Type;
  data: Data;
};
