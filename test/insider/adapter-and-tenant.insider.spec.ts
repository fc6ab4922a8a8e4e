/**
 * Attackers inside a tenant, against intake on a real PostgreSQL: a channel adapter reading back
 * what other adapters filed, an agent of another department downloading a case's evidence, and
 * a sender passing an executable off as a PDF (docs/security.md). Each test failed on 7614b2a.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Topics } from '@complaints/contracts';
import { openDatabase, type Database } from '@complaints/eventstore';
import { ApiKeys } from '@complaints/kit';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { intakeService } from '@complaints/intake';
import { complaintBody } from '../support/journey';
import { eventually } from '../support/database';
import { startInProcess, type InProcessService } from '../support/in-process';
import { as, type Who } from '../support/auth';

const pdf = readFileSync(join(__dirname, '../fixtures/channels/bill-2026-11.pdf'));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
/** The start of a Windows executable (PE): "MZ", the DOS stub, the PE header offset and signature. */
const executable = Buffer.concat([
  Buffer.from('4d5a90000300000004000000ffff0000b800000000000000400000000000000000000000', 'hex'),
  Buffer.alloc(28),
  Buffer.from([0x80, 0, 0, 0]),
  Buffer.alloc(64),
  Buffer.from('PE\0\0', 'latin1'),
  Buffer.alloc(400, 1),
]);

describe('a channel adapter, an agent of another department, a sender of disguised files', () => {
  let intake: InProcessService;
  let bus: Database;
  const request = async (path: string, who: Who, init: RequestInit = {}) =>
    fetch(`${intake.base}${path}`, { ...init, headers: { ...(await as(who)), ...(init.headers ?? {}) } });
  const file = async (who: Who | { apiKey: string }) => {
    const response = await fetch(`${intake.base}/complaints`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...('apiKey' in who ? { 'x-api-key': who.apiKey } : await as(who)),
      },
      body: JSON.stringify(complaintBody()),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { complaintId: string }).complaintId;
  };
  const formWith = (name: string, type: string, content: Buffer) => {
    const form = new FormData();
    form.append('complaint', JSON.stringify({ ...complaintBody(), channel: 'web' }));
    form.append('attachments', new Blob([content], { type }), name);
    return form;
  };

  beforeAll(async () => {
    intake = await startInProcess(intakeService);
    bus = await openDatabase({ url: intake.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
  });
  afterAll(async () => {
    await bus?.close();
    await intake?.close();
  });

  it('lets a channel adapter read back only the complaints it filed itself', async () => {
    const cti: Who = { role: 'channel', subject: 'cti-95598' };
    const branchApp: Who = { role: 'channel', subject: 'branch-app' };
    const own = await file(cti);
    const others = await file(branchApp);
    const keys = new ApiKeys(intake.db);
    const mailGateway = await keys.issue('default', 'mail-gateway', ['hotline']);
    const byKey = await file({ apiKey: mailGateway.key });

    expect((await request(`/complaints/${own}`, cti)).status).toBe(200);
    // Another adapter's complaint, personal data and all: as unknown to this adapter as one that does not exist.
    const stolen = await request(`/complaints/${others}`, cti);
    expect(stolen.status).toBe(404);
    expect(await stolen.text()).not.toMatch(/王女士|139\d{8}/);
    expect((await request(`/complaints/${byKey}`, cti)).status).toBe(404);
    const viaKey = (id: string) =>
      fetch(`${intake.base}/complaints/${id}`, { headers: { 'x-api-key': mailGateway.key } });
    expect((await viaKey(byKey)).status).toBe(200);
    expect((await viaKey(own)).status).toBe(404);
    // Staff roles read every complaint of their tenant, as before.
    expect((await request(`/complaints/${others}`, { role: 'complaints-officer' })).status).toBe(200);
  });

  it('holds an attachment to its case’s department scope, and serves it as a download', async () => {
    const response = await request(
      '/channels/form',
      { role: 'channel' },
      { method: 'POST', body: formWith('bill.pdf', 'application/pdf', pdf) },
    );
    expect(response.status).toBe(201);
    const { complaintId } = (await response.json()) as { complaintId: string };
    const path = `/attachments/${sha256(pdf)}`;
    const cards: Who = { role: 'agent', departments: ['cards'] };
    const fraud: Who = { role: 'agent', departments: ['fraud'] };
    const fraudHead: Who = { role: 'department-head', departments: ['fraud'] };

    // Not yet placed with any department: no department-scoped reader may see it.
    expect((await request(path, cards)).status).toBe(404);
    await new PostgresTransport(bus).publish([caseOpened(complaintId, 'cards')]);
    await eventually('the agent of cards may read the evidence', async () =>
      (await request(path, cards)).status === 200 ? true : undefined,
    );
    expect((await request(path, fraud)).status).toBe(404);
    expect((await request(path, fraudHead)).status).toBe(404);
    const download = await request(path, { role: 'auditor' });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('cache-control')).toBe('no-store');

    // Handed over to fraud: the evidence goes with the case.
    await new PostgresTransport(bus).publish([caseReassigned(complaintId, 'fraud')]);
    await eventually('the agent of fraud may read the evidence', async () =>
      (await request(path, fraud)).status === 200 ? true : undefined,
    );
    expect((await request(path, cards)).status).toBe(404);
  });

  it('refuses a file whose content is not the type it declares, writing nothing', async () => {
    const before = await intake.db.query<{ n: string }>('SELECT count(*) AS n FROM events');
    const post = (name: string, type: string, content: Buffer) =>
      request('/channels/form', { role: 'channel' }, { method: 'POST', body: formWith(name, type, content) });
    const disguised = await post('invoice.pdf', 'application/pdf', executable);
    expect(disguised.status).toBe(400);
    expect(((await disguised.json()) as { detail: string }).detail).toMatch(
      /invoice\.pdf.*application\/pdf.*(exe|x-msdownload)/,
    );
    // Text cannot be sniffed: it must be text (UTF-8, no control bytes), not a binary renamed .txt.
    const binaryAsText = await post('notes.txt', 'text/plain', executable);
    expect(binaryAsText.status).toBe(400);
    expect(((await binaryAsText.json()) as { detail: string }).detail).toMatch(/notes\.txt.*text/);
    const after = await intake.db.query<{ n: string }>('SELECT count(*) AS n FROM events');
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);

    expect((await post('notes.txt', 'text/plain', Buffer.from('电费账单 line 1\r\nline 2\tok\n'))).status).toBe(201);
    expect((await post('rows.csv', 'text/csv', Buffer.from('a,b\n1,2\n'))).status).toBe(201);
  });

  it('marks complaint reads as not to be cached', async () => {
    const id = await file({ role: 'channel' });
    const read = await request(`/complaints/${id}`, { role: 'auditor' });
    expect(read.status).toBe(200);
    expect(read.headers.get('cache-control')).toBe('no-store');
  });
});

function message(type: string, topic: string, complaintId: string, version: number, data: Record<string, unknown>) {
  const time = new Date().toISOString();
  return {
    topic,
    key: complaintId,
    value: JSON.stringify({
      specversion: '1.0',
      id: randomUUID(),
      source: '/complaints/resolution',
      type,
      subject: complaintId,
      time,
      datacontenttype: 'application/json',
      streamVersion: version,
      correlationId: randomUUID(),
      causationId: null,
      actor: { id: 'test', role: 'supervisor' },
      tenant: 'default',
      data,
    }),
    headers: {},
  };
}

const caseOpened = (complaintId: string, department: string) =>
  message('case.opened.v1', Topics.resolution, complaintId, 1, {
    caseId: complaintId,
    complaintId,
    reference: `CMP-${complaintId.slice(0, 8)}`,
    department,
    queue: department,
    category: 'card-fees',
    priority: 'normal',
    openedAt: new Date().toISOString(),
    acknowledgeBy: new Date().toISOString(),
    resolveBy: new Date().toISOString(),
    slaPolicy: 'uk-fca-disp',
  });

const caseReassigned = (complaintId: string, department: string) =>
  message('case.reassigned.v1', Topics.resolution, complaintId, 2, {
    caseId: complaintId,
    reassignedAt: new Date().toISOString(),
    reason: 'needs the fraud team',
    fromDepartment: 'cards',
    department,
  });
