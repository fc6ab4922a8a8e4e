import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Topics, type Envelope } from '@complaints/contracts';
import { openDatabase, type Database } from '@complaints/eventstore';
import { KEY_VAULT } from '@complaints/kit';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { ERASED, type KeyVault } from '@complaints/privacy';
import { eventually } from '../../../../../test/support/database';
import { complaintReceivedData } from '../../../../../test/fixtures/events';
import { startInProcess, type InProcessService } from '../../../../../test/support/in-process';
import { analyticsService } from '../../analytics.module';
import { api } from '../../../../../test/support/auth';
import { evolveSummary, type CaseSummary } from '../../domain/case-summary';

/** The tenant of the events these tests project: reads are made in it. */
const inTenant = { headers: { 'x-tenant-id': 'bank-a' } };

const caseId = randomUUID();
const T = (minute: number) => new Date(Date.UTC(2026, 10, 2, 9, minute)).toISOString();
const envelope = (
  type: string,
  topic: string,
  minute: number,
  version: number,
  data: Record<string, unknown>,
): { topic: string; envelope: Envelope } => ({
  topic,
  envelope: {
    specversion: '1.0',
    id: randomUUID(),
    source: `/complaints/${topic.split('.')[1]}`,
    type,
    subject: caseId,
    time: T(minute),
    datacontenttype: 'application/json',
    streamVersion: version,
    correlationId: 'corr-audit',
    causationId: null,
    actor: { id: 'someone', role: 'agent' },
    tenant: 'bank-a',
    data,
  },
});
const c = (data: Record<string, unknown>) => ({ caseId, ...data });

/** A case's known history: what happened at which minute past 09:00 on 2 November 2026. */
const HISTORY = [
  envelope(
    'complaint.received.v1',
    Topics.intake,
    0,
    1,
    complaintReceivedData(caseId, { receivedAt: T(0), reference: 'CMP-2026-000777' }),
  ),
  envelope('complaint.routed.v1', Topics.routing, 1, 1, {
    complaintId: caseId,
    reference: 'CMP-2026-000777',
    department: 'cards',
    queue: 'bank-cards',
    category: 'card-fees',
    priority: 'normal',
    ruleId: 'bank-card-fees',
    matchedKeywords: ['年费'],
    assignment: { strategy: 'round-robin', agentId: 'card-01', reason: 'next in turn' },
    routedAt: T(1),
  }),
  envelope(
    'case.opened.v1',
    Topics.resolution,
    2,
    1,
    c({
      complaintId: caseId,
      reference: 'CMP-2026-000777',
      department: 'cards',
      queue: 'bank-cards',
      category: 'card-fees',
      priority: 'normal',
      openedAt: T(2),
      acknowledgeBy: T(600),
      resolveBy: T(9000),
      slaPolicy: 'default',
    }),
  ),
  envelope(
    'case.acknowledged.v1',
    Topics.resolution,
    10,
    2,
    c({ acknowledgedAt: T(10), channel: 'phone', summary: 'Called' }),
  ),
  envelope('case.validity-judged.v1', Topics.resolution, 20, 3, c({ judgedAt: T(20), valid: true })),
  envelope(
    'case.resolution-proposed.v1',
    Topics.resolution,
    30,
    4,
    c({
      proposedAt: T(30),
      proposalId: 'p1',
      options: [{ optionId: 'option-1', kind: 'refund', description: 'Refund', amount: 300, currency: 'CNY' }],
      proposedBy: { id: 'agent-7', role: 'agent' },
      approvalRequiredFrom: null,
    }),
  ),
  envelope(
    'case.reassigned.v1',
    Topics.resolution,
    35,
    5,
    c({
      reassignedAt: T(35),
      fromDepartment: 'cards',
      department: 'card-ops',
      agentId: 'ops-02',
      reason: 'Needs back office',
    }),
  ),
  envelope(
    'case.option-accepted.v1',
    Topics.resolution,
    40,
    6,
    c({ acceptedAt: T(40), proposalId: 'p1', optionId: 'option-1' }),
  ),
  envelope(
    'case.resolved.v1',
    Topics.resolution,
    50,
    7,
    c({ resolvedAt: T(50), summary: 'Refunded', optionId: 'option-1', kind: 'refund', amount: 300 }),
  ),
  envelope(
    'case.closed.v1',
    Topics.resolution,
    59,
    8,
    c({ closedAt: T(59), rootCause: 'Waiver not applied', improvementAction: 'Fix batch' }),
  ),
];

describe('the audit view of a case', () => {
  let analytics: InProcessService;
  let bus: Database;
  const stateAt = async (at: string) => {
    const response = await api(`${analytics.base}/audit/cases/${caseId}/state?at=${encodeURIComponent(at)}`, inTenant);
    return {
      status: response.status,
      body: (await response.json()) as { state: Record<string, unknown>; eventsApplied: number },
    };
  };

  beforeAll(async () => {
    analytics = await startInProcess(analyticsService);
    bus = await openDatabase({ url: analytics.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
    // Published out of order across topics, as independent topics may deliver them.
    const order = [2, 0, 3, 1, 4, 5, 7, 6, 8, 9];
    await new PostgresTransport(bus).publish(
      order
        .map((i) => HISTORY[i]!)
        .map(({ topic, envelope: e }) => ({ topic, key: caseId, value: JSON.stringify(e), headers: {} })),
    );
    await eventually('the whole history', async () => {
      const response = await api(`${analytics.base}/audit/cases/${caseId}/history`, inTenant);
      return response.ok && ((await response.json()) as { events: unknown[] }).events.length === HISTORY.length
        ? true
        : undefined;
    });
  });
  afterAll(async () => {
    await bus?.close();
    await analytics?.close();
  });

  it('lists every event in the order it happened, with actor, source, correlation and causation', async () => {
    const { events } = (await (await api(`${analytics.base}/audit/cases/${caseId}/history`, inTenant)).json()) as {
      events: { type: string; source: string; actor: unknown; correlationId: string; causationId: null }[];
    };
    expect(events.map((e) => e.type)).toEqual(HISTORY.map((h) => h.envelope.type));
    expect(events[0]).toMatchObject({
      source: '/complaints/intake',
      actor: { id: 'someone', role: 'agent' },
      correlationId: 'corr-audit',
      causationId: null,
    });
  });

  it.each<[string, string, Record<string, unknown>]>([
    ['at receipt', T(0), { status: 'received', reference: 'CMP-2026-000777' }],
    ['after routing', T(1), { status: 'routed', department: 'cards', agentId: 'card-01' }],
    ['once opened', T(5), { status: 'open', resolveBy: T(9000) }],
    ['after first contact', T(15), { status: 'in-progress', acknowledgedAt: T(10) }],
    ['after the validity judgement', T(25), { status: 'in-progress', validity: { valid: true } }],
    [
      'with options offered',
      T(31),
      {
        status: 'awaiting-customer',
        offeredOptions: [{ optionId: 'option-1', kind: 'refund', amount: 300, currency: 'CNY' }],
      },
    ],
    ['after the reassignment', T(36), { status: 'awaiting-customer', department: 'card-ops', agentId: 'ops-02' }],
    ['after the customer chose', T(45), { status: 'accepted', acceptedOptionId: 'option-1' }],
    ['once resolved', T(55), { status: 'resolved', resolvedAt: T(50) }],
    ['once closed', T(60), { status: 'closed', closedAt: T(59) }],
  ])('shows the case as it stood %s', async (_when, at, expected) => {
    const { status, body } = await stateAt(at);
    expect(status).toBe(200);
    expect(body.state).toMatchObject(expected);
  });

  describe('byte for byte as the history was answered when pg parsed every instant into a Date', () => {
    const audited = randomUUID();
    /** Sealed text → what a reader must see: the plain text, or ERASED once the subject is erased. */
    const shown = new Map<string, string>();
    let owner: Client;

    /** The answer as the former read made it: pg's Dates formatted by toISOString, every sealed field replaced. */
    const formerHistory = async (until?: string) => {
      const { rows } = await owner.query<Record<string, unknown> & { occurred_at: Date; recorded_at: Date }>(
        `SELECT event_id, source, type, occurred_at, actor, correlation_id, causation_id, stream_version, tenant, data, recorded_at
           FROM ${analytics.config.schema}.case_history WHERE complaint_id = $1 AND tenant = 'bank-a'
            AND ($2::timestamptz IS NULL OR occurred_at <= $2) ORDER BY occurred_at, seq`,
        [audited, until ?? null],
      );
      return rows.map((row) => ({
        eventId: row.event_id as string,
        source: row.source as string,
        type: row.type as string,
        time: row.occurred_at.toISOString(),
        actor: row.actor,
        correlationId: row.correlation_id,
        causationId: row.causation_id,
        streamVersion: row.stream_version as number,
        tenant: row.tenant as string,
        data: row.data as Record<string, unknown>,
        recordedAt: row.recorded_at.toISOString(),
      }));
    };
    const revealed = (value: unknown) =>
      JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? (shown.get(v) ?? v) : v));

    beforeAll(async () => {
      const vault = analytics.app.get<KeyVault>(KEY_VAULT);
      const sealerOf = async (identity: string) => {
        const key = await vault.dataKeyFor('bank-a', vault.subjectId('bank-a', identity));
        await key.keep();
        return (plain: string, reads = plain) => {
          const sealed = key.seal(plain);
          shown.set(sealed, reads);
          return sealed;
        };
      };
      const live = await sealerOf('phone:13800000123');
      const gone = await sealerOf('phone:13800000999');
      const data = [
        {
          complaintId: audited,
          complainant: { name: live('王女士'), contact: { phone: live('13800000123') } },
          demands: [live('退还年费'), live('书面道歉')],
          channel: 'hotline',
        },
        { caseId: audited, summary: gone('Called Mr Zhao about his card', ERASED), channel: 'phone' },
        { caseId: audited, amount: 300.5, '10': 'ten', '2': 'two', note: 'line\nbreak "quoted" \\ 回访', empty: {} },
        { caseId: audited, summary: live('回访客户，说明退费进度'), valid: true, reason: null },
      ];
      owner = new Client({ connectionString: analytics.testDb.url });
      await owner.connect();
      await owner.query(
        `INSERT INTO ${analytics.config.schema}.case_history
           (event_id, complaint_id, tenant, source, type, occurred_at, actor, correlation_id, causation_id, stream_version, data)
         SELECT gen_random_uuid(), $1, tenant, '/complaints/resolution', 'case.note-added.v1', at, '{"id":"agent-7","role":"agent"}',
                'corr-bytes', CASE WHEN i > 1 THEN 'cause-' || i END, i, data
           FROM unnest($2::timestamptz[], $3::jsonb[], $4::text[]) WITH ORDINALITY AS e(at, data, tenant, i)`,
        [
          audited,
          // Zero milliseconds, microseconds to truncate, the last microsecond of a second; one row of another tenant.
          [
            '2026-11-22 10:00:00+00',
            '2026-11-22 18:00:00.040999+08',
            '2026-11-22 10:00:59.999999+00',
            '2026-11-22 10:01:00.5+00',
            '2026-11-22 10:00:30+00',
          ],
          [...data, data[0]].map((d) => JSON.stringify(d)),
          ['bank-a', 'bank-a', 'bank-a', 'bank-a', 'bank-b'],
        ],
      );
      await owner.query(
        `UPDATE ${analytics.config.schema}.case_history SET type = 'complaint.received.v1' WHERE complaint_id = $1 AND stream_version = 1`,
        [audited],
      );
      await vault.erase('bank-a', vault.subjectId('bank-a', 'phone:13800000999'));
    });
    afterAll(async () => {
      await owner?.end();
    });

    it('answers the history with the same bytes, sealed fields revealed or erased', async () => {
      const response = await api(`${analytics.base}/audit/cases/${audited}/history`, inTenant);
      const former = await formerHistory();
      expect(former.map((e) => e.time)).toEqual([
        '2026-11-22T10:00:00.000Z',
        '2026-11-22T10:00:00.040Z',
        '2026-11-22T10:00:59.999Z',
        '2026-11-22T10:01:00.500Z',
      ]);
      const body = await response.text();
      // One page holds the whole history: next is null.
      expect(body).toBe(revealed({ complaintId: audited, events: former, next: null }));
      expect(body).toContain('王女士');
      expect(body).toContain(ERASED);
    });

    it('answers the state at an instant with the same bytes', async () => {
      const at = '2026-11-22T10:01:00.000Z';
      const response = await api(`${analytics.base}/audit/cases/${audited}/state?at=${at}`, inTenant);
      const former = await formerHistory(at);
      const state = former.reduce<CaseSummary | undefined>(
        (summary, event) => evolveSummary(summary, { ...event, subject: audited }),
        undefined,
      );
      expect(former).toHaveLength(3);
      expect(await response.text()).toBe(
        revealed({ complaintId: audited, at, eventsApplied: 3, lastEventId: former.at(-1)!.eventId, state }),
      );
    });
  });

  it('knows nothing of the case before it was received, and refuses a malformed instant', async () => {
    expect((await stateAt(new Date(Date.UTC(2026, 10, 2, 8, 59)).toISOString())).status).toBe(404);
    expect((await stateAt('yesterday')).status).toBe(400);
  });
});
