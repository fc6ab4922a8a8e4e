/**
 * A hundred conflicting commands on one case at once, over HTTP on a real PostgreSQL: each is
 * either applied exactly once or answered 409, and the case's stream stays contiguous and
 * consistent (waiting and resuming alternate, the acknowledgement happens once).
 */
import { randomUUID } from 'node:crypto';
import { Topics } from '@complaints/contracts';
import { openDatabase, type Database } from '@complaints/eventstore';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { eventually } from '../../../test/support/database';
import { startInProcess, type InProcessService } from '../../../test/support/in-process';
import { routedEnvelope } from '../../../test/fixtures/events';
import { resolutionService } from './resolution.module';
import { api } from '../../../test/support/auth';

/** The fixtures' tenant: reads are made in it. */
const inTenant = { headers: { 'x-tenant-id': 'test' } };

const COMMANDS = [
  ...Array.from({ length: 20 }, () => ({ path: 'acknowledge', body: { channel: 'phone', summary: 'Called' } })),
  ...Array.from({ length: 40 }, () => ({ path: 'wait', body: { reason: 'Waiting for the bank statement' } })),
  ...Array.from({ length: 40 }, () => ({ path: 'resume', body: {} })),
];

describe('concurrent commands on one case', () => {
  let resolution: InProcessService;
  let bus: Database;

  beforeAll(async () => {
    resolution = await startInProcess(resolutionService);
    bus = await openDatabase({ url: resolution.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
  });
  afterAll(async () => {
    await bus?.close();
    await resolution?.close();
  });

  it('applies each of 100 concurrent conflicting commands once or answers 409, keeping the stream contiguous', async () => {
    const caseId = randomUUID();
    await new PostgresTransport(bus).publish([
      { topic: Topics.routing, key: caseId, value: JSON.stringify(routedEnvelope(caseId, 'C-1')), headers: {} },
    ]);
    await eventually(`case ${caseId} opened`, async () =>
      (await api(`${resolution.base}/cases/${caseId}`, inTenant)).status === 200 ? true : undefined,
    );

    const answers = await Promise.all(
      COMMANDS.map(async ({ path, body }) => {
        const correlationId = randomUUID();
        const response = await api(`${resolution.base}/cases/${caseId}/${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-actor-id': 'agent-7',
            'x-actor-role': 'agent',
            'x-tenant-id': 'test',
            'x-correlation-id': correlationId,
          },
          body: JSON.stringify(body),
        });
        return { path, correlationId, status: response.status, body: (await response.json()) as { detail?: string } };
      }),
    );

    expect(answers.filter((a) => a.status !== 200 && a.status !== 409)).toEqual([]);
    for (const refused of answers.filter((a) => a.status === 409)) expect(refused.body.detail).toMatch(/\w+/);
    const applied = answers.filter((a) => a.status === 200);
    expect(applied.filter((a) => a.path === 'acknowledge')).toHaveLength(1);

    const { rows: events } = await resolution.db.query<{
      stream_version: string;
      type: string;
      correlation: string;
    }>(
      `SELECT stream_version::text, type, metadata->>'correlationId' AS correlation
         FROM events WHERE stream_id = $1 ORDER BY stream_version`,
      [`case-${caseId}`],
    );
    // Contiguous versions from 1, the opening first.
    expect(events.map((e) => Number(e.stream_version))).toEqual(events.map((_, i) => i + 1));
    expect(events[0]!.type).toBe('CaseOpened');
    // Each accepted command appended exactly one event; each refused one appended none.
    const byCorrelation = new Map<string, number>();
    for (const e of events) byCorrelation.set(e.correlation, (byCorrelation.get(e.correlation) ?? 0) + 1);
    for (const a of answers)
      expect([a.path, byCorrelation.get(a.correlationId) ?? 0]).toEqual([a.path, a.status === 200 ? 1 : 0]);
    expect(events).toHaveLength(1 + applied.length);
    // Waiting and resuming alternate, as the state machine demands.
    const pauses = events.map((e) => e.type).filter((t) => t.startsWith('WaitingOnCustomer'));
    pauses.forEach((type, i) => expect(type).toBe(i % 2 === 0 ? 'WaitingOnCustomerStarted' : 'WaitingOnCustomerEnded'));
    // The case still folds, at the version the stream holds.
    const current = (await (await api(`${resolution.base}/cases/${caseId}`, inTenant)).json()) as { version: number };
    expect(current.version).toBe(events.length);
  }, 120_000);
});
