/**
 * The CloudEvents 1.0 envelope every integration event travels in, plus the attributes this
 * platform adds: the stream version, correlation and causation ids, the actor and the tenant.
 */
import { z } from 'zod';

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
  time: z.string().datetime({ offset: true }),
  datacontenttype: z.literal('application/json'),
  streamVersion: z.number().int().positive(),
  correlationId: z.string().min(1),
  causationId: z.string().nullable(),
  actor: actorSchema,
  tenant: z.string().min(1),
  data: z.unknown(),
});

export type Envelope = z.infer<typeof envelopeSchema>;
export type EnvelopeOf<Type extends string, Data> = Omit<Envelope, 'type' | 'data'> & {
  type: Type;
  data: Data;
};
