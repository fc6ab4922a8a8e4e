import { createHash, randomUUID } from 'node:crypto';
import { KEY_VAULT } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import { api } from '../../../../test/support/auth';
import { startInProcess, type InProcessService } from '../../../../test/support/in-process';
import { intakeService } from '../intake.module';

describe('erasing a data subject at intake', () => {
  let intake: InProcessService;
  const admin = { 'x-actor-role': 'admin' };

  beforeAll(async () => {
    intake = await startInProcess(intakeService);
  });
  afterAll(async () => {
    await intake?.close();
  });

  /** A web-form complaint with `evidence` attached; its id and data subject. */
  const file = async (evidence: Buffer) => {
    const form = new FormData();
    form.append(
      'complaint',
      JSON.stringify({
        channel: 'web',
        complainant: { name: 'Ms Qian', customerId: `C-${randomUUID()}`, contact: { phone: '13700000000' } },
        description: 'The meter reads twice what I used',
        demands: ['Check the meter'],
        target: { kind: 'meter', name: 'Gas meter' },
        occurredAt: '2026-11-01T10:00:00+08:00',
        language: 'en',
      }),
    );
    form.append('attachments', new Blob([evidence], { type: 'text/plain' }), 'photo.txt');
    const response = await api(`${intake.base}/channels/form`, { method: 'POST', body: form });
    expect(response.status).toBe(201);
    const { complaintId } = (await response.json()) as { complaintId: string };
    const read = (await (await api(`${intake.base}/complaints/${complaintId}`)).json()) as {
      complainant: { subjectId: string };
    };
    return { complaintId, subjectId: read.complainant.subjectId };
  };
  const erase = (subjectId: string) =>
    api(`${intake.base}/data-subjects/${subjectId}/erasure`, { method: 'POST', headers: admin });

  it('completes the record when repeated after dying between destroying the keys and recording', async () => {
    const { complaintId, subjectId } = await file(Buffer.from(`Photo ${randomUUID()}`));
    const vault = intake.app.get<KeyVault>(KEY_VAULT);
    const destroy = vault.erase.bind(vault);
    vault.erase = async (...args: Parameters<KeyVault['erase']>) => {
      await destroy(...args);
      throw new Error('the process died here');
    };
    try {
      expect((await erase(subjectId)).status).toBe(500);
    } finally {
      vault.erase = destroy;
    }
    const recorded = await intake.db.query("SELECT 1 FROM events WHERE type = 'ComplainantErased' AND stream_id = $1", [
      `complaint-${complaintId}`,
    ]);
    expect(recorded.rowCount).toBe(0);

    const retried = await erase(subjectId);
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ keysDestroyed: 0, complaints: [complaintId] });
    const erasures = async () =>
      (
        await intake.db.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM events WHERE type = 'ComplainantErased' AND stream_id = $1",
          [`complaint-${complaintId}`],
        )
      ).rows[0]!.n;
    expect(await erasures()).toBe(1);
    const read = (await (await api(`${intake.base}/complaints/${complaintId}`)).json()) as {
      complainant: { name: string };
    };
    expect(read.complainant.name).toBe('[erased]');
    expect((await erase(subjectId)).status).toBe(200); // and once more: nothing new, still no error
    expect(await erasures()).toBe(1);
  });

  it("keeps the tenant's file while another of its complaints refers to it, and deletes it with the last", async () => {
    const evidence = Buffer.from(`Meter photo ${randomUUID()}`);
    const sha256 = createHash('sha256').update(evidence).digest('hex');
    const download = () => api(`${intake.base}/attachments/${sha256}`);
    const gone = await file(evidence);
    const stays = await file(evidence);
    expect((await erase(gone.subjectId)).status).toBe(200);
    expect((await download()).status).toBe(200);
    expect((await erase(stays.subjectId)).status).toBe(200);
    expect((await download()).status).toBe(404);
  });
});
