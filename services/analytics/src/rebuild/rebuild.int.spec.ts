import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaTransport, PostgresTransport, embeddedBusMigrations } from '@complaints/messaging';
import { openDatabase, type Database } from '@complaints/eventstore';
import { envelopeOfMessage, parseIntegrationEvent } from '@complaints/contracts';
import { eventually, requireEnv, uniqueSuffix } from '../../../../test/support/database';
import { caseHistories, EVENTS_PER_CASE } from '../../../../bench/lib/case-histories';
import { startInProcess, type InProcessService } from '../../../../test/support/in-process';
import { analyticsService } from '../analytics.module';
import { CaseTimelineProjection } from '../read-models/case-timeline/case-timeline.projection';
import { rebuildAnalytics } from './rebuild';
import { api } from '../../../../test/support/auth';

const MINUTE = 60_000;
const HISTORY_COLUMNS =
  'event_id, complaint_id, tenant, source, type, occurred_at, actor, correlation_id, causation_id, stream_version, data';
const SUMMARY_COLUMNS = 'complaint_id, tenant, status, summary';

const count = async (db: Database, sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]!.n);

/** Rows in one schema's table and not in the other's, both ways (0 = identical contents). */
const differences = (db: Database, table: string, columns: string, a: string, b: string) =>
  count(
    db,
    `SELECT count(*) AS n FROM (
       (SELECT ${columns} FROM "${a}".${table} EXCEPT ALL SELECT ${columns} FROM "${b}".${table})
       UNION ALL
       (SELECT ${columns} FROM "${b}".${table} EXCEPT ALL SELECT ${columns} FROM "${a}".${table})) d`,
  );

/** The indexes of a schema's projection tables, as their definitions with the schema left out. */
async function indexes(db: Database, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ definition: string }>(
    `SELECT replace(indexdef, $1, '') AS definition FROM pg_indexes
      WHERE schemaname = $2 AND tablename IN ('case_history', 'case_summaries') ORDER BY indexname`,
    [`${schema}.`, schema],
  );
  return rows.map((r) => r.definition);
}

async function expectSameProjections(db: Database, live: string, retired: string) {
  expect(await differences(db, 'case_history', HISTORY_COLUMNS, live, retired)).toBe(0);
  expect(await differences(db, 'case_summaries', SUMMARY_COLUMNS, live, retired)).toBe(0);
  // The rebuild loads its tables without their secondary indexes and builds them afterwards.
  const retiredIndexes = await indexes(db, retired);
  expect(retiredIndexes).toContainEqual(expect.stringContaining('INDEX case_history_by_case ON case_history'));
  expect(await indexes(db, live)).toEqual(retiredIndexes);
}

describe('rebuilding the analytics projections from history', () => {
  it(
    'rebuilds 100,000 events from Kafka into exactly the projections the live consumer built',
    async () => {
      const cases = 10_000;
      const env = { KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'), TOPIC_PREFIX: `rebuild${uniqueSuffix()}` };
      const analytics = await startInProcess(analyticsService, undefined, env);
      const kafka = new KafkaTransport({ brokers: env.KAFKA_BROKERS.split(','), clientId: 'rebuild-test' });
      try {
        const messages = caseHistories(cases, env.TOPIC_PREFIX);
        for (let i = 0; i < messages.length; i += 5_000) await kafka.publish(messages.slice(i, i + 5_000));
        await eventually(
          'the live consumer to project all 100,000 events',
          async () =>
            (await count(analytics.db, 'SELECT count(*) AS n FROM case_history')) === 100_000 ? true : undefined,
          10 * MINUTE,
        );

        const report = await rebuildAnalytics({ config: analytics.config, keepOld: true });

        expect(report).toMatchObject({ read: cases * EVENTS_PER_CASE, skipped: 0 });
        expect(await count(analytics.db, 'SELECT count(*) AS n FROM case_summaries')).toBe(cases);
        await expectSameProjections(analytics.db, analytics.config.schema, report.retiredSchema!);
        // The queries answer from the rebuilt tables.
        // The generator's first case is grid-east's.
        const history = await api(`${analytics.base}/cases/${messages[0]!.key}/history`, {
          headers: { 'x-tenant-id': 'grid-east' },
        });
        expect(history.status).toBe(200);
      } finally {
        await kafka.close();
        await analytics.close();
      }
    },
    20 * MINUTE,
  );

  describe('while the service runs on the embedded bus', () => {
    let analytics: InProcessService;
    let bus: Database;
    let transport: PostgresTransport;
    const historyCount = () => count(analytics.db, 'SELECT count(*) AS n FROM case_history');

    beforeAll(async () => {
      analytics = await startInProcess(analyticsService);
      bus = await openDatabase({ url: analytics.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
      transport = new PostgresTransport(bus);
      await transport.publish(caseHistories(300));
      await eventually('3,000 events projected', async () => ((await historyCount()) === 3_000 ? true : undefined));
    }, 5 * MINUTE);
    afterAll(async () => {
      await bus?.close();
      await analytics?.close();
    });

    it('keeps answering from the old tables during the rebuild and loses nothing projected meanwhile', async () => {
      const someCase = (
        await analytics.db.query<{ id: string; tenant: string }>(
          'SELECT complaint_id AS id, tenant FROM case_summaries LIMIT 1',
        )
      ).rows[0]!;
      const duringRebuild: number[] = [];
      const report = await rebuildAnalytics({
        config: analytics.config,
        keepOld: true,
        onProgress: async () => {
          if (duringRebuild.length > 0) return;
          const answer = await api(`${analytics.base}/cases/${someCase.id}/history`, {
            headers: { 'x-tenant-id': someCase.tenant },
          });
          duringRebuild.push(answer.status, ((await answer.json()) as { events: unknown[] }).events.length);
          // Ten more cases arrive and are projected live while the rebuild is under way.
          await transport.publish(caseHistories(10, '', 300));
          await eventually('the new cases projected live', async () =>
            (await historyCount()) === 3_100 ? true : undefined,
          );
        },
      });

      expect(duringRebuild).toEqual([200, EVENTS_PER_CASE]);
      expect(report.read).toBe(3_000);
      expect(report.tail).toBe(100);
      expect(await historyCount()).toBe(3_100);
      const { rows } = await analytics.db.query<{ events: string }>(
        "SELECT sum((summary->>'eventCount')::int) AS events FROM case_summaries",
      );
      expect(Number(rows[0]!.events)).toBe(3_100);
      await expectSameProjections(analytics.db, analytics.config.schema, report.retiredSchema!);
    });

    it('leaves no schema behind, and the projection ignores events it already holds', async () => {
      const schemas = () =>
        count(
          analytics.db,
          `SELECT count(*) AS n FROM information_schema.schemata WHERE schema_name LIKE '${analytics.config.schema}\\_%'`,
        );
      const schemasBefore = await schemas();
      const summariesBefore = await analytics.db.query(`SELECT ${SUMMARY_COLUMNS} FROM case_summaries ORDER BY 1`);
      expect((await rebuildAnalytics({ config: analytics.config })).retiredSchema).toBeUndefined();
      expect(await schemas()).toBe(schemasBefore);

      // A live consumer behind the rebuild delivers events the new tables already hold: no change.
      const { rows } = await bus.query<{ value: string; headers: Record<string, string> }>(
        'SELECT value, headers FROM bus_messages ORDER BY position LIMIT 500',
      );
      const again = rows.map((r) => parseIntegrationEvent(envelopeOfMessage(r)));
      await analytics.db.transaction((tx) => new CaseTimelineProjection().apply(again, tx));
      expect(await historyCount()).toBe(3_100);
      expect(await analytics.db.query(`SELECT ${SUMMARY_COLUMNS} FROM case_summaries ORDER BY 1`)).toEqual(
        summariesBefore,
      );
    });

    it('refuses to replace the tables with empty ones when the topics read as empty', async () => {
      const before = await historyCount();
      await expect(
        rebuildAnalytics({ config: { ...analytics.config, topicPrefix: `empty${uniqueSuffix()}` } }),
      ).rejects.toThrow(/topics hold no messages/);
      expect(await historyCount()).toBe(before);
    });

    it('stores a message delivered twice once, and folds more cases than it keeps in memory', async () => {
      // Messages published again (a producer retry, a relay restarted before its checkpoint): some
      // long after their first copy, and five new cases whose every message comes twice in a row.
      const eventsBefore = await historyCount();
      const { rows } = await bus.query<{ topic: string; key: string; value: string; headers: Record<string, string> }>(
        'SELECT topic, key, value, headers FROM bus_messages ORDER BY position LIMIT 40',
      );
      // One of them with quotes, a tab, a newline and a backslash in its text (escaped on the way in).
      const newCases = caseHistories(5, '', 1_000).map((m, i) =>
        i === 0 ? { ...m, value: m.value.replace('charged twice', 'charged \\"twice\\"\\t\\nby C:\\\\fees') } : m,
      );
      // As published: in the binary mode the attributes are in the headers, the value is the data only.
      await transport.publish([...rows, ...newCases.flatMap((m) => [m, m])]);
      const events = eventsBefore + newCases.length;
      await eventually('the new cases projected live', async () =>
        (await historyCount()) === events ? true : undefined,
      );
      const messages = await count(bus, 'SELECT count(*) AS n FROM bus_messages');

      // Seven summaries in memory at a time, for more than 300 cases.
      const report = await rebuildAnalytics({ config: analytics.config, keepOld: true, summaryWindow: 7 });

      expect(report).toMatchObject({ read: messages, skipped: 0, tail: 0 });
      expect(await historyCount()).toBe(events);
      const { rows: counted } = await analytics.db.query<{ events: string }>(
        "SELECT sum((summary->>'eventCount')::int) AS events FROM case_summaries",
      );
      expect(Number(counted[0]!.events)).toBe(events);
      await expectSameProjections(analytics.db, analytics.config.schema, report.retiredSchema!);
    });

    it('counts unreadable messages as skipped and rebuilds from the rest', async () => {
      const messages = await count(bus, 'SELECT count(*) AS n FROM bus_messages');
      const { rows } = await bus.query<{ topic: string; key: string }>(
        'SELECT topic, key FROM bus_messages ORDER BY position LIMIT 1',
      );
      const { topic, key } = rows[0]!;
      // Dead-lettered by the live consumer; the rebuild counts them and stores nothing of them.
      await transport.publish([
        { topic, key, value: 'not json', headers: {} },
        { topic, key, value: JSON.stringify({ type: 'complaint.received.v1', subject: key, data: {} }), headers: {} },
      ]);
      const events = await historyCount();

      const report = await rebuildAnalytics({ config: analytics.config, keepOld: true });

      expect(report).toMatchObject({ read: messages + 2, skipped: 2, tail: 0 });
      expect(await historyCount()).toBe(events);
      await expectSameProjections(analytics.db, analytics.config.schema, report.retiredSchema!);
    });

    it('stops naming the error, with the live tables as they were, when a decoding worker fails', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'decode-worker-'));
      const file = join(dir, 'worker.js');
      writeFileSync(
        file,
        `const { parentPort } = require('node:worker_threads');
         parentPort.on('message', ({ id }) => parentPort.postMessage({ id, error: 'Error: no memory left to decode' }));`,
      );
      const before = await analytics.db.query(`SELECT ${SUMMARY_COLUMNS} FROM case_summaries ORDER BY 1`);
      try {
        await expect(rebuildAnalytics({ config: analytics.config, decoding: { file } })).rejects.toThrow(
          /decoding worker failed on a slice of messages: Error: no memory left to decode/,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(await analytics.db.query(`SELECT ${SUMMARY_COLUMNS} FROM case_summaries ORDER BY 1`)).toEqual(before);
      // Nothing held: the next rebuild runs.
      expect((await rebuildAnalytics({ config: analytics.config })).skipped).toBe(2);
    });
  });
});
