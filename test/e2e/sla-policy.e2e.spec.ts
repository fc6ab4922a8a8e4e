/**
 * SLA documents and calendars as audited policy data, across the services that apply them, on real
 * PostgreSQL and Kafka: an admin publishes an `sla` version through resolution's API, and without a
 * restart intake tells new customers the date it gives, routing names its regime on the routing
 * decision, and BOTH resolution instances (two pods on one database) open cases under it, each clock
 * naming the version and digest; a case opened before still names version 0; a version effective
 * in the future waits for its instant; a `calendar` version adding 2027's days moves a 2027 deadline
 * and clears the "calendar lacks 2027" warning; a document naming a calendar the tenant lacks is a
 * 422 naming the field.
 */
import { randomUUID } from 'node:crypto';
import { prefixed, toBinaryMessage, Topics } from '@complaints/contracts';
import { startService } from '@complaints/kit';
import { KafkaTransport } from '@complaints/messaging';
import { ServicePolicies } from '@complaints/policy';
import { intakeService } from '@complaints/intake';
import { routingService } from '@complaints/routing';
import { resolutionService } from '@complaints/resolution';
import type { INestApplication } from '@nestjs/common';
import { api } from '../support/auth';
import { eventually, requireEnv, uniqueSuffix } from '../support/database';
import { startInProcess, type InProcessService } from '../support/in-process';
import { complaintBody } from '../support/journey';
import { routedEnvelope } from '../fixtures/events';

jest.setTimeout(180_000);

const TENANT = `bank-${uniqueSuffix()}`;
const PREFIX = `sla-policy-${uniqueSuffix()}.`;
const admin = { 'x-actor-id': 'admin-9', 'x-actor-role': 'admin', 'x-tenant-id': TENANT };
const auditor = { 'x-actor-role': 'auditor', 'x-tenant-id': TENANT };

/** The tenant's own SLA document: the FCA's DISP rules for everything (calendar GB-ENG). */
const UK_DISP = { tenant: TENANT, policies: [], rules: [], otherwise: ['uk-fca-disp'] };
/** Then back to NFRA (calendar CN), effective in a minute. */
const CN_NFRA = { tenant: TENANT, policies: [], rules: [], otherwise: ['cn-nfra-consumer-complaints'] };
/** 2027's Spring Festival as the tenant publishes it: 5–10 February off, Saturday 13 February worked. */
const CN_2027 = {
  calendars: {
    CN: {
      years: {
        '2027': {
          holidays: ['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10'],
          workingDays: ['2027-02-13'],
          notice: '国务院办公厅关于2027年部分节假日安排的通知',
        },
      },
    },
  },
};

interface Clock {
  id: string;
  clock: string;
  dueAt: string;
  decidedBy?: {
    version: number;
    digest: string;
    policyId: string;
    calendar?: { version: number; digest: string };
  };
}
interface Version {
  version: number;
  digest: string;
}

describe('sla and calendar versions, published at resolution, applied by intake, routing and resolution', () => {
  let intake: InProcessService;
  let routing: InProcessService;
  let resolution: InProcessService;
  let second: INestApplication;
  let secondBase: string;
  let kafka: KafkaTransport;

  beforeAll(async () => {
    const env = { KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'), TOPIC_PREFIX: PREFIX, SLA_MONITOR: 'off' };
    intake = await startInProcess(intakeService, undefined, env);
    routing = await startInProcess(routingService, undefined, env);
    resolution = await startInProcess(resolutionService, undefined, { ...env, INSTANCE_ID: 'sla-a' });
    const config = { ...resolution.config, instanceId: 'sla-b', port: 0 };
    second = await startService(resolutionService.module({ config }), config, {
      title: 'resolution b',
      shutdownHooks: false,
    });
    secondBase = (await second.getUrl()).replace('[::1]', '127.0.0.1');
    kafka = new KafkaTransport({ brokers: requireEnv('KAFKA_BROKERS').split(','), clientId: 'sla-policy-test' });
  });
  afterAll(async () => {
    await kafka?.close();
    await second?.close();
    for (const service of [resolution, routing, intake]) await service?.close();
  });

  const get = async <T>(base: string, path: string) =>
    (await (await api(`${base}${path}`, { headers: auditor })).json()) as T;
  const publish = (kind: string, body: unknown) =>
    api(`${resolution.base}/policies/${kind}/versions`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const currentOn = async (base: string, kind: string) =>
    (await get<{ current: Version; versions: Version[] }>(base, `/policies/${kind}`)).current;
  /** A case's clocks, from whichever instance: they are stored on the case at open. */
  const clocksOf = async (caseId: string) =>
    eventually(`case ${caseId} opened`, async () => {
      const response = await api(`${secondBase}/cases/${caseId}/clocks`, { headers: auditor });
      return response.status === 200 ? ((await response.json()) as { clocks: Clock[] }).clocks : undefined;
    });

  /** A complaint filed through intake: its time limit, and the case resolution opened from routing's decision. */
  async function file() {
    const response = await api(`${intake.base}/complaints`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-actor-id': 'cti-1',
        'x-actor-role': 'channel',
        'x-tenant-id': TENANT,
      },
      body: JSON.stringify(complaintBody('信用卡年费重复扣款')),
    });
    expect(response.status).toBe(201);
    const filed = (await response.json()) as { complaintId: string; timeLimit: { policy: string; message: string } };
    return { ...filed, clocks: await clocksOf(filed.complaintId) };
  }

  /** A routing decision straight onto the routing topic, received at `receivedAt`. */
  async function routed(receivedAt: string): Promise<{ caseId: string; clocks: Clock[] }> {
    const caseId = randomUUID();
    const envelope = routedEnvelope(caseId, `C-${caseId.slice(0, 6)}`, TENANT);
    const message = toBinaryMessage({
      ...envelope,
      data: { ...(envelope.data as object), receivedAt, channel: 'web' },
    });
    await kafka.publish([{ topic: prefixed(PREFIX, Topics.routing), key: caseId, ...message }]);
    return { caseId, clocks: await clocksOf(caseId) };
  }

  /** The slaPolicyId routing named on its decision for a complaint. */
  const routingDecision = (complaintId: string) =>
    eventually(`routing decision of ${complaintId}`, async () => {
      const { rows } = await routing.db.query<{ data: { slaPolicyId?: string } }>(
        `SELECT data FROM events WHERE type = 'ComplaintRouted' AND data->>'complaintId' = $1`,
        [complaintId],
      );
      return rows[0]?.data;
    });

  const health = async (base: string) =>
    (await (await fetch(`${base}/health/sla`)).json()) as { status: string; missingCalendarYears: unknown[] };

  let before: string;
  let v1: Version;

  it('an sla version published at resolution decides new complaints at intake, routing and both resolution instances; older cases keep version 0', async () => {
    const old = await file();
    before = old.complaintId;
    expect(old.timeLimit.policy).toBe('default'); // the seed: no SLA_POLICY_DIR file, no SLA_TENANT_REGIMES
    expect(old.clocks.map((c) => c.decidedBy?.version)).toEqual(old.clocks.map(() => 0));

    const published = await publish('sla', { document: UK_DISP, reason: 'FCA DISP for the UK book' });
    expect(published.status).toBe(201);
    v1 = (await published.json()) as Version;
    expect(v1.version).toBe(1);

    // Every copy follows the policy topic: intake's (read through its own API), routing's and the other pod's.
    await eventually('intake applies sla v1', async () =>
      (await currentOn(intake.base, 'sla')).version === 1 ? true : undefined,
    );
    await eventually('routing applies sla v1', async () =>
      routing.app.get(ServicePolicies).inForce(TENANT, 'sla').version === 1 ? true : undefined,
    );
    await eventually('resolution b applies sla v1', async () =>
      (await currentOn(secondBase, 'sla')).version === 1 ? true : undefined,
    );

    const filed = await file();
    // Intake: the date told to the customer comes from the FCA's clock on England's calendar.
    expect(filed.timeLimit.policy).toBe('uk-fca-disp');
    expect(filed.timeLimit.message).toContain('Europe/London');
    // Routing: the regime's policy on the decision.
    expect(await routingDecision(filed.complaintId)).toMatchObject({ slaPolicyId: 'uk-fca-disp' });
    // Resolution: every clock names version 1 and its digest.
    expect(filed.clocks.find((c) => c.clock === 'regulatory')).toMatchObject({
      id: 'UK-FCA-DISP/regulatory',
      decidedBy: { version: 1, digest: v1.digest, policyId: 'uk-fca-disp', calendar: { version: 0 } },
    });
    // The case opened before still names the seed it started under.
    expect((await clocksOf(before)).every((c) => c.decidedBy?.version === 0)).toBe(true);
  });

  it('a version effective in the future waits for its instant', async () => {
    const effectiveFrom = new Date(Date.now() + 60_000).toISOString();
    const scheduled = await publish('sla', { document: CN_NFRA, effectiveFrom, reason: 'Back to NFRA next period' });
    expect(scheduled.status).toBe(201);
    await eventually('resolution b knows sla v2', async () => {
      const { versions } = await get<{ versions: Version[] }>(secondBase, '/policies/sla');
      return versions.some((v) => v.version === 2) ? true : undefined;
    });
    expect(await currentOn(secondBase, 'sla')).toMatchObject({ version: 1 });
    // A complaint received now runs v1; one received after the instant runs v2.
    const now = await routed(new Date().toISOString());
    expect(now.clocks.every((c) => c.decidedBy?.version === 1)).toBe(true);
    const later = await routed(new Date(Date.parse(effectiveFrom) + 1_000).toISOString());
    expect(later.clocks.find((c) => c.clock === 'regulatory')).toMatchObject({
      id: 'CN-NFRA/regulatory',
      decidedBy: { version: 2 },
    });
  });

  it('a calendar version adding 2027 moves a 2027 deadline and clears the warning that the year is missing', async () => {
    // Thursday 4 February 2027, 10:00 in Shanghai: one business day to acknowledge.
    const received = '2027-02-04T02:00:00.000Z';
    const acknowledgement = (clocks: Clock[]) => clocks.find((c) => c.clock === 'acknowledgement');
    const seededAcknowledgement = {
      dueAt: '2027-02-08T09:00:00.000Z',
      decidedBy: { version: 2, calendar: { version: 0 } },
    };
    const seeded = await routed(received);
    // Without 2027's notice only date-holidays' statutory days (5–7 February) are off: due Monday 8 February.
    expect(acknowledgement(seeded.clocks)).toMatchObject(seededAcknowledgement);
    const warned = [await health(resolution.base), await health(secondBase)];
    expect(warned.map((h) => h.status)).toContain('warning');

    const published = await publish('calendar', { document: CN_2027, reason: 'State Council notice for 2027' });
    expect(published.status).toBe(201);
    const calendar = (await published.json()) as Version;
    await eventually('resolution b applies calendar v1', async () =>
      (await currentOn(secondBase, 'calendar')).version === 1 ? true : undefined,
    );
    await eventually('intake applies calendar v1', async () =>
      (await currentOn(intake.base, 'calendar')).version === 1 ? true : undefined,
    );

    const counted = await routed(received);
    // 5–10 February off: the first working day after receipt is Thursday 11 February.
    expect(acknowledgement(counted.clocks)).toMatchObject({
      dueAt: '2027-02-11T09:00:00.000Z',
      decidedBy: { version: 2, calendar: { version: 1, digest: calendar.digest } },
    });
    expect(await health(resolution.base)).toEqual({ status: 'ok', missingCalendarYears: [] });
    expect(await health(secondBase)).toEqual({ status: 'ok', missingCalendarYears: [] });
    // The case counted before keeps its deadline: a running clock keeps the calendar it started on.
    expect(acknowledgement(await clocksOf(seeded.caseId))).toMatchObject(seededAcknowledgement);
  });

  it('refuses an sla document counting on a calendar the tenant does not have, naming the field', async () => {
    const bad = {
      ...UK_DISP,
      policies: [
        {
          id: 'branch-desk',
          regime: 'CN-NFRA',
          description: 'Branch desk',
          calendarId: 'CN-SH-BRANCH',
          clocks: [
            {
              kind: 'resolution',
              startsWhen: 'complaint-received',
              target: { amount: 10, unit: 'business-days' },
              extensionRequiresApproval: true,
              pausesWhileWaitingOnCustomer: false,
              warnAt: [0.5],
              source: 'house rule',
            },
          ],
        },
      ],
    };
    const refused = await publish('sla', { document: bad, reason: 'Branch desk' });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await refused.text()).toContain('document.policies.0.calendarId');
    // Intake applies the kinds but does not keep them: publishing there is a 404 naming the keeper.
    const elsewhere = await api(`${intake.base}/policies/sla/versions`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ document: UK_DISP, reason: 'wrong place' }),
    });
    expect(elsewhere.status).toBe(404);
  });
});
