/**
 * 7b. Resolution's memory over an SLA run: a resolution process with the test clock opens
 * BENCH_SLA_CASES cases (complaint.routed.v1 produced to its topic), then the clock moves on in
 * steps of BENCH_SLA_STEP_H hours for BENCH_SLA_DAYS days while its SLA monitor evaluates what falls
 * due (warnings, breaches, escalations). Figures: RSS before and after the run, and the SLA events
 * recorded; the baseline is the same process's RSS once the cases are open.
 */
import { randomUUID } from 'node:crypto';
import { prefixed, toBinaryMessage, Topics } from '@complaints/contracts';
import type { StoredEvent } from '@complaints/eventstore';
import { toEnvelope, type IntegrationPayload } from '@complaints/messaging';
import { figure, type Figure } from '../lib/figures';
import { envNumber, log, sql, tokens, type BenchContext } from '../lib/context';
import { rawKafka } from '../lib/raw-kafka';
import { rssMB, startTopology } from '../lib/services';

const S = '7 memory';
const SCHEMA = 'sla_resolution';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function routed(complaintId: string) {
  const stored = {
    eventId: randomUUID(),
    streamVersion: 2,
    metadata: {
      tenant: 'default',
      actor: { id: 'routing-engine', role: 'system' },
      correlationId: randomUUID(),
      causationId: null,
      time: new Date().toISOString(),
    },
  } as unknown as StoredEvent;
  const payload: IntegrationPayload = {
    type: 'complaint.routed.v1',
    subject: complaintId,
    data: {
      complaintId,
      reference: `CMP-2026-${complaintId.slice(0, 6)}`,
      department: 'cards',
      queue: 'bank-cards',
      category: 'card-fees',
      priority: 'normal',
      ruleId: 'bank-card-fees',
      matchedKeywords: ['annual fee'],
      customerId: `C-${complaintId.slice(0, 4)}`,
      routedAt: new Date().toISOString(),
    },
  };
  return { key: complaintId, ...toBinaryMessage(toEnvelope(stored, '/complaints/routing', payload)) };
}

export async function slaMemoryScenario(ctx: BenchContext): Promise<Figure[]> {
  const cases = envNumber('BENCH_SLA_CASES', 2_000);
  const days = envNumber('BENCH_SLA_DAYS', 60);
  const stepMs = envNumber('BENCH_SLA_STEP_H', 6) * 3_600_000;
  const count = async (query: string, params: unknown[] = []) =>
    Number((await sql<{ n: string }>(ctx.databaseUrl, query, params))[0]?.n ?? 0);
  const asAdmin = { authorization: `Bearer ${tokens.admin!}` };
  const prefix = `${ctx.runId}-sla`;
  const topology = await startTopology(['resolution'], {
    databaseUrl: ctx.databaseUrl,
    kafkaBrokers: ctx.kafkaBrokers,
    topicPrefix: prefix,
    schemas: { resolution: SCHEMA },
    // The test clock moves time for the whole run; production refuses it, so this process runs as a test one.
    extraEnv: { TEST_CLOCK: 'enabled', NODE_ENV: 'test', SLA_POLL_INTERVAL_MS: '200' },
  });
  const resolution = topology.services.resolution!;
  const { producer } = await rawKafka(ctx, 'bench-sla');
  try {
    log(`sla memory: opening ${cases} cases`);
    for (let sent = 0; sent < cases; sent += 500) {
      const messages = Array.from({ length: Math.min(500, cases - sent) }, () => routed(randomUUID()));
      await producer.sendBatch({ acks: -1, topicMessages: [{ topic: prefixed(prefix, Topics.routing), messages }] });
    }
    const openDeadline = Date.now() + 300_000;
    while ((await count(`SELECT count(*) AS n FROM ${SCHEMA}.sla_checks`)) < cases) {
      if (Date.now() > openDeadline) throw new Error(`resolution opened fewer than ${cases} cases within 300 s`);
      await sleep(500);
    }
    await sleep(5_000);
    const before = rssMB(resolution.pid);
    let peak = before;
    const slaEvents = `SELECT count(*) AS n FROM ${SCHEMA}.events WHERE type IN ('SlaWarningIssued', 'SlaBreached', 'CaseEscalated')`;
    const recordedBefore = await count(slaEvents);
    log(`sla memory: ${cases} cases open, RSS ${before.toFixed(0)} MB; moving the clock ${days} days`);
    for (let moved = 0; moved < days * 86_400_000; moved += stepMs) {
      const response = await fetch(`${resolution.url}/test/clock`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...asAdmin },
        body: JSON.stringify({ advanceMs: stepMs }),
      });
      if (!response.ok) throw new Error(`PUT /test/clock answered ${response.status}`);
      const { now } = (await response.json()) as { now: string };
      // The monitor works off what fell due before the clock moves again.
      const dueNow = `SELECT count(*) AS n FROM ${SCHEMA}.sla_checks WHERE due_at <= $1`;
      const stepDeadline = Date.now() + 120_000;
      while ((await count(dueNow, [now])) > 0 && Date.now() < stepDeadline) await sleep(200);
      peak = Math.max(peak, rssMB(resolution.pid));
    }
    const recorded = (await count(slaEvents)) - recordedBefore;
    await sleep(5_000);
    const after = rssMB(resolution.pid);
    log(
      `sla memory: ${recorded} SLA events recorded; RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} -> ${after.toFixed(0)} MB`,
    );
    const baseline = { name: `resolution with ${cases} cases open, before the run`, value: before };
    const note = `${recorded} SLA events (warnings, breaches, escalations) over ${days} days of test clock`;
    return [
      figure(S, 'resolution peak RSS during an SLA run', peak, 'MB', { baseline, note }),
      figure(S, 'resolution RSS after an SLA run', after, 'MB', { baseline, note }),
    ];
  } finally {
    await producer.disconnect();
    await topology.stop();
  }
}
