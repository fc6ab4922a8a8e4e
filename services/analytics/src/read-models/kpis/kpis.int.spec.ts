import { randomUUID } from 'node:crypto';
import { Topics } from '@complaints/contracts';
import { newId, openDatabase, type Database } from '@complaints/eventstore';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { eventually } from '../../../../../test/support/database';
import { complaintReceivedData, receivedEnvelope } from '../../../../../test/fixtures/events';
import { startInProcess, type InProcessService } from '../../../../../test/support/in-process';
import { analyticsService } from '../../analytics.module';
import { api } from '../../../../../test/support/auth';

/** The tenant of the events these tests project: reads are made in it. */
const inTenant = { headers: { 'x-tenant-id': 'bank-a' } };

const HOUR = 3_600_000;
const day = (d: number) => Date.UTC(2026, 9, d, 8);

/**
 * Ten cases with known answers: case i (1..10) is received on 1 or 2 October (odd/even), is
 * acknowledged after i hours, the first five are resolved after 24·i hours, cases 1 and 2 breach a
 * clock, cases 1–3 are escalated.
 */
function dataSet() {
  return Array.from({ length: 10 }, (_, k) => {
    const i = k + 1;
    const id = newId();
    const received = day(i % 2 ? 1 : 2);
    const base = { ...receivedEnvelope(id), tenant: 'bank-a' };
    const event = (type: string, topic: string, at: number, version: number, data: Record<string, unknown>) => ({
      topic,
      key: id,
      value: JSON.stringify({
        ...base,
        id: randomUUID(),
        type,
        source: `/complaints/${topic.split('.')[1]}`,
        time: new Date(at).toISOString(),
        streamVersion: version,
        data,
      }),
      headers: {},
    });
    const iso = (t: number) => new Date(t).toISOString();
    const messages = [
      event(
        'complaint.received.v1',
        Topics.intake,
        received,
        1,
        complaintReceivedData(id, { channel: i <= 3 ? 'email' : 'hotline', receivedAt: iso(received) }),
      ),
      event('case.opened.v1', Topics.resolution, received, 1, {
        caseId: id,
        complaintId: id,
        reference: 'R',
        department: i <= 6 ? 'cards' : 'metering',
        queue: 'q',
        category: i <= 6 ? 'card-fees' : 'metering',
        priority: 'normal',
        openedAt: iso(received),
        acknowledgeBy: iso(received + 24 * HOUR),
        resolveBy: iso(received + 360 * HOUR),
        slaPolicy: 'default',
      }),
      event('case.acknowledged.v1', Topics.resolution, received + i * HOUR, 2, {
        caseId: id,
        acknowledgedAt: iso(received + i * HOUR),
        channel: 'phone',
        summary: 's',
      }),
    ];
    let version = 3;
    if (i <= 2)
      messages.push(
        event('case.sla-breached.v1', Topics.resolution, received + 30 * HOUR, version++, {
          caseId: id,
          clock: 'acknowledgement',
          dueAt: iso(received),
          breachedAt: iso(received),
          detectedAt: iso(received + 30 * HOUR),
        }),
      );
    if (i <= 3)
      messages.push(
        event('case.escalated.v1', Topics.resolution, received + 31 * HOUR, version++, {
          caseId: id,
          fromLevel: 0,
          level: 1,
          escalatedTo: 'supervisor',
          reason: 'r',
          escalatedAt: iso(received + 31 * HOUR),
        }),
      );
    if (i <= 5)
      messages.push(
        event('case.resolved.v1', Topics.resolution, received + 24 * i * HOUR, version++, {
          caseId: id,
          resolvedAt: iso(received + 24 * i * HOUR),
          summary: 'done',
        }),
      );
    return messages;
  }).flat();
}

describe('KPIs over a data set with known answers', () => {
  let analytics: InProcessService;
  let bus: Database;
  const get = async (path: string) =>
    (await (await api(`${analytics.base}/kpis/${path}`, inTenant)).json()) as Record<string, unknown>;

  beforeAll(async () => {
    analytics = await startInProcess(analyticsService);
    bus = await openDatabase({ url: analytics.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
    await new PostgresTransport(bus).publish(dataSet());
    await eventually('all ten cases projected', async () =>
      (await get('handling')).resolved === 5 && (await get('handling')).acknowledged === 10 ? true : undefined,
    );
  }, 60_000);
  afterAll(async () => {
    await bus?.close();
    await analytics?.close();
  });

  it('counts volumes per day and dimension', async () => {
    expect(await get('volumes?by=channel&period=day')).toEqual({
      by: 'channel',
      period: 'day',
      timeZone: 'Asia/Shanghai', // bank-a's calendar: the default policy's (China)
      rows: [
        { period: '2026-10-01', channel: 'email', complaints: 2 },
        { period: '2026-10-01', channel: 'hotline', complaints: 3 },
        { period: '2026-10-02', channel: 'email', complaints: 1 },
        { period: '2026-10-02', channel: 'hotline', complaints: 4 },
      ],
    });
    expect((await get('volumes?by=department&period=month')).rows as unknown[]).toEqual([
      { period: '2026-10-01', department: 'cards', complaints: 6 },
      { period: '2026-10-01', department: 'metering', complaints: 4 },
    ]);
  });

  it('gives exact handling times and rates', async () => {
    expect(await get('handling')).toEqual({
      cases: 10,
      acknowledged: 10,
      resolved: 5,
      hoursToAcknowledge: { median: 5.5, p90: 9.1 },
      hoursToResolve: { median: 72, p90: 110.4 },
      // Every hour of these cases falls in China's National Day holiday (1–7 October 2026): no business time.
      businessHoursToAcknowledge: { median: 0, p90: 0 },
      businessHoursToResolve: { median: 0, p90: 0 },
      slaBreachRate: 0.2,
      escalationRate: 0.3,
      reopenRate: 0,
    });
  });

  it("buckets days in the tenant's time zone (its calendar's), or in a valid timeZone given", async () => {
    // Received Monday 5 October 01:00 in Shanghai (the default policy's calendar): still Sunday in UTC.
    const id = newId();
    const receivedAt = '2026-10-04T17:00:00.000Z';
    await new PostgresTransport(bus).publish([
      {
        topic: Topics.intake,
        key: id,
        value: JSON.stringify({
          ...receivedEnvelope(id),
          tenant: 'bank-tz',
          id: randomUUID(),
          time: receivedAt,
          data: complaintReceivedData(id, { receivedAt }),
        }),
        headers: {},
      },
    ]);
    const volumes = async (query: string) =>
      api(`${analytics.base}/kpis/volumes?by=channel${query}`, { headers: { 'x-tenant-id': 'bank-tz' } });
    const rows = async (query: string) => ((await (await volumes(query)).json()) as { rows: unknown[] }).rows;
    await eventually('the case projected', async () => ((await rows('&period=day')).length === 1 ? true : undefined));
    expect(await rows('&period=day')).toEqual([{ period: '2026-10-05', channel: 'hotline', complaints: 1 }]);
    expect(await rows('&period=day&timeZone=UTC')).toEqual([
      { period: '2026-10-04', channel: 'hotline', complaints: 1 },
    ]);
    expect(await rows('&timeZone=America/New_York&period=week')).toEqual([
      { period: '2026-09-28', channel: 'hotline', complaints: 1 },
    ]);
    const refused = await volumes('&period=day&timeZone=Mars/Olympus_Mons');
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('timeZone');
  });

  it('refuses an unknown dimension', async () => {
    expect((await api(`${analytics.base}/kpis/volumes?by=colour`, inTenant)).status).toBe(400);
  });
});
