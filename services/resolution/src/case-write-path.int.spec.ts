/**
 * The one write path of a case, seen from its edges: a change that arrives from routing's events
 * obeys the same rules as the same change over REST (its free text sealed), and a case whose SLA
 * evaluation fails every time backs off on its own while the monitor keeps every other case on time.
 */
import { randomUUID } from 'node:crypto';
import { Topics } from '@complaints/contracts';
import { loadState, openDatabase, type Database, type EventStore } from '@complaints/eventstore';
import { AdjustableClock, EVENT_STORE, KEY_VAULT } from '@complaints/kit';
import type { KeyVault } from '@complaints/privacy';
import { embeddedBusMigrations, PostgresTransport } from '@complaints/messaging';
import { eventually } from '../../../test/support/database';
import { startInProcess, type InProcessService } from '../../../test/support/in-process';
import { routedEnvelope } from '../../../test/fixtures/events';
import { api } from '../../../test/support/auth';
import { resolutionService } from './resolution.module';
import { CaseWriter } from './infrastructure/case-writer';
import { Departments } from './infrastructure/department-directory';
import { SlaSettings } from './infrastructure/sla-settings';
import { lockSlaCheck, scheduleSlaCheck } from './infrastructure/sla-schedule';
import { caseDecider, caseStream } from './domain/case.decide';

jest.setTimeout(60_000);

const TENANT = 'bank-a';
const inTenant = { headers: { 'x-tenant-id': TENANT } };
const lead = { 'x-actor-id': 'lead-2', 'x-actor-role': 'supervisor', 'x-tenant-id': TENANT };
const DAY = 86_400_000;

describe('the write path of a case', () => {
  let resolution: InProcessService;
  let bus: Database;
  const clock = new AdjustableClock();

  beforeAll(async () => {
    // The monitor runs as in production, polling often so the test sees several polls a second.
    resolution = await startInProcess(resolutionService, clock, { SLA_POLL_INTERVAL_MS: '100' });
    bus = await openDatabase({ url: resolution.testDb.url, schema: 'bus', migrations: embeddedBusMigrations });
  });
  afterAll(async () => {
    await bus?.close();
    await resolution?.close();
  });

  const publish = (key: string, envelope: unknown) =>
    new PostgresTransport(bus).publish([{ topic: Topics.routing, key, value: JSON.stringify(envelope), headers: {} }]);

  async function routedCase(customerId: string, subjectId?: string): Promise<string> {
    const complaintId = randomUUID();
    const routed = routedEnvelope(complaintId, customerId, TENANT, 'cards');
    await publish(complaintId, subjectId ? { ...routed, data: { ...(routed.data as object), subjectId } } : routed);
    await eventually(`case ${complaintId} opened`, async () =>
      (await api(`${base()}/cases/${complaintId}`, inTenant)).status === 200 ? true : undefined,
    );
    return complaintId;
  }
  const base = () => resolution.base;
  const storedOf = async (caseId: string, type: string) =>
    (
      await resolution.db.query<{ data: Record<string, unknown> }>(
        'SELECT data FROM events WHERE stream_id = $1 AND type = $2 ORDER BY stream_version',
        [`case-${caseId}`, type],
      )
    ).rows.map((r) => r.data);

  it('stores the reason of a reroute-driven reassignment sealed, like the same reassignment over REST', async () => {
    const vault = resolution.app.get<KeyVault>(KEY_VAULT);
    const subjectId = vault.subjectId(TENANT, `id:C-301-${randomUUID()}`);
    await (await vault.dataKeyFor(TENANT, subjectId)).keep(); // as intake does when it registers the complaint
    const caseId = await routedCase('C-301', subjectId);
    const words = 'Mrs Li (13900000301) disputes her credit report';

    const routed = routedEnvelope(caseId, 'C-301', TENANT);
    await publish(caseId, {
      ...routed,
      id: randomUUID(),
      type: 'complaint.rerouted.v1',
      streamVersion: 2,
      data: {
        complaintId: caseId,
        reference: (routed.data as { reference: string }).reference,
        department: 'credit-reporting',
        queue: 'bank-credit-report',
        category: 'credit-report',
        priority: 'high',
        from: { department: 'cards', queue: 'bank-cards', category: 'card-fees', priority: 'normal' },
        reason: words,
        reroutedBy: { id: 'lead-2', role: 'supervisor' },
        assignment: { strategy: 'queue', reason: 'no skill asked for' },
        reroutedAt: new Date().toISOString(),
      },
    });
    await eventually('the case reassigned by the reroute', async () =>
      (await storedOf(caseId, 'CaseReassigned')).length === 1 ? true : undefined,
    );
    const overRest = await api(`${base()}/cases/${caseId}/reassign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...lead },
      body: JSON.stringify({ department: 'cards', reason: words }),
    });
    expect(overRest.status).toBe(200);

    const [byReroute, byRest] = await storedOf(caseId, 'CaseReassigned');
    expect(byRest).toMatchObject({ department: 'cards', reason: expect.stringMatching(/^pii:v1:/) });
    expect(byReroute).toMatchObject({ department: 'credit-reporting', reason: expect.stringMatching(/^pii:v1:/) });
    expect(JSON.stringify(await storedOf(caseId, 'CaseReassigned'))).not.toContain('13900000301');
    // Sealed, not lost: the case reads back what routing said.
    expect(await vault.reveal(TENANT, byReroute)).toMatchObject({ reason: `Rerouted: ${words}` });
  });

  it('keeps other cases’ SLA warnings on time while a case whose evaluation always fails backs off', async () => {
    const onTime = [await routedCase('C-311'), await routedCase('C-312')];
    // A case opened under a calendar since retired from the catalogue: every evaluation throws.
    const [template] = await storedOf(onTime[0]!, 'CaseOpened');
    const broken = randomUUID();
    const opened = JSON.parse(
      JSON.stringify({ ...template, caseId: broken, complaintId: broken, reference: 'CMP-BROKEN' }).replace(
        /"calendarId":"[^"]*"/g,
        '"calendarId":"retired-calendar"',
      ),
    ) as Record<string, unknown>;
    const store = resolution.app.get<EventStore>(EVENT_STORE);
    await resolution.db.transaction(async (tx) => {
      await store.append(tx, `case-${broken}`, 0, [
        {
          eventId: randomUUID(),
          type: 'CaseOpened',
          data: opened,
          metadata: {
            tenant: TENANT,
            actor: { id: 'resolution', role: 'system' },
            correlationId: broken,
            causationId: null,
            time: clock.now().toISOString(),
          },
        },
      ]);
      // Due before every other case, so a monitor that retries it first would serve nobody else.
      await tx.query(`INSERT INTO sla_checks (case_id, tenant, due_at) VALUES ($1, $2, '2000-01-01T00:00:00Z')`, [
        broken,
        TENANT,
      ]);
    });

    clock.advance(10 * DAY);
    const movedAt = clock.now().getTime();
    for (const caseId of onTime) {
      const warnings = await eventually(
        `SLA warnings on ${caseId}`,
        async () => {
          const issued = await storedOf(caseId, 'SlaWarningIssued');
          return issued.length > 0 ? issued : undefined;
        },
        15_000,
      );
      // On time: recorded within a few seconds of the moment they fell due, not after the bad case.
      expect(Date.parse(warnings[0]!.issuedAt as string) - movedAt).toBeLessThan(5_000);
    }

    const check = async () =>
      (
        await resolution.db.query<{ failures: number; due_at: Date }>(
          'SELECT failures, due_at FROM sla_checks WHERE case_id = $1',
          [broken],
        )
      ).rows[0]!;
    const first = await eventually('the broken case backing off', async () => {
      const row = await check();
      return row.failures >= 1 ? row : undefined;
    });
    expect(first.due_at.getTime() - clock.now().getTime()).toBeGreaterThan(10_000);
    // A dozen polls later it was not claimed again: its wake-up moved on.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await check()).failures).toBe(first.failures);
    const metrics = await (await api(`${base()}/metrics`)).text();
    expect(metrics).toMatch(/complaints_sla_evaluations_backing_off\{service="resolution"\} 1/);

    // Its turn comes again after the back-off, and the next one is longer (exponential, per case).
    const firstGap = first.due_at.getTime() - clock.now().getTime();
    clock.advance(firstGap + 1_000);
    const second = await eventually('the broken case tried again', async () => {
      const row = await check();
      return row.failures === first.failures + 1 ? row : undefined;
    });
    expect(second.due_at.getTime() - clock.now().getTime()).toBeGreaterThan(1.5 * firstGap);
  });
  it('makes a command over REST wait for the SLA monitor holding the case, instead of deadlocking with it', async () => {
    const caseId = await routedCase('C-401');
    const writer = resolution.app.get(CaseWriter);
    const directory = resolution.app.get(Departments).for(TENANT);
    let rest: Promise<Response> | undefined;
    // What the monitor does: claim the case's wake-up row, then write to the case in that transaction.
    await resolution.db.transaction(async (tx) => {
      await tx.query('SELECT case_id FROM sla_checks WHERE case_id = $1 FOR UPDATE', [caseId]);
      rest = api(`${base()}/cases/${caseId}/acknowledge`, {
        method: 'POST',
        headers: { ...lead, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'phone', summary: 'Called the customer back' }),
      });
      // The REST command is under way meanwhile; before the fix it appended, then waited on the row.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await writer.writeIn(
        tx,
        caseId,
        { type: 'ReassignCase', data: { caseId, department: 'fraud', reason: 'Looks like fraud', directory } },
        { actor: { id: 'sla-monitor', role: 'system' }, tenant: TENANT, correlationId: randomUUID() },
      );
    });
    const response = await rest!;
    expect(response.status).toBe(200);
    const types = (
      await resolution.db.query<{ type: string }>(
        'SELECT type FROM events WHERE stream_id = $1 ORDER BY stream_version',
        [`case-${caseId}`],
      )
    ).rows.map((r) => r.type);
    expect(types.slice(-2)).toEqual(['CaseReassigned', 'CaseAcknowledged']);
  });

  it('keeps another tenant’s SLA wake-up for a case of the same id apart: neither moves nor resets the other', async () => {
    const caseId = await routedCase('C-501');
    const store = resolution.app.get<EventStore>(EVENT_STORE);
    const loaded = await loadState(resolution.db, store, caseDecider, caseStream(caseId), TENANT);
    if (!loaded) throw new Error(`case ${caseId} not found`);
    const wakeUps = async () =>
      (
        await resolution.db.query<{ tenant: string; due_at: Date; failures: number }>(
          'SELECT tenant, due_at, failures FROM sla_checks WHERE case_id = $1 ORDER BY tenant',
          [caseId],
        )
      ).rows;
    // bank-a's wake-up, as after two failed evaluations.
    await resolution.db.query('UPDATE sla_checks SET failures = 2 WHERE case_id = $1', [caseId]);
    const [own] = await wakeUps();
    expect(own).toMatchObject({ tenant: TENANT, failures: 2 });
    // The same case as bank-b's (a forged or colliding id), written the way the write path writes it.
    await resolution.db.transaction(async (tx) => {
      await lockSlaCheck(tx, 'bank-b', caseId);
      await scheduleSlaCheck(tx, resolution.app.get(SlaSettings), loaded.state, 'bank-b', clock.now());
    });
    expect(await wakeUps()).toEqual([own, { tenant: 'bank-b', due_at: expect.any(Date), failures: 0 }]);
  });
});
