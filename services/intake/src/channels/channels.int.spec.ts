import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startInProcess, type InProcessService } from '../../../../test/support/in-process';
import { intakeService } from '../intake.module';
import { api } from '../../../../test/support/auth';

const fixtures = join(__dirname, '../../../../test/fixtures/channels');
const email = readFileSync(join(fixtures, 'annual-fee-complaint.eml'));
const pdf = readFileSync(join(fixtures, 'bill-2026-11.pdf'));
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('intake channel adapters', () => {
  let intake: InProcessService;
  const complaintCount = async () =>
    Number(
      (await intake.db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE type = 'ComplaintReceived'"))
        .rows[0]!.n,
    );
  const get = async (id: string) =>
    (await (await api(`${intake.base}/complaints/${id}`)).json()) as Record<string, unknown>;
  const postJson = (path: string, body: unknown) =>
    api(`${intake.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    intake = await startInProcess(intakeService);
  });
  afterAll(async () => {
    await intake?.close();
  });

  it('turns a MIME email with a Chinese body and a PDF into one complaint, however often it is posted', async () => {
    const before = await complaintCount();
    const responses = [];
    for (let i = 0; i < 3; i++) {
      responses.push(
        await api(`${intake.base}/channels/email`, {
          method: 'POST',
          headers: { 'content-type': 'message/rfc822' },
          body: email,
        }),
      );
    }
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { complaintId: string }[];
    expect(new Set(bodies.map((b) => b.complaintId)).size).toBe(1);
    expect(await complaintCount()).toBe(before + 1);

    const complaint = await get(bodies[0]!.complaintId);
    expect(complaint).toMatchObject({
      channel: 'email',
      language: 'zh',
      complainant: { name: '张三', contact: { email: 'zhangsan@example.cn' } },
      channelDetails: {
        messageId: '<20261121101500.4821@mail.example.cn>',
        from: 'zhangsan@example.cn',
        subject: '信用卡年费投诉：承诺免年费却仍扣收',
      },
      occurredAt: '2026-11-21T02:15:00.000Z',
      attachments: [
        { sha256: sha256(pdf), filename: 'bill-2026-11.pdf', mediaType: 'application/pdf', size: pdf.length },
      ],
    });
    expect(complaint.description).toContain('退还已扣收的年费 300 元');

    const asChannel = { headers: { 'x-actor-role': 'channel' } };
    expect((await api(`${intake.base}/attachments/${sha256(pdf)}`, asChannel)).status).toBe(403); // a channel may not read evidence back
    // Staff not scoped to departments (department scope: test/insider/adapter-and-tenant.insider.spec.ts).
    const otherTenant = { headers: { 'x-actor-role': 'supervisor', 'x-tenant-id': 'another-bank' } };
    expect((await api(`${intake.base}/attachments/${sha256(pdf)}`, otherTenant)).status).toBe(404); // nor another tenant
    // Until it sends the same evidence itself: stored once by content, readable by each sender.
    const resent = await api(`${intake.base}/channels/email`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', 'x-tenant-id': 'another-bank' },
      body: Buffer.from(email.toString('latin1').replace('4821@mail', '4822@mail'), 'latin1'),
    });
    expect(resent.status).toBe(201);
    expect((await api(`${intake.base}/attachments/${sha256(pdf)}`, otherTenant)).status).toBe(200);
    const download = await api(`${intake.base}/attachments/${sha256(pdf)}`, {
      headers: { 'x-actor-id': 'supervisor-7', 'x-actor-role': 'supervisor' },
    });
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await download.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it('refuses an email nobody can be answered at', async () => {
    const anonymous = Buffer.from('Subject: hello\r\n\r\nno sender here\r\n');
    const response = await api(`${intake.base}/channels/email`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822' },
      body: anonymous,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/no From address/);
  });

  it('registers a hotline call record once per call id, keeping the CTI identifiers', async () => {
    const call = {
      hotline: '95598',
      callId: 'CALL-20261122-000317',
      callerNumber: '13912345678',
      agentId: 'A-1042',
      agentNotes: '客户反映小区 11 月 20 日晚计划停电未提前通知，冰箱内食品损坏，要求解释并赔偿。',
      recordingRef: 'rec://cti/2026/11/22/000317.wav',
      callStartedAt: '2026-11-22T09:15:00+08:00',
      occurredAt: '2026-11-20T19:00:00+08:00',
    };
    const first = await postJson('/channels/hotline', call);
    const again = await postJson('/channels/hotline', call);
    expect([first.status, again.status]).toEqual([201, 201]);
    const { complaintId } = (await first.json()) as { complaintId: string };
    expect(((await again.json()) as { complaintId: string }).complaintId).toBe(complaintId);
    expect(await get(complaintId)).toMatchObject({
      channel: 'hotline',
      complainant: { name: 'Caller 13912345678', contact: { phone: '13912345678' } },
      channelDetails: { hotline: '95598', callId: call.callId, agentId: 'A-1042', recordingRef: call.recordingRef },
      occurredAt: '2026-11-20T11:00:00.000Z',
    });
  });

  const hotlineCall = (callId: string, callStartedAt: string) => ({
    hotline: '95598',
    callId,
    callerNumber: '13912345678',
    agentId: 'A-1042',
    agentNotes: '客户反映电费异常。',
    callStartedAt,
  });

  it("starts a hotline complaint's clocks when the call started, not when the record was posted", async () => {
    const callStartedAt = new Date(Date.now() - 3 * 3600_000);
    callStartedAt.setUTCMilliseconds(0);
    const response = await postJson('/channels/hotline', hotlineCall('CALL-CLOCK-1', callStartedAt.toISOString()));
    expect(response.status).toBe(201);
    const registration = (await response.json()) as { complaintId: string; receivedAt: string };
    expect(registration.receivedAt).toBe(callStartedAt.toISOString());
    expect(await get(registration.complaintId)).toMatchObject({ receivedAt: callStartedAt.toISOString() });
  });

  it('refuses a call that has not started yet with a 400 naming callStartedAt, and writes nothing', async () => {
    const before = await complaintCount();
    const inTenMinutes = new Date(Date.now() + 10 * 60_000).toISOString();
    const response = await postJson('/channels/hotline', hotlineCall('CALL-FUTURE-1', inTenMinutes));
    expect(response.status).toBe(400);
    const body = JSON.stringify(await response.json());
    expect(body).toContain('callStartedAt');
    expect(body).not.toContain('occurredAt');
    expect(await complaintCount()).toBe(before);
    // Within the clock-skew allowance a CTI clock running a little ahead is accepted.
    const inOneMinute = new Date(Date.now() + 60_000).toISOString();
    expect((await postJson('/channels/hotline', hotlineCall('CALL-SKEW-1', inOneMinute))).status).toBe(201);
  });

  const canonical = {
    complainant: { name: 'Mr Li', customerId: 'C-5531', contact: { phone: '13700000000' } },
    description: 'The branch refused to let me close my account without a fee.',
    demands: ['Close the account without the fee'],
    target: { kind: 'branch', name: 'Pudong branch' },
    occurredAt: '2026-11-20T10:00:00+08:00',
    language: 'en',
  };

  it('records the branch code and staff id of a counter submission', async () => {
    const response = await postJson('/channels/branch', { ...canonical, branchCode: 'SH-PD-0031', staffId: 'E-20931' });
    expect(response.status).toBe(201);
    const { complaintId } = (await response.json()) as { complaintId: string };
    expect(await get(complaintId)).toMatchObject({
      channel: 'branch',
      channelDetails: { branchCode: 'SH-PD-0031', staffId: 'E-20931' },
    });
  });

  it('registers a regulator referral once per regulator reference, with the deadline the regulator set', async () => {
    const referral = {
      ...canonical,
      regulator: 'NFRA Shanghai',
      regulatorReference: 'SH-2026-11-00412',
      regulatorDeadline: '2026-12-10T00:00:00+08:00',
    };
    const first = (await (await postJson('/channels/regulator', referral)).json()) as { complaintId: string };
    const second = (await (await postJson('/channels/regulator', referral)).json()) as { complaintId: string };
    expect(second.complaintId).toBe(first.complaintId);
    expect(await get(first.complaintId)).toMatchObject({
      channel: 'regulator',
      regulatorDeadline: '2026-12-09T16:00:00.000Z',
      channelDetails: { regulator: 'NFRA Shanghai', regulatorReference: 'SH-2026-11-00412' },
    });
  });

  it('takes a web form with attachments, and refuses a file type it does not accept without writing anything', async () => {
    const form = new FormData();
    form.append('complaint', JSON.stringify({ ...canonical, channel: 'web' }));
    form.append('attachments', new Blob([pdf], { type: 'application/pdf' }), 'statement.pdf');
    const response = await api(`${intake.base}/channels/form`, { method: 'POST', body: form });
    expect(response.status).toBe(201);
    const { complaintId } = (await response.json()) as { complaintId: string };
    expect(await get(complaintId)).toMatchObject({
      channel: 'web',
      attachments: [{ filename: 'statement.pdf', sha256: sha256(pdf) }],
    });

    const before = await complaintCount();
    const bad = new FormData();
    bad.append('complaint', JSON.stringify({ ...canonical, channel: 'web' }));
    bad.append('attachments', new Blob([Buffer.from('MZ')], { type: 'application/x-msdownload' }), 'invoice.exe');
    const refused = await api(`${intake.base}/channels/form`, { method: 'POST', body: bad });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/invoice\.exe.*not accepted/);
    expect(await complaintCount()).toBe(before);
  });

  it('names the bad fields of a form’s complaint part', async () => {
    const form = new FormData();
    form.append('complaint', JSON.stringify({ ...canonical, channel: 'pigeon', colour: 'red' }));
    const response = await api(`${intake.base}/channels/form`, { method: 'POST', body: form });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { field: string }[] };
    expect(body.errors.map((v) => v.field).sort()).toEqual(['complaint.channel', 'complaint.colour']);
  });
});
