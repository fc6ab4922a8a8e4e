import { randomUUID } from 'node:crypto';
import { envelopeOfMessage, parseIntegrationEvent, Topics } from '@complaints/contracts';
import { openDatabase, type Database } from '@complaints/eventstore';
import { caseHistories } from '../../../../bench/lib/case-histories';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database';
import { analyticsMigrations } from '../infrastructure/migrations';
import { CaseTimelineProjection, type ProjectedEvent } from '../read-models/case-timeline/case-timeline.projection';
import { BulkLoad, type LoadSlice } from './bulk-load';
import { encodeEvents } from './decode';

const HISTORY =
  'event_id, complaint_id, tenant, source, type, occurred_at, actor, correlation_id, causation_id, stream_version, data';
const SUMMARIES = 'complaint_id, tenant, status, summary';

/**
 * Forty cases as Kafka hands them to a rebuild: topic by topic (every case's first events long
 * before its last ones), with messages delivered twice — one long after its first copy, one right
 * behind it — and free text that COPY has to escape.
 */
function arrivals(): ProjectedEvent[] {
  const messages = caseHistories(40).map((m, i) =>
    i === 0 ? { ...m, value: m.value.replace('charged twice', 'charged \\"twice\\"\\t\\nby C:\\\\fees') } : m,
  );
  const order = [Topics.intake, Topics.routing, Topics.resolution] as string[];
  const byTopic = [...messages].sort((a, b) => order.indexOf(a.topic) - order.indexOf(b.topic));
  const events = byTopic.map((m) => parseIntegrationEvent(envelopeOfMessage(m)));
  return [...events.slice(0, 150), events[3]!, events[150]!, ...events.slice(150), events[7]!];
}

/** Events as the decoding workers hand them over. */
function sliceOf(events: ProjectedEvent[]): LoadSlice {
  const { copy, summaryInputs } = encodeEvents(events);
  return { copy, summaryInputs, messages: events.length, events: () => events };
}

describe('loading a rebuild in bulk', () => {
  let testDb: TestDatabase;
  let live: Database;
  let bulk: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase('bulk_load');
    live = await openDatabase({ url: testDb.url, schema: 'live', migrations: analyticsMigrations });
    bulk = await openDatabase({ url: testDb.url, schema: 'bulk', migrations: analyticsMigrations });
  });
  afterAll(async () => {
    await live?.close();
    await bulk?.close();
    await testDb?.drop();
  });

  it('writes the rows the live projection writes, with more cases than summaries in memory', async () => {
    const events = arrivals();
    const batches = Array.from({ length: Math.ceil(events.length / 25) }, (_, i) => events.slice(i * 25, i * 25 + 25));
    const projection = new CaseTimelineProjection();
    for (const batch of batches) await live.transaction((tx) => projection.apply(batch, tx));

    // Four summaries in memory for forty cases: each is written out, read back when its case's
    // later events come, and written again.
    const load = await BulkLoad.open({ url: testDb.url, schema: 'bulk', summaryWindow: 4 });
    try {
      for (const batch of batches) await load.add(sliceOf(batch));
      await load.finish();
    } finally {
      await load.close();
    }

    const rows = async (db: Database, sql: string) => (await db.query(sql)).rows;
    expect(await rows(live, 'SELECT count(*)::int AS n FROM case_history')).toEqual([{ n: 400 }]);
    expect(await rows(bulk, `SELECT ${HISTORY} FROM case_history ORDER BY seq`)).toEqual(
      await rows(live, `SELECT ${HISTORY} FROM case_history ORDER BY seq`),
    );
    expect(await rows(bulk, `SELECT ${SUMMARIES} FROM case_summaries ORDER BY complaint_id`)).toEqual(
      await rows(live, `SELECT ${SUMMARIES} FROM case_summaries ORDER BY complaint_id`),
    );
  });

  it('keeps another tenant’s events naming a case’s id out of that case, live and in bulk', async () => {
    const events = arrivals();
    // Another tenant's routing events for the same complaint ids (forged, or its own ids colliding).
    const forged = events
      .filter((e) => e.type === 'complaint.routed.v1')
      .map((e) => ({
        ...e,
        id: randomUUID(),
        tenant: 'forger',
        data: { ...e.data, reference: 'CMP-FORGED', department: 'forged' },
      }));
    const live2 = await openDatabase({ url: testDb.url, schema: 'live_tenants', migrations: analyticsMigrations });
    const bulk2 = await openDatabase({ url: testDb.url, schema: 'bulk_tenants', migrations: analyticsMigrations });
    try {
      const projection = new CaseTimelineProjection();
      const summaries = async (db: Database, where = 'true') =>
        (await db.query(`SELECT ${SUMMARIES} FROM case_summaries WHERE ${where} ORDER BY tenant, complaint_id`)).rows;
      for (let i = 0; i < events.length; i += 25)
        await live2.transaction((tx) => projection.apply(events.slice(i, i + 25), tx));
      const before = await summaries(live2);
      for (let i = 0; i < forged.length; i += 7)
        await live2.transaction((tx) => projection.apply(forged.slice(i, i + 7), tx));

      expect(await summaries(live2, "tenant <> 'forger'")).toEqual(before);
      const theirs = await summaries(live2, "tenant = 'forger'");
      expect(theirs).toHaveLength(forged.length);
      expect(theirs.map((r) => (r as { summary: { reference: string } }).summary.reference)).toEqual(
        forged.map(() => 'CMP-FORGED'),
      );

      // A rebuild, with the forged events among the others and few summaries in memory, agrees.
      const mixed = [...events.slice(0, 200), ...forged, ...events.slice(200)];
      const load = await BulkLoad.open({ url: testDb.url, schema: 'bulk_tenants', summaryWindow: 4 });
      try {
        for (let i = 0; i < mixed.length; i += 25) await load.add(sliceOf(mixed.slice(i, i + 25)));
        await load.finish();
      } finally {
        await load.close();
      }
      expect(await summaries(bulk2)).toEqual(await summaries(live2));
    } finally {
      await live2.close();
      await bulk2.close();
    }
  });
});
