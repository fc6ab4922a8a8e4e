/**
 * Personal data protected and erasable: the four services as processes over real Kafka and
 * PostgreSQL. Two complainants file complaints and agents work their cases, writing about them;
 * their personal data — what they filed and what agents wrote — is ciphertext in every event store,
 * topic and table; one is erased (crypto-shredding), after which no API, projection, export or
 * table shows anything of theirs, the other still reads, and every audit chain still verifies.
 */
import { createHash } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { prefixed, Topics } from '@complaints/contracts';
import { createTestDatabase, eventually, requireEnv, uniqueSuffix, type TestDatabase } from '../support/database';
import { freePort, startService, waitUntilReady, type RunningProcess } from '../support/processes';
import { api } from '../support/auth';

const SERVICES = ['intake', 'routing', 'resolution', 'analytics'] as const;
type Service = (typeof SERVICES)[number];

/** A complainant whose every personal value carries a marker no other data contains. */
function person(label: string) {
  const marker = `${label}${uniqueSuffix()}`;
  return {
    marker,
    name: `Erin ${marker}`,
    phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`,
    email: `${marker}@example.org`,
    customerId: `CUST-${marker}`,
    description: `The annual fee on my credit card was charged twice, reference ${marker}`,
    demand: `Refund the second fee ${marker}`,
  };
}
type Person = ReturnType<typeof person>;
const personalValues = (p: Person) => [p.marker, p.phone];

describe('erasing a complainant', () => {
  let testDb: TestDatabase;
  const ports = Object.fromEntries(SERVICES.map((s) => [s, freePort()])) as Record<Service, number>;
  const url = (s: Service) => `http://127.0.0.1:${ports[s]}`;
  const running: RunningProcess[] = [];
  const topicPrefix = `erasure${uniqueSuffix()}`;
  const erased = person('gone');
  const kept = person('kept');
  const complaints = new Map<Person, string[]>([
    [erased, []],
    [kept, []],
  ]);

  /** Every HTTP call of this suite goes through here (authentication adds its token in one place). */
  const call = (service: Service, path: string, init: RequestInit = {}) =>
    api(`${url(service)}${path}`, {
      ...init,
      headers: {
        ...(typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}),
        'x-actor-id': 'officer-1',
        'x-actor-role': 'complaints-officer',
        ...(init.headers ?? {}),
      },
    });
  const text = async (service: Service, path: string) => {
    const response = await call(service, path);
    expect(`${path} ${response.status}`).toBe(`${path} 200`);
    return response.text();
  };
  const json = async <T>(service: Service, path: string) => JSON.parse(await text(service, path)) as T;

  /** The evidence the erased complainant attaches to their second complaint: it names them. */
  const evidence = Buffer.from(`Statement of ${erased.name}, phone ${erased.phone}`);
  const evidenceSha = createHash('sha256').update(evidence).digest('hex');

  /** The first complaint as JSON; the second through the web form, with evidence. */
  const file = async (p: Person, index: number) => {
    const complaint = JSON.stringify({
      channel: 'web',
      complainant: { name: p.name, customerId: p.customerId, contact: { phone: p.phone, email: p.email } },
      description: `${p.description} (${index})`,
      demands: [p.demand],
      target: { kind: 'product', name: 'Platinum credit card' },
      occurredAt: '2026-11-01T10:00:00+08:00',
      language: 'en',
    });
    const form = new FormData();
    form.append('complaint', complaint);
    form.append('attachments', new Blob([evidence], { type: 'text/plain' }), `${p.marker}.txt`);
    const response =
      index === 1
        ? await call('intake', '/complaints', {
            method: 'POST',
            headers: { 'idempotency-key': uniqueSuffix() },
            body: complaint,
          })
        : await call('intake', '/channels/form', { method: 'POST', body: form });
    expect(response.status).toBe(201);
    complaints.get(p)!.push(((await response.json()) as { complaintId: string }).complaintId);
  };

  /** A step on a case, as the complaints officer; it must be accepted. */
  const step = async (complaintId: string, path: string, body: unknown = {}) => {
    const response = await call('resolution', `/cases/${complaintId}/${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    const answer = await response.text();
    expect(`${path} ${response.status} ${answer}`).toMatch(new RegExp(`^${path} 200 `));
    return JSON.parse(answer) as Record<string, unknown>;
  };

  /** What the officer writes about the customer, each time naming them; the closure's root cause and action do not. */
  const ROOT_CAUSE = 'Annual fee batch job charged twice';
  const IMPROVEMENT = 'Batch job skips cards already charged';
  const freeText = (p: Person) => ({
    acknowledged: `Called ${p.name} and told them the time limit`,
    findings: `${p.marker}: the fee was charged twice`,
    evidence: `Card statement of ${p.marker}`,
    cause: `Batch job charged ${p.marker} twice`,
    validity: `${p.marker} was charged twice`,
    waiting: `${p.marker} sends the card statement`,
    extension: `${p.marker} is abroad until next month`,
    toldCustomer: `Dear ${p.name}, we need two more weeks`,
    extensionComment: `No extension for ${p.marker}`,
    refund: `Refund the second fee to ${p.marker}`,
    apology: `Letter of apology to ${p.name}`,
    rejected: `${p.marker} wants the refund and the apology`,
    escalated: `${p.marker} called the regulator`,
    executed: `Refunded CNY 200 to ${p.marker}`,
    letter: `Letter to ${p.name} with the refund`,
    satisfaction: `${p.marker} is satisfied`,
  });

  /** The case worked from first contact to closure, with free text at every step that takes some. */
  async function workToClosure(p: Person, complaintId: string) {
    const t = freeText(p);
    await step(complaintId, 'acknowledge', { channel: 'phone', summary: t.acknowledged });
    await step(complaintId, 'investigation', { findings: t.findings, evidenceRefs: [t.evidence] });
    await step(complaintId, 'accountability', { cause: t.cause, responsibleDepartment: 'cards' });
    await step(complaintId, 'validity', { valid: true, reason: t.validity });
    await step(complaintId, 'wait', { reason: t.waiting });
    await step(complaintId, 'resume');
    const extension = { clock: 'regulatory', reason: t.extension, customerExplanation: t.toldCustomer };
    // NFRA's 30 days for a complex case need no approval; its further 30 days wait for a supervisor.
    await step(complaintId, 'extensions', extension);
    const { pendingExtension } = await step(complaintId, 'extensions', extension);
    const { extensionId } = pendingExtension as { extensionId: string };
    // A supervisor refuses it, with a comment (free text as well).
    await step(complaintId, `extensions/${extensionId}/reject`, { comment: t.extensionComment });
    const options = [
      { kind: 'refund', description: t.refund, amount: 200, currency: 'CNY' },
      { kind: 'apology', description: t.apology },
    ];
    await step(complaintId, 'proposals', { options });
    await step(complaintId, 'customer-decision', { decision: 'reject', reason: t.rejected });
    await step(complaintId, 'escalate', { reason: t.escalated });
    await step(complaintId, 'proposals', { options });
    await step(complaintId, 'customer-decision', { decision: 'accept', optionId: 'option-1' });
    await step(complaintId, 'execute', { summary: t.executed });
    await step(complaintId, 'notifications', { channel: 'letter', purpose: 'result', summary: t.letter });
    await step(complaintId, 'satisfaction', { score: 4, comment: t.satisfaction });
    await step(complaintId, 'close', { rootCause: ROOT_CAUSE, improvementAction: IMPROVEMENT });
  }

  /** Waits until analytics holds the case's event of that type. */
  const projected = (complaintId: string, type: string) =>
    eventually(`${type} of ${complaintId} projected`, async () => {
      const history = await json<{ events: { type: string }[] }>('analytics', `/cases/${complaintId}/history`);
      return history.events.some((e) => e.type === type) ? true : undefined;
    });

  /** How many events intake, routing and resolution have stored. */
  async function storedEventCount(): Promise<number> {
    const client = new Client({ connectionString: testDb.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM intake.events) + (SELECT count(*) FROM routing.events)
              + (SELECT count(*) FROM resolution.events) AS n`,
      );
      return Number(rows[0]!.n);
    } finally {
      await client.end();
    }
  }

  /** Resolution's stored events of a case, as the table holds them. */
  async function storedCaseEvents(complaintId: string) {
    const client = new Client({ connectionString: testDb.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ type: string; data: Record<string, unknown> }>(
        'SELECT type, data FROM resolution.events WHERE stream_id = $1 ORDER BY stream_version',
        [`case-${complaintId}`],
      );
      return rows;
    } finally {
      await client.end();
    }
  }

  const opened = (complaintId: string) =>
    eventually(`case ${complaintId} opened in analytics`, async () => {
      const response = await call('analytics', `/cases/${complaintId}`);
      if (!response.ok) return undefined;
      const summary = (await response.json()) as { status: string };
      return summary.status === 'open' ? summary : undefined;
    });

  /** Every row of every table in every schema of the platform's database, as text. */
  async function everyTable(): Promise<Map<string, string>> {
    const client = new Client({ connectionString: testDb.url });
    await client.connect();
    try {
      const { rows: tables } = await client.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
      );
      const contents = new Map<string, string>();
      for (const { schema, name } of tables) {
        const { rows } = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${name}" t`);
        contents.set(`${schema}.${name}`, rows.map((r) => r.row).join('\n'));
      }
      return contents;
    } finally {
      await client.end();
    }
  }

  /** Every message on the platform's topics, as the broker keeps it. */
  async function everyMessage(expected: number): Promise<string[]> {
    const kafka = new Kafka({ brokers: requireEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `${topicPrefix}-inspector-${uniqueSuffix()}` });
    const seen: string[] = [];
    await consumer.connect();
    try {
      const topics = [Topics.intake, Topics.routing, Topics.resolution].map((t) => prefixed(topicPrefix, t));
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value?.toString() ?? '') });
      return await eventually(`${expected} messages on the topics`, async () =>
        seen.length >= expected ? seen : undefined,
      );
    } finally {
      await consumer.disconnect();
    }
  }

  const expectNothingOf = (p: Person, where: string, content: string) => {
    for (const value of personalValues(p)) expect(`${where}: ${content.includes(value)}`).toBe(`${where}: false`);
  };

  beforeAll(async () => {
    testDb = await createTestDatabase('e2e_erasure');
    const env = {
      ...process.env,
      DATABASE_URL: testDb.url,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      PII_MASTER_KEY: requireEnv('PII_MASTER_KEY'),
      TOPIC_PREFIX: topicPrefix,
      AUDIT_CHECKPOINT_INTERVAL_MS: '0',
      // NFRA's regulatory clock may be extended (15 → 30 days): the worked case asks for it.
      SLA_TENANT_REGIMES: 'default=CN-NFRA',
    };
    for (const service of SERVICES) {
      const child = startService(service, { ...env, PORT: String(ports[service]) });
      running.push(child);
      await waitUntilReady(child, url(service));
    }
    await file(erased, 1);
    await file(erased, 2);
    await file(kept, 1);
    for (const id of [...complaints.values()].flat()) await opened(id);
    const [first] = complaints.get(erased)!;
    const [theirs] = complaints.get(kept)!;
    await workToClosure(erased, first!);
    await step(theirs!, 'acknowledge', { channel: 'phone', summary: freeText(kept).acknowledged });
    await step(theirs!, 'investigation', { findings: freeText(kept).findings, evidenceRefs: [] });
    await projected(first!, 'case.closed.v1');
    await projected(theirs!, 'case.investigation-recorded.v1');
  }, 240_000);

  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await testDb?.drop();
  }, 60_000);

  it('keeps personal data only as ciphertext in every event store, table and topic, and reveals it to reads', async () => {
    for (const [table, content] of await everyTable()) {
      // The one plain copy, by design: the description intake matches duplicates on (emptied on erasure).
      if (table === 'intake.complaint_index') continue;
      expectNothingOf(erased, table, content);
      expectNothingOf(kept, table, content);
    }
    // Every stored event of the three event stores is published once (received, routed, opened,
    // possible duplicate links, and every step of the worked cases): wait until all have been read.
    const messages = (await everyMessage(await storedEventCount())).join('\n');
    expectNothingOf(erased, 'the topics', messages);
    expectNothingOf(kept, 'the topics', messages);

    const [first] = complaints.get(erased)!;
    const complaint = await json<{ complainant: Record<string, unknown>; description: string; demands: string[] }>(
      'intake',
      `/complaints/${first}`,
    );
    expect(complaint.complainant).toMatchObject({
      name: erased.name,
      customerId: erased.customerId,
      subjectId: expect.stringMatching(/^ds-[0-9a-f]{32}$/),
      contact: { phone: erased.phone, email: erased.email },
    });
    expect(complaint.description).toBe(`${erased.description} (1)`);
    expect(await text('analytics', `/audit/cases/${first}/history`)).toContain(erased.name);
    const [, second] = complaints.get(erased)!;
    expect(await json<{ attachments: unknown[] }>('intake', `/complaints/${second}`)).toMatchObject({
      attachments: [{ filename: `${erased.marker}.txt`, sha256: evidenceSha }],
    });
    expect(await text('intake', `/attachments/${evidenceSha}`)).toBe(evidence.toString());
  });

  it('stores what agents write about a complainant only as ciphertext, and reveals it to reads', async () => {
    const [first] = complaints.get(erased)!;
    const t = freeText(erased);
    const stored = await storedCaseEvents(first!);
    const data = (type: string) => stored.find((e) => e.type === type)!.data;
    const sealed = expect.stringMatching(/^pii:v1:/);
    expect(data('CaseOpened')).toMatchObject({ subjectId: expect.stringMatching(/^ds-[0-9a-f]{32}$/) });
    expect(data('CaseAcknowledged')).toMatchObject({ channel: 'phone', summary: sealed });
    expect(data('InvestigationRecorded')).toMatchObject({ findings: sealed, evidenceRefs: [sealed] });
    expect(data('AccountabilityAssigned')).toMatchObject({ cause: sealed, responsibleDepartment: 'cards' });
    expect(data('ValidityJudged')).toMatchObject({ valid: true, reason: sealed });
    expect(data('WaitingOnCustomerStarted')).toMatchObject({ reason: sealed });
    expect(data('ExtensionRequested')).toMatchObject({
      clock: 'regulatory',
      reason: sealed,
      customerExplanation: sealed,
    });
    // The policy grants NFRA's first extension itself (its comment names the policy, no person);
    // the supervisor refuses the further one, with a comment sealed like the rest.
    expect(stored.filter((e) => e.type === 'ExtensionDecided').map((e) => e.data)).toMatchObject([
      { approved: true, decidedBy: { role: 'system' }, comment: expect.stringMatching(/^Policy cn-nfra/) },
      { approved: false, comment: sealed },
    ]);
    expect(data('ResolutionProposed')).toMatchObject({
      options: [
        { kind: 'refund', amount: 200, currency: 'CNY', description: sealed },
        { kind: 'apology', description: sealed },
      ],
    });
    expect(data('CustomerRejectedOptions')).toMatchObject({ reason: sealed });
    expect(stored.filter((e) => e.type === 'CaseEscalated').map((e) => e.data.reason)).toEqual([
      'Customer rejected every option',
      sealed,
    ]);
    expect(data('ResolutionExecuted')).toMatchObject({ kind: 'refund', amount: 200, summary: sealed });
    expect(data('CustomerNotified')).toMatchObject({ channel: 'letter', purpose: 'result', summary: sealed });
    expect(data('SatisfactionRecorded')).toMatchObject({ score: 4, comment: sealed });
    expect(data('CaseClosed')).toMatchObject({ rootCause: ROOT_CAUSE, improvementAction: IMPROVEMENT });
    expectNothingOf(erased, 'resolution.events', JSON.stringify(stored));

    expect(await json('resolution', `/cases/${first}`)).toMatchObject({
      status: 'closed',
      findings: [t.findings],
      accountability: { cause: t.cause },
      validity: { valid: true, reason: t.validity },
      executed: { summary: t.executed, amount: 200 },
      satisfaction: { score: 4, comment: t.satisfaction },
    });
    for (const path of [`/cases/${first}/history`, `/audit/cases/${first}/history`]) {
      const history = await text('analytics', path);
      for (const written of Object.values(t)) expect(history).toContain(JSON.stringify(written));
    }
    expect(await json('analytics', `/cases/${first}`)).toMatchObject({ validity: { reason: t.validity } });
    const now = encodeURIComponent(new Date().toISOString());
    expect(await json('analytics', `/audit/cases/${first}/state?at=${now}`)).toMatchObject({
      state: { validity: { reason: t.validity }, rootCause: ROOT_CAUSE },
    });
    const exported = (await text('analytics', '/audit/cases/export?format=ndjson')).trim().split('\n');
    expect(
      exported.map((line) => JSON.parse(line) as { complaintId: string }).find((c) => c.complaintId === first),
    ).toMatchObject({ validity: { valid: true, reason: t.validity }, rootCause: ROOT_CAUSE });
  });

  it('erases one complainant everywhere, keeps the other, and every audit chain still verifies', async () => {
    const [first, second] = complaints.get(erased)!;
    const { complainant } = await json<{ complainant: { subjectId: string } }>('intake', `/complaints/${first}`);
    const response = await call('intake', `/data-subjects/${complainant.subjectId}/erasure`, { method: 'POST' });
    expect(response.status).toBe(200);
    const erasure = (await response.json()) as { complaints: string[]; keysDestroyed: number };
    expect(erasure.complaints.sort()).toEqual([first, second].sort());
    expect(erasure.keysDestroyed).toBe(1);
    for (const id of [first!, second!]) {
      await eventually(`the erasure of ${id} projected`, async () => {
        const summary = await json<{ personalDataErasedAt?: string }>('analytics', `/cases/${id}`);
        return summary.personalDataErasedAt;
      });
    }

    // Written about them after the erasure: unreadable from the start.
    const afterwards = await step(second!, 'investigation', { findings: freeText(erased).findings, evidenceRefs: [] });
    expect(afterwards.findings).toEqual(['[erased]']);

    const now = new Date().toISOString();
    const customer = encodeURIComponent(complainant.subjectId);
    const reads: [Service, string][] = [
      ['analytics', `/audit/cases?customerId=${customer}`],
      ['analytics', '/audit/cases?limit=100'],
      ['analytics', '/audit/cases/export?format=ndjson'],
      ['analytics', '/audit/cases/export?format=csv'],
      ['analytics', '/kpis/volumes?by=channel&period=day'],
      ['analytics', '/kpis/root-causes'],
      ['analytics', '/kpis/outcomes'],
      ['analytics', '/kpis/repeat-complainants?minComplaints=2'],
      ['analytics', '/kpis/repeat-complainants?minComplaints=2&format=csv'],
      ['analytics', '/reports/fca'],
      ...[first!, second!].flatMap((id): [Service, string][] => [
        ['intake', `/complaints/${id}`],
        ['resolution', `/cases/${id}`],
        ['analytics', `/cases/${id}`],
        ['analytics', `/cases/${id}/history`],
        ['analytics', `/audit/cases/${id}/history`],
        ['analytics', `/audit/cases/${id}/state?at=${encodeURIComponent(now)}`],
      ]),
    ];
    for (const [service, path] of reads) expectNothingOf(erased, `${service} ${path}`, await text(service, path));

    const gone = await json<{ complainant: Record<string, unknown>; description: string; erasedAt?: string }>(
      'intake',
      `/complaints/${first}`,
    );
    expect(gone.complainant).toMatchObject({
      name: '[erased]',
      customerId: '[erased]',
      subjectId: complainant.subjectId,
      contact: { phone: '[erased]', email: '[erased]' },
    });
    expect(gone).toMatchObject({ description: '[erased]', erasedAt: expect.any(String) });
    expect(await json<{ attachments: unknown[] }>('intake', `/complaints/${second}`)).toMatchObject({
      attachments: [{ filename: '[erased]', sha256: evidenceSha }],
    });
    expect((await call('intake', `/attachments/${evidenceSha}`)).status).toBe(404);
    const history = await json<{ events: { type: string; data: { complainant?: { name: string } } }[] }>(
      'analytics',
      `/audit/cases/${first}/history`,
    );
    expect(history.events.map((e) => e.type)).toContain('complainant.erased.v1');
    expect(history.events.find((e) => e.type === 'complaint.received.v1')?.data.complainant?.name).toBe('[erased]');
    const search = await json<{ cases: { complaintId: string; customerId?: string }[] }>(
      'analytics',
      `/audit/cases?customerId=${customer}`,
    );
    expect(search.cases.map((c) => c.complaintId).sort()).toEqual([first, second].sort());

    // What agents wrote reads as erased in resolution and analytics; codes, amounts and the closure stay.
    expect(await json('resolution', `/cases/${first}`)).toMatchObject({
      status: 'closed',
      findings: ['[erased]'],
      accountability: { cause: '[erased]', responsibleDepartment: 'cards' },
      validity: { valid: true, reason: '[erased]' },
      executed: { summary: '[erased]', kind: 'refund', amount: 200 },
      satisfaction: { score: 4, comment: '[erased]' },
    });
    const resolved = history.events.find((e) => e.type === 'case.resolved.v1')?.data;
    expect(resolved).toMatchObject({ summary: '[erased]', amount: 200, currency: 'CNY' });
    expect(await json('analytics', `/cases/${first}`)).toMatchObject({
      validity: { valid: true, reason: '[erased]' },
      rootCause: ROOT_CAUSE,
    });
    const exported = (await text('analytics', '/audit/cases/export?format=ndjson')).trim().split('\n');
    expect(
      exported.map((line) => JSON.parse(line) as { complaintId: string }).find((c) => c.complaintId === first),
    ).toMatchObject({ validity: { valid: true, reason: '[erased]' } });
    // The KPIs never needed the text: the root causes and the satisfaction score still count the case.
    expect(await json('analytics', '/kpis/root-causes')).toMatchObject({
      rows: [{ rootCause: ROOT_CAUSE, cases: 1, improvementActions: [IMPROVEMENT] }],
    });
    const stored = await storedCaseEvents(first!);
    expectNothingOf(erased, 'resolution.events after erasure', JSON.stringify(stored));

    for (const [table, content] of await everyTable()) expectNothingOf(erased, table, content);

    // The other complainant still reads in full.
    const [theirs] = complaints.get(kept)!;
    const other = await json<{ complainant: { name: string }; description: string }>('intake', `/complaints/${theirs}`);
    expect(other.complainant.name).toBe(kept.name);
    expect(other.description).toBe(`${kept.description} (1)`);
    expect(await text('analytics', `/audit/cases/${theirs}/history`)).toContain(kept.demand);
    expect(await json('resolution', `/cases/${theirs}`)).toMatchObject({ findings: [freeText(kept).findings] });
    expect(await text('analytics', `/cases/${theirs}/history`)).toContain(freeText(kept).findings);

    for (const service of ['intake', 'routing', 'resolution'] as const) {
      for (const id of [first!, second!, theirs!]) {
        const verdict = await json<{ verified: boolean; streams: string[]; findings: unknown[] }>(
          service,
          `/audit/cases/${id}/verify`,
        );
        expect({ service, id, ...verdict }).toMatchObject({ verified: true, findings: [] });
        expect(verdict.streams.length).toBeGreaterThan(0);
      }
    }
  }, 180_000);

  it('answers an erasure request for a malformed or unknown subject with a 4xx that names it, changing nothing', async () => {
    const before = await everyTable();
    const malformed = await call('intake', '/data-subjects/not-a-subject/erasure', { method: 'POST' });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toContain('subjectId');
    const unknown = await call('intake', `/data-subjects/ds-${'0'.repeat(32)}/erasure`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    const after = await everyTable();
    for (const table of ['intake.events', 'intake.complaint_index', 'privacy.data_keys']) {
      expect(after.get(table)).toBe(before.get(table));
    }
  });
});
