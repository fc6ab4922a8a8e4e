/**
 * Tenant A's admin and tenant A's channel adapters against tenant B's data subjects, evidence and
 * idempotency keys; and what rests in the tables after a registration and after an erasure.
 * Attackers (docs/security.md): another tenant's admin (erases by subject id), another tenant's
 * channel adapter (files the same evidence, reuses an Idempotency-Key), another client of the same
 * tenant (reuses an Idempotency-Key), someone reading the database's tables.
 */
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { ApiKeys, KEY_VAULT } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import { intakeService } from '../../services/intake/src/intake.module';
import { api } from '../support/auth';
import { uniqueSuffix } from '../support/database';
import { startInProcess, type InProcessService } from '../support/in-process';

const A = 'bank-a';
const B = 'bank-b';

describe('tenant-owned personal data and evidence, complete erasure', () => {
  let intake: InProcessService;
  let sql: Client;

  beforeAll(async () => {
    intake = await startInProcess(intakeService);
    sql = new Client({ connectionString: intake.testDb.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await intake?.close();
  });

  const complaint = (marker: string, description = `My card was charged twice, ${marker}`) => ({
    channel: 'web',
    complainant: { name: `Erin ${marker}`, customerId: `CUST-${marker}`, contact: { phone: '13900000000' } },
    description,
    demands: [`Refund ${marker}`],
    target: { kind: 'product', name: 'Platinum credit card' },
    occurredAt: '2026-11-01T10:00:00+08:00',
    language: 'en',
  });

  const call = (tenant: string, role: string, path: string, init: RequestInit = {}, actor?: string) =>
    api(`${intake.base}${path}`, {
      ...init,
      headers: {
        ...(typeof init.body === 'string' ? { 'content-type': 'application/json' } : {}),
        'x-tenant-id': tenant,
        'x-actor-role': role,
        ...(actor ? { 'x-actor-id': actor } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    });

  /** Files a complaint through the web form, with `evidence` attached; returns its id and data subject. */
  const file = async (tenant: string, marker: string, evidence?: Buffer) => {
    const form = new FormData();
    form.append('complaint', JSON.stringify(complaint(marker)));
    if (evidence) form.append('attachments', new Blob([evidence], { type: 'text/plain' }), 'statement.txt');
    const response = await call(tenant, 'channel', '/channels/form', { method: 'POST', body: form });
    expect(response.status).toBe(201);
    const { complaintId } = (await response.json()) as { complaintId: string };
    const read = await call(tenant, 'auditor', `/complaints/${complaintId}`);
    const { complainant } = (await read.json()) as { complainant: { subjectId: string; name: string } };
    return { complaintId, subjectId: complainant.subjectId };
  };

  const readName = async (tenant: string, complaintId: string) =>
    ((await (await call(tenant, 'auditor', `/complaints/${complaintId}`)).json()) as { complainant: { name: string } })
      .complainant.name;

  const erase = (tenant: string, subjectId: string) =>
    call(tenant, 'admin', `/data-subjects/${subjectId}/erasure`, { method: 'POST' });

  const erasureEvents = async (complaintId: string) =>
    (
      await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM intake.events WHERE stream_id = $1 AND type = 'ComplainantErased'`,
        [`complaint-${complaintId}`],
      )
    ).rows[0]!.n;

  const liveKeys = async (subjectId: string) =>
    (
      await sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM privacy.data_keys WHERE subject_id = $1 AND erased_at IS NULL',
        [subjectId],
      )
    ).rows[0]!.n;

  /** The complete erasure record of one complaint: its event, its keys gone, nothing left to match on. */
  const expectErased = async (tenant: string, complaintId: string, subjectId: string) => {
    expect(await erasureEvents(complaintId)).toBe(1);
    expect(await liveKeys(subjectId)).toBe(0);
    expect(await readName(tenant, complaintId)).toBe('[erased]');
    const { rows } = await sql.query('SELECT * FROM intake.complaint_index WHERE complaint_id = $1', [complaintId]);
    expect(rows).toHaveLength(1); // the complaint stays findable by its subject …
    const row = rows[0] as Record<string, unknown>;
    expect(row.description ?? null).toBeNull(); // … with nothing of what they wrote
    expect(row.description_trigrams ?? null).toBeNull();
  };

  /** Every text, json and array column of every schema, as text: where `needle` appears in clear. */
  const whereInClear = async (needle: string): Promise<string[]> => {
    const { rows: columns } = await sql.query<{ s: string; t: string; c: string }>(
      `SELECT c.table_schema AS s, c.table_name AS t, c.column_name AS c
         FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
          AND c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'bytea')`,
    );
    const found: string[] = [];
    for (const { s, t, c } of columns) {
      const { rows } = await sql.query(
        `SELECT 1 FROM "${s}"."${t}" WHERE strpos(convert_from(convert_to("${c}"::text, 'UTF8'), 'UTF8'), $1) > 0 LIMIT 1`,
        [needle],
      );
      if (rows.length > 0) found.push(`${s}.${t}.${c}`);
    }
    return found;
  };

  describe("tenant A's admin erasing tenant B's data subject", () => {
    it('is a 404 that changes nothing and names no other tenant; B erasing its own subject is complete', async () => {
      const marker = `b${uniqueSuffix()}`;
      const theirs = await file(B, marker);

      const refused = await erase(A, theirs.subjectId);
      expect(refused.status).toBe(404);
      expect(await refused.text()).not.toContain(B);
      expect(await readName(B, theirs.complaintId)).toBe(`Erin ${marker}`);
      expect(await liveKeys(theirs.subjectId)).toBe(1);
      expect(await erasureEvents(theirs.complaintId)).toBe(0);

      const erased = await erase(B, theirs.subjectId);
      expect(erased.status).toBe(200);
      expect(await erased.json()).toMatchObject({
        subjectId: theirs.subjectId,
        keysDestroyed: 1,
        complaints: [theirs.complaintId],
      });
      await expectErased(B, theirs.complaintId, theirs.subjectId);
    });

    it("keeps the vault's keys per tenant: another tenant's key is neither read, erased nor revealed", async () => {
      const vault = intake.app.get<KeyVault>(KEY_VAULT);
      const subjectId = vault.subjectId(B, `id:${uniqueSuffix()}`);
      const key = await vault.dataKeyFor(B, subjectId);
      await key.keep();
      const sealed = key.seal('Mrs Li');
      expect(await vault.erase(A, subjectId)).toBe(0);
      expect(await vault.reveal(A, sealed)).toBe('[erased]');
      expect(await vault.reveal(B, sealed)).toBe('Mrs Li');
    });
  });

  describe('evidence owned per tenant', () => {
    it("tenant A erasing its own complainant leaves tenant B's identical file readable", async () => {
      const evidence = Buffer.from(`Card statement ${uniqueSuffix()}`);
      const sha256 = createHash('sha256').update(evidence).digest('hex');
      const ours = await file(A, `a${uniqueSuffix()}`, evidence);
      await file(B, `b${uniqueSuffix()}`, evidence);
      expect((await call(B, 'auditor', `/attachments/${sha256}`)).status).toBe(200);

      expect((await erase(A, ours.subjectId)).status).toBe(200);

      expect((await call(A, 'auditor', `/attachments/${sha256}`)).status).toBe(404);
      const theirs = await call(B, 'auditor', `/attachments/${sha256}`);
      expect(theirs.status).toBe(200);
      expect(Buffer.from(await theirs.arrayBuffer())).toEqual(evidence);
    });
  });

  describe('idempotency keys scoped per client', () => {
    it("another client's Idempotency-Key is not this client's: each registers, neither sees the other's", async () => {
      const key = `order-${uniqueSuffix()}`;
      const post = (actor: string, marker: string) =>
        call(
          A,
          'channel',
          '/complaints',
          { method: 'POST', headers: { 'idempotency-key': key }, body: JSON.stringify(complaint(marker)) },
          actor,
        );
      const first = await post('adapter-1', 'one');
      expect(first.status).toBe(201);
      const second = await post('adapter-2', 'two');
      expect(second.status).toBe(201);
      expect(second.headers.get('idempotent-replayed')).toBeNull();
      const [one, two] = [
        (await first.json()) as { complaintId: string },
        (await second.json()) as { complaintId: string },
      ];
      expect(two.complaintId).not.toBe(one.complaintId);

      const again = await post('adapter-1', 'one');
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(((await again.json()) as { complaintId: string }).complaintId).toBe(one.complaintId);
    });

    it('two API keys of one tenant, even under one name, are two clients', async () => {
      const keys = new ApiKeys(intake.db);
      const [one, two] = [await keys.issue(A, 'web-form', ['web']), await keys.issue(A, 'web-form', ['web'])];
      const key = `order-${uniqueSuffix()}`;
      const post = (apiKey: string, marker: string) =>
        api(`${intake.base}/complaints`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': apiKey, 'idempotency-key': key },
          body: JSON.stringify(complaint(marker)),
        });
      const first = await post(one.key, 'one');
      expect(first.status).toBe(201);
      const second = await post(two.key, 'two');
      expect(second.status).toBe(201);
      expect(second.headers.get('idempotent-replayed')).toBeNull();
    });
  });

  describe('no personal data in clear at rest', () => {
    it('after a registration no table of any schema holds the description', async () => {
      const marker = `d${uniqueSuffix()}`;
      await file(A, marker);
      expect(await whereInClear(marker)).toEqual([]);
    });

    it("an email's subject line and body are nowhere in clear, and erasure leaves the complete record", async () => {
      const subjectLine = `s${uniqueSuffix()}`;
      const body = `b${uniqueSuffix()}`;
      const raw = [
        'From: Erin Example <erin@example.org>',
        'To: complaints@bank.example',
        `Subject: Double fee ${subjectLine}`,
        `Message-ID: <${uniqueSuffix()}@example.org>`,
        'Date: Sun, 1 Nov 2026 10:00:00 +0800',
        'Content-Type: text/plain; charset=utf-8',
        '',
        `My card was charged twice ${body}`,
      ].join('\r\n');
      const response = await call(A, 'channel', '/channels/email', {
        method: 'POST',
        headers: { 'content-type': 'message/rfc822' },
        body: raw,
      });
      expect(response.status).toBe(201);
      const { complaintId } = (await response.json()) as { complaintId: string };
      expect(await whereInClear(subjectLine)).toEqual([]);
      expect(await whereInClear(body)).toEqual([]);

      const read = (await (await call(A, 'auditor', `/complaints/${complaintId}`)).json()) as {
        complainant: { subjectId: string };
        description: string;
      };
      expect(read.description).toContain(subjectLine); // the staff still read it, revealed
      expect((await erase(A, read.complainant.subjectId)).status).toBe(200);
      await expectErased(A, complaintId, read.complainant.subjectId);
    });
  });
});
