import { randomUUID } from 'node:crypto';
import { Topics } from '@complaints/contracts';
import { newId, openDatabase, type Database } from '@complaints/eventstore';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { eventually } from '../../../../../test/support/database';
import { complaintReceivedData, receivedEnvelope } from '../../../../../test/fixtures/events';
import { caseEvents, t } from '../../../../../test/fixtures/case-events';
import { startInProcess, type InProcessService } from '../../../../../test/support/in-process';
import { analyticsService } from '../../analytics.module';
import { api } from '../../../../../test/support/auth';

/** The tenant of the events these tests project: reads are made in it. */
const inTenant = { headers: { 'x-tenant-id': 'test' } };

const CASES = 30;

describe('searching and exporting cases', () => {
  let analytics: InProcessService;
  let bus: Database;
  const get = async (query: string) => {
    const response = await api(`${analytics.base}/audit/cases${query}`, inTenant);
    return {
      status: response.status,
      link: response.headers.get('link'),
      body: (await response.json()) as { cases: { complaintId: string; customerId?: string }[]; next: string | null },
    };
  };

  beforeAll(async () => {
    analytics = await startInProcess(analyticsService);
    bus = await openDatabase({ url: analytics.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
    const messages = Array.from({ length: CASES }, (_, i) => {
      const id = newId();
      const data = complaintReceivedData(id, {
        reference: `CMP-2026-${String(i).padStart(6, '0')}`,
        channel: i % 5 === 0 ? 'regulator' : 'hotline',
        complainant: { name: 'N', customerId: `C-${i % 3}`, contact: { phone: '1' } },
        receivedAt: new Date(Date.UTC(2026, 9, 1 + i)).toISOString(),
      });
      const received = { ...receivedEnvelope(id), data };
      const routed = {
        ...received,
        id: randomUUID(),
        type: 'complaint.routed.v1',
        source: '/complaints/routing',
        data: {
          complaintId: id,
          reference: data.reference,
          department: i % 2 ? 'cards' : 'metering',
          queue: 'q',
          category: i % 2 ? 'card-fees' : 'metering',
          priority: 'normal',
          ruleId: null,
          matchedKeywords: [],
          routedAt: data.receivedAt,
        },
      };
      return [
        { topic: Topics.intake, key: id, value: JSON.stringify(received), headers: {} },
        { topic: Topics.routing, key: id, value: JSON.stringify(routed), headers: {} },
      ];
    }).flat();
    await new PostgresTransport(bus).publish(messages);
    await eventually('every case projected', async () =>
      (await get('?limit=500')).body.cases.length === CASES &&
      (await get('?department=cards&limit=500')).body.cases.length === 15
        ? true
        : undefined,
    );
  });
  afterAll(async () => {
    await bus?.close();
    await analytics?.close();
  });

  it('filters by customer, referral, department and receipt date', async () => {
    expect((await get('?customerId=C-1&limit=500')).body.cases).toHaveLength(10);
    expect((await get('?regulatorReferral=true&limit=500')).body.cases).toHaveLength(6);
    expect((await get('?department=metering&category=metering&limit=500')).body.cases).toHaveLength(15);
    expect(
      (await get(`?receivedFrom=2026-10-11T00:00:00Z&receivedTo=2026-10-21T00:00:00Z&limit=500`)).body.cases,
    ).toHaveLength(10);
    expect((await get('?reference=CMP-2026-000007')).body.cases.map((c) => c.customerId)).toEqual(['C-1']);
  });

  it('pages through results with an opaque cursor, each case once', async () => {
    const seen: string[] = [];
    let cursor = '';
    for (;;) {
      const { body } = await get(`?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...body.cases.map((c) => c.complaintId));
      if (!body.next) break;
      expect(body.cases.map((c) => c.complaintId)).not.toContain(body.next); // opaque, not an id
      cursor = body.next;
    }
    expect(seen).toHaveLength(CASES);
    expect(new Set(seen).size).toBe(CASES);
  });

  it('links the next page (RFC 8288), keeping the filters, and none from the last page', async () => {
    const seen: string[] = [];
    let url = `${analytics.base}/audit/cases?department=cards&limit=4`;
    for (let pages = 0; pages < 10; pages++) {
      const response = await api(url, inTenant);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { cases: { complaintId: string }[]; next: string | null };
      seen.push(...body.cases.map((c) => c.complaintId));
      const link = response.headers.get('link');
      if (!body.next) {
        expect(link).toBeNull();
        break;
      }
      const target = /^<([^>]+)>; rel="next"$/.exec(link ?? '')?.[1];
      expect(target).toBeDefined();
      const next = new URL(target!, analytics.base);
      expect(Object.fromEntries(next.searchParams)).toEqual({ department: 'cards', limit: '4', cursor: body.next });
      url = next.toString();
    }
    expect(new Set(seen).size).toBe(15);
  });

  it.each(['/cases/{id}/history', '/audit/cases/{id}/history'])(
    'pages a case history (%s) the same way: limit, cursor, next and Link',
    async (template) => {
      const id = (await get('?limit=1')).body.cases[0]!.complaintId;
      const path = template.replace('{id}', id);
      const whole = (await (await api(`${analytics.base}${path}`, inTenant)).json()) as {
        events: { eventId: string }[];
      };
      expect(whole.events.length).toBeGreaterThan(1);
      const seen: string[] = [];
      let url = `${analytics.base}${path}?limit=1`;
      for (let pages = 0; pages < 20; pages++) {
        const response = await api(url, inTenant);
        const body = (await response.json()) as { events: { eventId: string }[]; next: string | null };
        expect(body.events).toHaveLength(1);
        seen.push(...body.events.map((e) => e.eventId));
        if (!body.next) break;
        const link = /^<([^>]+)>; rel="next"$/.exec(response.headers.get('link') ?? '')?.[1];
        expect(new URL(link!, analytics.base).searchParams.get('cursor')).toBe(body.next);
        url = new URL(link!, analytics.base).toString();
      }
      expect(seen).toEqual(whole.events.map((e) => e.eventId));
    },
  );

  it('refuses a cursor it did not make, naming it', async () => {
    const refused = await api(`${analytics.base}/audit/cases?cursor=not-a-cursor`, inTenant);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/cursor/);
  });

  it('exports any search as NDJSON or CSV', async () => {
    const ndjson = await (await api(`${analytics.base}/audit/cases/export?format=ndjson`, inTenant)).text();
    expect(
      ndjson
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { complaintId: string }).complaintId),
    ).toHaveLength(CASES);
    const csv = await api(`${analytics.base}/audit/cases/export?format=csv&customerId=C-2`, inTenant);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'complaintId,reference,tenant,status,channel,customerId,department,category,priority,receivedAt,acknowledgedAt,resolvedAt,closedAt,escalationLevel,satisfactionScore',
    );
    expect(lines).toHaveLength(1 + 10);
  });

  it('refuses malformed filters with 400 naming them', async () => {
    expect((await get('?limit=9999')).status).toBe(400);
    const bad = await api(`${analytics.base}/audit/cases?receivedFrom=someday`, inTenant);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toMatch(/receivedFrom must be an ISO 8601 date/);
  });

  // Last: it adds a case the counts above do not expect.
  it('finds a case rerouted out of triage by the category the reroute gave it, no longer as unclassified', async () => {
    const events = caseEvents({
      tenant: 'test',
      policy: 'cn',
      customerId: 'C-triage',
      channel: 'hotline',
      category: 'unclassified',
      department: 'triage',
      received: t('11-02 10:00'),
      steps: [
        [
          'reassigned',
          t('11-02 11:00'),
          { fromDepartment: 'triage', department: 'cards', category: 'card-fees', priority: 'high' },
        ],
      ],
    });
    const complaintId = (JSON.parse(events[0]!.value) as { subject: string }).subject;
    await new PostgresTransport(bus).publish(events);
    const found = await eventually('the reroute projected', async () => {
      const { body } = await get('?category=card-fees&department=cards&limit=500');
      return body.cases.find((c) => c.complaintId === complaintId);
    });
    expect(found).toMatchObject({ category: 'card-fees', priority: 'high' });
    const unclassified = (await get('?category=unclassified&limit=500')).body.cases;
    expect(unclassified.map((c) => c.complaintId)).not.toContain(complaintId);
  });
});
