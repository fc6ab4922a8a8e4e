/**
 * The SLA monitor under contention: two resolution processes on one PostgreSQL database and one
 * Kafka consumer group, 500 cases whose warnings, breaches and escalations all fall due at once.
 * Every one must be recorded exactly once (counted from the event store), also when one process
 * is killed mid-run.
 */
import { randomUUID } from 'node:crypto';
import { KafkaTransport } from '@complaints/messaging';
import { Topics, prefixed } from '@complaints/contracts';
import { Client } from 'pg';
import { createTestDatabase, eventually, requireEnv, uniqueSuffix, type TestDatabase } from '../support/database';
import { routedEnvelope } from '../fixtures/events';
import { freePort, startService, waitUntilReady, type RunningProcess } from '../support/processes';

const CASES = 500;
const DAY_MS = 86_400_000;

describe('SLA timers with two resolution processes', () => {
  let testDb: TestDatabase;
  let db: Client;
  const processes: RunningProcess[] = [];

  const counts = async () => {
    const { rows } = await db.query<{ type: string; streams: string; events: string; max_per_stream: string }>(
      `SELECT type, count(DISTINCT stream_id) AS streams, count(*) AS events, max(n) AS max_per_stream FROM (
         SELECT stream_id, type, count(*) OVER (PARTITION BY stream_id, type) AS n FROM resolution.events
          WHERE type IN ('CaseOpened', 'SlaWarningIssued', 'SlaBreached', 'CaseEscalated')) per
       GROUP BY type`,
    );
    return Object.fromEntries(
      rows.map((r) => [
        r.type,
        { streams: Number(r.streams), events: Number(r.events), maxPerStream: Number(r.max_per_stream) },
      ]),
    );
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('sla_timers');
    db = new Client({ connectionString: testDb.url });
    await db.connect();
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await db?.end();
    await testDb?.drop();
  }, 60_000);

  it('fires every warning, breach and escalation exactly once, even when one process dies mid-run', async () => {
    const prefix = `sla${uniqueSuffix()}`;
    const env = {
      ...process.env,
      DATABASE_URL: testDb.url,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      TOPIC_PREFIX: prefix,
      SLA_POLL_INTERVAL_MS: '100',
    };
    for (const name of ['one', 'two']) {
      const port = freePort();
      const child = startService('resolution', { ...env, PORT: String(port) });
      child.name = `resolution-${name}`;
      processes.push(child);
      await waitUntilReady(child, `http://127.0.0.1:${port}`);
    }

    // Received 13 days ago: the 1-business-day acknowledgement clock is long breached (its 50% and
    // 75% warnings are recorded before the breach), and the 15-calendar-day resolution clock has
    // passed both its 50% and 75% warnings: four warnings a case.
    const receivedAt = new Date(Date.now() - 13 * DAY_MS).toISOString();
    const transport = new KafkaTransport({
      brokers: requireEnv('KAFKA_BROKERS').split(','),
      clientId: 'sla-timers-test',
    });
    const topic = prefixed(prefix, Topics.routing);
    await transport.ensureTopics([topic]);
    const envelopes = Array.from({ length: CASES }, () => {
      const envelope = routedEnvelope(randomUUID(), `C-${uniqueSuffix()}`);
      return { ...envelope, data: { ...(envelope.data as object), channel: 'hotline', receivedAt } };
    });
    for (let i = 0; i < CASES; i += 100) {
      await transport.publish(
        envelopes.slice(i, i + 100).map((e) => ({ topic, key: e.subject, value: JSON.stringify(e), headers: {} })),
      );
    }
    await transport.close();

    // Kill one process while both are opening cases and firing timers.
    await eventually(
      'the monitors to be under way',
      async () => (((await counts()).SlaBreached?.streams ?? 0) >= 50 ? true : undefined),
      120_000,
    );
    await processes[0]!.stop('SIGKILL');

    const expected = {
      CaseOpened: { streams: CASES, events: CASES, maxPerStream: 1 },
      SlaWarningIssued: { streams: CASES, events: 4 * CASES, maxPerStream: 4 },
      SlaBreached: { streams: CASES, events: CASES, maxPerStream: 1 },
      CaseEscalated: { streams: CASES, events: CASES, maxPerStream: 1 },
    };
    await eventually(
      'every timer of every case',
      async () => {
        const now = await counts();
        return now.SlaBreached?.streams === CASES &&
          now.SlaWarningIssued?.events === 4 * CASES &&
          now.CaseEscalated?.streams === CASES
          ? now
          : undefined;
      },
      180_000,
    );
    // Give a duplicate every chance to appear before counting for the last time.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await counts()).toEqual(expected);
    const breaches = await db.query<{ clock: string; n: string }>(
      `SELECT data->>'clock' AS clock, count(*) AS n FROM resolution.events WHERE type = 'SlaBreached' GROUP BY 1`,
    );
    expect(breaches.rows).toEqual([{ clock: 'acknowledgement', n: String(CASES) }]);
  }, 400_000);
});
