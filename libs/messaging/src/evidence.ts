/**
 * The digest of an integration event's content: what a source service computes from its verified
 * chain (through the relay's own mapping) and what analytics computes from the history entry it
 * serves. Equal digests mean the entry says what the source's event said.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@complaints/eventstore';

export interface DigestedContent {
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  streamVersion: number;
  correlationId: string;
  causationId: string | null;
  actor: { id: string; role: string };
  tenant: string;
  data: unknown;
}

export function contentDigest(e: DigestedContent): string {
  const { id, source, type, subject, streamVersion, correlationId, causationId, actor, tenant, data } = e;
  // The instant, not its spelling: the history stores it as a timestamp and writes it back in UTC.
  const time = new Date(e.time).toISOString();
  return createHash('sha256')
    .update(
      canonicalJson({
        id,
        source,
        type,
        subject,
        time,
        streamVersion,
        correlationId,
        causationId,
        actor,
        tenant,
        data,
      }),
    )
    .digest('hex');
}
