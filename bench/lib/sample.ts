/** Realistic events for the messaging scenarios: copies of a ComplaintReceived that intake wrote. */
import type { BenchContext } from './context';
import { httpLoad } from './load';
import { sql } from './context';
import { startTopology } from './services';

export type SampleEvent = NonNullable<BenchContext['sampleEvent']>;

/** The intake scenario leaves one; run alone, a relay or consumer scenario registers one itself. */
export async function sampleEvent(ctx: BenchContext): Promise<SampleEvent> {
  if (ctx.sampleEvent) return ctx.sampleEvent;
  const topology = await startTopology(['intake'], {
    databaseUrl: ctx.databaseUrl,
    kafkaBrokers: ctx.kafkaBrokers,
    topicPrefix: `${ctx.runId}-sample`,
    schemas: { intake: 'sample_intake' },
  });
  try {
    await httpLoad({ url: `${topology.services.intake!.url}/complaints`, connections: 1, seconds: 1, post: true });
  } finally {
    await topology.stop();
  }
  const [sample] = await sql<SampleEvent>(
    ctx.databaseUrl,
    `SELECT data, metadata FROM sample_intake.events WHERE type = 'ComplaintReceived' LIMIT 1`,
  );
  if (!sample) throw new Error('intake registered no complaint');
  ctx.sampleEvent = sample;
  return sample;
}

/** SQL inserting `$1` ComplaintReceived events (own ids, complaint ids, references) into <schema>.events. */
export const seedEventsSql = (schema: string) => `
  INSERT INTO ${schema}.events (event_id, stream_id, stream_version, type, data, metadata)
  SELECT event_id, 'complaint-' || complaint_id, 1, 'ComplaintReceived',
         $2::jsonb || jsonb_build_object('complaintId', complaint_id, 'reference', 'CMP-2026-' || lpad(i::text, 7, '0')),
         $3::jsonb || jsonb_build_object('correlationId', gen_random_uuid())
    FROM (SELECT gen_random_uuid() AS event_id, gen_random_uuid()::text AS complaint_id, i
            FROM generate_series(1, $1::int) AS i) AS s`;
