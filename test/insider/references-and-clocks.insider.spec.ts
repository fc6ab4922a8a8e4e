/**
 * Attackers inside the platform's tenants, against intake on a real PostgreSQL: a tenant counting
 * a competitor's complaints off its own reference numbers, and a hotline's CTI system dating a call
 * in the future to push the regulator's clock out (docs/security.md). Each test failed on 7614b2a.
 */
import { intakeService } from '@complaints/intake';
import { complaintBody } from '../support/journey';
import { startInProcess, type InProcessService } from '../support/in-process';
import { as, type Who } from '../support/auth';

describe("a tenant counting another's complaints, a CTI system dating calls ahead", () => {
  let intake: InProcessService;
  const post = async (path: string, who: Who, body: unknown) =>
    fetch(`${intake.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await as(who)) },
      body: JSON.stringify(body),
    });
  const complaints = async () =>
    Number(
      (await intake.db.query<{ n: string }>("SELECT count(*) AS n FROM events WHERE type = 'ComplaintReceived'"))
        .rows[0]!.n,
    );

  beforeAll(async () => {
    intake = await startInProcess(intakeService);
  });
  afterAll(async () => {
    await intake?.close();
  });

  it("learns nothing of another tenant's volume from the gaps between its own references", async () => {
    const spy: Who = { role: 'channel', tenant: 'small-bank' };
    const competitor: Who = { role: 'channel', tenant: 'big-bank' };
    const reference = async (who: Who) => {
      const response = await post('/complaints', who, complaintBody());
      expect(response.status).toBe(201);
      return Number(((await response.json()) as { reference: string }).reference.slice(-6));
    };
    const before = await reference(spy);
    for (let i = 0; i < 5; i++) await reference(competitor);
    expect(await reference(spy)).toBe(before + 1);
  });

  it('cannot date a call in the future to start the clocks later: a 400 naming callStartedAt, nothing written', async () => {
    const cti: Who = { role: 'channel', tenant: 'grid-east' };
    const written = await complaints();
    const response = await post('/channels/hotline', cti, {
      hotline: '95598',
      callId: 'CALL-AHEAD-1',
      callerNumber: '13912345678',
      agentId: 'A-1',
      agentNotes: '停电未通知',
      callStartedAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('callStartedAt');
    expect(await complaints()).toBe(written);
  });
});
