import { KEY_VAULT } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import { startInProcess, type InProcessService } from '../../../../test/support/in-process';
import { intakeService } from '../intake.module';
import { api } from '../../../../test/support/auth';
import { tagLegacyDescriptions } from '../infrastructure/registration/legacy-descriptions';
import { trigramsOf } from '../infrastructure/registration/trigrams';

const complaint = (customerId: string, description: string) => ({
  channel: 'web',
  complainant: { name: 'Ms Zhao', customerId, contact: { phone: '13600000000' } },
  description,
  demands: ['Refund'],
  target: { kind: 'bill', name: 'Electricity bill' },
  occurredAt: '2026-11-01T10:00:00+08:00',
  language: 'zh',
});

describe('duplicates and repeat complainants at intake', () => {
  let intake: InProcessService;
  const post = async (body: unknown) => {
    const response = await api(`${intake.base}/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { complaintId: string; reference: string };
  };
  const get = async (id: string) =>
    (await (await api(`${intake.base}/complaints/${id}`)).json()) as {
      duplicateOf: { complaintId: string; similarity: number }[];
      repeatComplainant: boolean;
    };

  beforeAll(async () => {
    intake = await startInProcess(intakeService);
  });
  afterAll(async () => {
    await intake?.close();
  });

  it('links a similar complaint of the same customer, flags the third in 30 days, and keeps every one', async () => {
    const first = await post(complaint('C-800', '本月电费账单金额异常，比上月高出三倍，怀疑电表计量有误'));
    const second = await post(complaint('C-800', '本月电费账单金额异常，比上月高出三倍，怀疑电表计量不准'));
    const third = await post(complaint('C-800', '营业厅工作人员态度恶劣'));
    const stranger = await post(complaint('C-801', '本月电费账单金额异常，比上月高出三倍，怀疑电表计量有误'));

    expect((await get(first.complaintId)).duplicateOf).toEqual([]);
    const secondState = await get(second.complaintId);
    expect(secondState.duplicateOf).toEqual([
      { complaintId: first.complaintId, reference: first.reference, similarity: expect.any(Number) },
    ]);
    expect(secondState.duplicateOf[0]!.similarity).toBeGreaterThan(0.5);
    expect(secondState.repeatComplainant).toBe(false);
    expect(await get(third.complaintId)).toMatchObject({ duplicateOf: [], repeatComplainant: true });
    expect(await get(stranger.complaintId)).toMatchObject({ duplicateOf: [], repeatComplainant: false });
    const received = await intake.db.query("SELECT 1 FROM events WHERE type = 'ComplaintReceived'");
    expect(received.rowCount).toBe(4);

    const undone = await api(
      `${intake.base}/complaints/${second.complaintId}/duplicate-links/${first.complaintId}/remove`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-actor-role': 'supervisor' },
        body: JSON.stringify({ reason: 'Different meter' }),
      },
    );
    expect(undone.status).toBe(200);
    expect((await get(second.complaintId)).duplicateOf).toEqual([]);
  });

  it("serialises one customer's simultaneous complaints: each sees every one before it", async () => {
    const description = '充电桩扣费两次，客服电话一直无人接听';
    const registered = await Promise.all(Array.from({ length: 6 }, () => post(complaint('C-900', description))));
    const { rows } = await intake.db.query<{ type: string; n: number }>(
      `SELECT e.type, (e.data->>'complaintsInWindow')::int AS n FROM events e
        WHERE e.stream_id = ANY($1::text[]) AND e.type IN ('PossibleDuplicateLinked', 'RepeatComplainantFlagged')`,
      [registered.map((r) => `complaint-${r.complaintId}`)],
    );
    // Registered one after another, the k-th (k = 1..6) links min(k - 1, 3) similar complaints and,
    // from the third on, is flagged as the k-th in the window; a registration that missed another
    // would count fewer.
    expect(rows.filter((r) => r.type === 'PossibleDuplicateLinked')).toHaveLength(0 + 1 + 2 + 3 + 3 + 3);
    const flagged = rows.filter((r) => r.type === 'RepeatComplainantFlagged').map((r) => r.n);
    expect(flagged.sort()).toEqual([3, 4, 5, 6]);
  });

  it("measures pg_trgm's similarity on the tagged trigrams, without the text", async () => {
    const vault = intake.app.get<KeyVault>(KEY_VAULT);
    const key = await vault.dataKeyFor('default', vault.subjectId('default', 'id:C-TRGM'));
    const tagged = (text: string) => key.tags(trigramsOf(text));
    const pairs = [
      [
        '本月电费账单金额异常，比上月高出三倍，怀疑电表计量有误',
        '本月电费账单金额异常，比上月高出三倍，怀疑电表计量不准',
      ],
      ['The annual fee was charged TWICE on my card!', 'annual fee charged twice on the card'],
      ['Straße kaputt, Zähler 12-34', 'strasse kaputt zähler 1234'],
      ['营业厅工作人员态度恶劣', '本月电费账单金额异常'],
      ['a', 'a b'],
      ['', '?!'],
    ];
    for (const [a, b] of pairs) {
      const { rows } = await intake.db.query<{ plain: number; keyed: number }>(
        'SELECT public.similarity($1, $2)::float AS plain, keyed_similarity($3, $4) AS keyed',
        [a, b, tagged(a!), tagged(b!)],
      );
      expect([a, b, rows[0]!.keyed]).toEqual([a, b, expect.closeTo(rows[0]!.plain, 5)]);
    }
  });

  it('tags the descriptions indexed before in clear with their subject key, then drops the plain column', async () => {
    const first = await post(complaint('C-700', '燃气表读数与实际用量不符，本月账单多收了两百元'));
    // As a row written before IntakeKeyedTrigrams left it: the description in clear, no tags.
    await intake.db.query('ALTER TABLE complaint_index ADD COLUMN description text');
    await intake.db.query(
      'UPDATE complaint_index SET description = $2, description_trigrams = NULL WHERE complaint_id = $1',
      [first.complaintId, '燃气表读数与实际用量不符，本月账单多收了两百元'],
    );
    const vault = intake.app.get<KeyVault>(KEY_VAULT);
    expect(await tagLegacyDescriptions(intake.db, vault)).toBe(1);
    expect(await tagLegacyDescriptions(intake.db, vault)).toBe(0);
    const { rows: columns } = await intake.db.query(
      `SELECT column_name FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = 'complaint_index' AND column_name LIKE 'description%'`,
      [intake.db.schema],
    );
    expect(columns).toEqual([{ column_name: 'description_trigrams' }]);

    const second = await post(complaint('C-700', '燃气表读数与实际用量不符，本月账单多收了两百元左右'));
    expect((await get(second.complaintId)).duplicateOf).toEqual([
      { complaintId: first.complaintId, reference: first.reference, similarity: expect.any(Number) },
    ]);
  });
});
