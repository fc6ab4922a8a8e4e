import { randomUUID } from 'node:crypto';
import { startInProcess, type InProcessService } from '../../../../test/support/in-process';
import { intakeService } from '../intake.module';
import { recordRegistration } from '../infrastructure/registration/registration-context';
import { api } from '../../../../test/support/auth';
import { KEY_VAULT } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';

const valid = () => ({
  channel: 'hotline',
  complainant: { name: 'Ms Wang', customerId: 'C-1001', contact: { phone: '13800000000' } },
  description: 'I was charged a card annual fee although it had been waived.',
  demands: ['Refund the annual fee'],
  target: { kind: 'product', name: 'Platinum credit card' },
  occurredAt: '2026-03-01T10:00:00+08:00',
  language: 'en',
});

describe('POST /complaints', () => {
  let intake: InProcessService;
  let base: string;

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    api(`${base}/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const eventCount = async () =>
    Number(
      (await intake.db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE type = 'ComplaintReceived'"))
        .rows[0]!.n,
    );

  beforeAll(async () => {
    intake = await startInProcess(intakeService);
    base = intake.base;
  });
  afterAll(async () => {
    await intake?.close();
  });

  it('registers a complaint and returns its id, reference and time of receipt', async () => {
    const response = await post(valid());
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      complaintId: string;
      reference: string;
      receivedAt: string;
      timeLimit: { respondBy: string; clock: string; policy: string; message: string; target: unknown };
    };
    expect(body.reference).toMatch(/^CMP-\d{4}-\d{6}$/);
    // The customer is told the time limit at once: the default policy's 15 calendar days.
    expect(body.timeLimit).toMatchObject({
      clock: 'resolution',
      policy: 'default',
      target: { amount: 15, unit: 'calendar-days' },
    });
    expect(Date.parse(body.timeLimit.respondBy) - Date.parse(body.receivedAt)).toBeGreaterThan(14 * 86_400_000);
    expect(body.timeLimit.message).toMatch(
      new RegExp(
        `Your complaint is registered as ${body.reference}\\. We will respond on or before \\d{1,2} \\w+ \\d{4} \\(end of day, Asia/Shanghai\\)\\.`,
      ),
    );
    expect(response.headers.get('location')).toBe(`/complaints/${body.complaintId}`);
    const fetched = await api(`${base}/complaints/${body.complaintId}`);
    expect(await fetched.json()).toMatchObject({
      status: 'received',
      reference: body.reference,
      channel: 'hotline',
      complainant: { customerId: 'C-1001' },
    });
  });

  it.each([
    ['zh-Hant', /^您的投訴已受理，編號 CMP-/],
    ['zh-TW', /^您的投訴已受理，編號 CMP-/],
    ['zh-HK', /^您的投訴已受理，編號 CMP-/],
    ['zh-Hans', /^您的投诉已受理，编号 CMP-/],
    ['zh-CN', /^您的投诉已受理，编号 CMP-/],
  ])('accepts the language tag %s and tells the time limit in its script', async (language, message) => {
    const response = await post({ ...valid(), language });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { timeLimit: { message: string } }).timeLimit.message).toMatch(message);
  });

  it('numbers concurrent registrations uniquely, in increasing order within the year', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post({ ...valid(), complainant: { ...valid().complainant, customerId: `C-2${i}` } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    const references = await Promise.all(
      answers.map(async (a) => ((await a.json()) as { reference: string }).reference),
    );
    expect(new Set(references).size).toBe(20);
    const year = String(new Date().getUTCFullYear());
    expect(references.every((r) => r.startsWith(`CMP-${year}-`))).toBe(true);
  });

  it("numbers each tenant's complaints from its own sequence: one tenant's volume does not show in another's references", async () => {
    const numberOf = async (tenant: string, customerId: string) => {
      const response = await post(
        { ...valid(), complainant: { ...valid().complainant, customerId } },
        { 'x-tenant-id': tenant },
      );
      expect(response.status).toBe(201);
      return Number(((await response.json()) as { reference: string }).reference.slice(-6));
    };
    const first = await numberOf('quiet-bank', 'C-Q1');
    for (let i = 0; i < 3; i++) await numberOf('busy-bank', `C-B${i}`);
    expect(await numberOf('quiet-bank', 'C-Q2')).toBe(first + 1);
  });

  it("starts a tenant's numbering for a year after the references the tenant already holds, and a new year at 1", async () => {
    await intake.db.query(
      `INSERT INTO complaint_index (complaint_id, tenant, subject_id, reference, received_at)
       VALUES (gen_random_uuid(), 'old-bank', 'ds-old', 'CMP-2031-000041', now()),
              (gen_random_uuid(), 'old-bank', 'ds-old', 'CMP-2031-000007', now()),
              (gen_random_uuid(), 'other-bank', 'ds-other', 'CMP-2031-000099', now())`,
    );
    const next = async (tenant: string, year: number) =>
      (await intake.db.query<{ n: string }>('SELECT next_reference_number($1, $2) AS n', [tenant, year])).rows[0]!.n;
    expect([await next('old-bank', 2031), await next('old-bank', 2031), await next('old-bank', 2032)]).toEqual([
      '42',
      '43',
      '1',
    ]);
    expect(await next('new-bank', 2031)).toBe('1');
  });

  it('indexes a complaint id within its tenant: two tenants’ complaints of one id are both kept, apart', async () => {
    const complaintId = randomUUID();
    const index = (tenant: string, reference: string) =>
      intake.db.transaction((tx) =>
        recordRegistration(tx, tenant, `ds-${tenant}`, {
          complaintId,
          reference,
          trigrams: [],
          receivedAt: new Date().toISOString(),
        }),
      );
    await index('bank-a', 'CMP-2030-000001');
    await index('bank-b', 'CMP-2030-000002');
    const { rows } = await intake.db.query(
      'SELECT tenant, subject_id, reference FROM complaint_index WHERE complaint_id = $1 ORDER BY tenant',
      [complaintId],
    );
    expect(rows).toEqual([
      { tenant: 'bank-a', subject_id: 'ds-bank-a', reference: 'CMP-2030-000001' },
      { tenant: 'bank-b', subject_id: 'ds-bank-b', reference: 'CMP-2030-000002' },
    ]);
  });

  it('records where the service was provided and a utility’s supply area, for the SLA rules that choose by them', async () => {
    const response = await post({ ...valid(), market: 'GB', area: 'rural' });
    expect(response.status).toBe(201);
    const { complaintId } = (await response.json()) as { complaintId: string };
    const { rows } = await intake.db.query<{ data: { market?: string; area?: string } }>(
      "SELECT data FROM events WHERE type = 'ComplaintReceived' AND data->>'complaintId' = $1",
      [complaintId],
    );
    expect(rows[0]!.data).toMatchObject({ market: 'GB', area: 'rural' });
    const refused = await post({ ...valid(), market: 'Britain', area: 'suburban' });
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as { errors: { field: string; reason: string }[] };
    expect(body.errors.map((e) => e.field).sort()).toEqual(['area', 'market']);
  });

  it('lists every bad field, refuses unknown ones, and writes nothing', async () => {
    const before = await eventCount();
    const response = await post({
      ...valid(),
      channel: 'carrier-pigeon',
      complainant: { name: '', contact: { email: 'not-an-email' } },
      occurredAt: 'yesterday',
      colour: 'blue',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { field: string; reason: string }[] };
    expect(body.errors.map((v) => v.field).sort()).toEqual([
      'channel',
      'colour',
      'complainant.contact.email',
      'complainant.name',
      'occurredAt',
    ]);
    expect(body.errors.find((v) => v.field === 'colour')?.reason).toBe('property colour should not exist');
    expect(await eventCount()).toBe(before);
  });

  it('refuses malformed JSON with 400', async () => {
    expect((await post('{"channel": ')).status).toBe(400);
  });

  it('refuses a body over 1 MB with 413 and writes nothing', async () => {
    const before = await eventCount();
    const response = await post({ ...valid(), description: 'x'.repeat(1_100_000) });
    expect(response.status).toBe(413);
    expect(await eventCount()).toBe(before);
  });

  it('refuses a complaint that the business rules reject with 422, naming the reason', async () => {
    const response = await post({ ...valid(), occurredAt: '2099-01-01T00:00:00Z' });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/occurredAt .* lies in the future/);
  });

  it('returns the first result for a retry with the same Idempotency-Key and creates nothing', async () => {
    const key = `retry-${Date.now()}`;
    const first = await post(valid(), { 'Idempotency-Key': key });
    const before = await eventCount();
    const retries = await Promise.all([1, 2, 3].map(() => post(valid(), { 'Idempotency-Key': key })));
    const firstBody = await first.json();
    for (const retry of retries) {
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await retry.json()).toEqual(firstBody);
    }
    expect(await eventCount()).toBe(before);
  });

  it('creates exactly one complaint when requests with one key race', async () => {
    const key = `race-${Date.now()}`;
    const before = await eventCount();
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(valid(), { 'Idempotency-Key': key })));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<{ complaintId: string }>));
    expect(new Set(bodies.map((b) => b.complaintId)).size).toBe(1);
    expect(await eventCount()).toBe(before + 1);
  });

  it('refuses the same Idempotency-Key for a different complaint', async () => {
    const key = `reuse-${Date.now()}`;
    await post(valid(), { 'Idempotency-Key': key });
    const response = await post({ ...valid(), description: 'Another matter' }, { 'Idempotency-Key': key });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/already used for a different complaint/);
  });

  it("stores a first-time complainant's data key with the complaint: both commit or neither does", async () => {
    const vault = intake.app.get<KeyVault>(KEY_VAULT);
    const phone = `1370000${String(Date.now()).slice(-4)}`;
    const subjectId = vault.subjectId('default', `phone:${phone}`);
    const keysOfSubject = async () =>
      Number(
        (
          await intake.db.query<{ n: string }>('SELECT count(*) AS n FROM privacy.data_keys WHERE subject_id = $1', [
            subjectId,
          ])
        ).rows[0]!.n,
      );
    const firstTime = { ...valid(), complainant: { name: 'Mr Qian', contact: { phone } } };
    // Fails the registration at its last write, after the key was read and stored and the event appended.
    await intake.db.query(`
      CREATE FUNCTION refuse_index() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'index unavailable'; END $$;
      CREATE TRIGGER refuse_index BEFORE INSERT ON complaint_index FOR EACH ROW EXECUTE FUNCTION refuse_index();`);
    const before = await eventCount();
    try {
      expect((await post(firstTime)).status).toBe(500);
    } finally {
      await intake.db.query('DROP TRIGGER refuse_index ON complaint_index; DROP FUNCTION refuse_index()');
    }
    expect([await eventCount(), await keysOfSubject()]).toEqual([before, 0]);

    expect((await post({ ...firstTime, occurredAt: '2099-01-01T00:00:00Z' })).status).toBe(422);
    expect(await keysOfSubject()).toBe(0);

    const registered = (await (await post(firstTime)).json()) as { complaintId: string };
    expect([await eventCount(), await keysOfSubject()]).toEqual([before + 1, 1]);
    const fetched = await api(`${base}/complaints/${registered.complaintId}`);
    expect(await fetched.json()).toMatchObject({ complainant: { name: 'Mr Qian', contact: { phone } } });
    expect((await post(firstTime)).status).toBe(201);
    expect(await keysOfSubject()).toBe(1);
  });

  it('answers 404 for an unknown complaint and 400 for an id that is not a UUID', async () => {
    expect((await api(`${base}/complaints/0190a1b2-0000-7000-8000-000000000999`)).status).toBe(404);
    expect((await api(`${base}/complaints/nope`)).status).toBe(400);
  });
});
