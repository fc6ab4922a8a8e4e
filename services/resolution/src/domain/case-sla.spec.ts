import { specification, type CommandMetadata } from '@complaints/decider';
import type { CaseEvent, CaseFacts, CaseState } from './case';
import { nextSlaCheck, readClocks } from './case-sla';
import { caseDecider, type CaseCommand } from './case.decide';
import { DEFAULT_POLICY } from '@complaints/sla';
import { PLAIN_UTC_CALENDAR, SEED_ESCALATIONS } from './testing';

const caseId = '0190a1b2-0000-7000-8000-0000000005a1';
const system = { id: 'sla-monitor', role: 'system' };
const meta = (now: string, actor = system): CommandMetadata => ({
  now: new Date(now),
  actor,
  tenant: 't',
  correlationId: 'c',
});
const spec = (now: string) => specification(caseDecider, meta(now));
const evaluate: CaseCommand = {
  type: 'EvaluateSla',
  data: { caseId, calendar: PLAIN_UTC_CALENDAR, directory: SEED_ESCALATIONS },
};

// Received Monday 2 March 2026, 10:00 UTC. Default policy: acknowledge within 1 business day
// (end of Tuesday's working hours, 17:00), resolve within 15 calendar days (end of 17 March).
const RECEIVED = '2026-03-02T10:00:00.000Z';
const ACK_DUE = '2026-03-03T17:00:00.000Z';
const opened: CaseEvent = caseDecider.decide(
  {
    type: 'OpenCase',
    data: {
      caseId,
      complaintId: caseId,
      reference: 'CMP-2026-000042',
      department: 'cards',
      queue: 'bank-cards',
      category: 'card-fees',
      priority: 'normal',
      receivedAt: RECEIVED,
      policy: DEFAULT_POLICY,
      calendar: PLAIN_UTC_CALENDAR,
    },
  },
  caseDecider.initialState(),
  meta(RECEIVED),
)[0]!;
const acknowledgedAt = (at: string): CaseEvent => ({
  type: 'CaseAcknowledged',
  data: { caseId, channel: 'phone', summary: 'Called', acknowledgedAt: at },
});
const facts = (events: CaseEvent[]): CaseFacts =>
  (events.reduce(caseDecider.evolve, caseDecider.initialState()) as Exclude<CaseState, { status: 'none' }>).facts;
const types = (events: CaseEvent[]) =>
  events.map((e) =>
    e.type === 'SlaWarningIssued'
      ? `${e.type}:${e.data.clock}:${e.data.threshold}`
      : e.type === 'SlaBreached'
        ? `${e.type}:${e.data.clock}`
        : e.type,
  );
const decide = (history: CaseEvent[], now: string, command: CaseCommand = evaluate) =>
  caseDecider.decide(command, history.reduce(caseDecider.evolve, caseDecider.initialState()), meta(now));

describe('SLA clocks of a case', () => {
  it('starts the acknowledgement and resolution clocks at receipt, and the follow-up clock only at resolution', () => {
    const clocks = readClocks(PLAIN_UTC_CALENDAR, facts([opened]), new Date('2026-03-02T12:00:00.000Z'));
    expect(clocks.map((c) => [c.clock, c.state, c.dueAt])).toEqual([
      ['acknowledgement', 'running', ACK_DUE],
      ['resolution', 'running', '2026-03-17T23:59:59.999Z'],
    ]);
  });

  it('warns at half and three quarters of the acknowledgement time, once each', () => {
    // 1 business day from Monday 10:00 = 15 working hours to Tuesday 17:00; 75% is 11.25 h → Tuesday 13:15.
    const warned = decide([opened], '2026-03-03T13:30:00.000Z');
    expect(types(warned)).toEqual(['SlaWarningIssued:acknowledgement:0.5', 'SlaWarningIssued:acknowledgement:0.75']);
    expect(decide([opened, ...warned], '2026-03-03T13:31:00.000Z')).toEqual([]);
  });

  it('records the breach and escalates to the supervisor, naming who was notified', () => {
    spec('2026-03-03T17:00:05.000Z')
      .given([opened])
      .when(evaluate)
      .then([
        ...[0.5, 0.75].map((threshold) => ({
          type: 'SlaWarningIssued' as const,
          data: {
            caseId,
            clock: 'acknowledgement' as const,
            threshold,
            dueAt: ACK_DUE,
            issuedAt: '2026-03-03T17:00:05.000Z',
          },
        })),
        {
          type: 'SlaBreached',
          data: {
            caseId,
            clock: 'acknowledgement',
            dueAt: ACK_DUE,
            breachedAt: ACK_DUE,
            detectedAt: '2026-03-03T17:00:05.000Z',
          },
        },
        {
          type: 'CaseEscalated',
          data: {
            caseId,
            fromLevel: 0,
            level: 1,
            escalatedTo: 'supervisor',
            reason: `The acknowledgement clock was due at ${ACK_DUE}`,
            trigger: 'sla-breach',
            clock: 'acknowledgement',
            notified: ['duty-supervisor'],
            directoryPolicy: SEED_ESCALATIONS.policy,
            escalatedAt: '2026-03-03T17:00:05.000Z',
          },
        },
      ]);
  });

  it('records every threshold passed, in order, when one evaluation passes the 50%, 75% and the breach', () => {
    // Nobody looked between receipt and well after the deadline (the monitor was down, or time moved on).
    const late = decide([opened], '2026-03-04T09:00:00.000Z');
    expect(types(late)).toEqual([
      'SlaWarningIssued:acknowledgement:0.5',
      'SlaWarningIssued:acknowledgement:0.75',
      'SlaBreached:acknowledgement',
      'CaseEscalated',
    ]);
    expect(
      readClocks(PLAIN_UTC_CALENDAR, facts([opened, ...late]), new Date('2026-03-04T09:00:00.000Z'))[0],
    ).toMatchObject({
      warningsIssued: [0.5, 0.75],
      state: 'breached',
    });
  });

  it('records a breach exactly once however often the monitor looks', () => {
    const first = decide([opened], '2026-03-04T09:00:00.000Z');
    expect(types(first).slice(-2)).toEqual(['SlaBreached:acknowledgement', 'CaseEscalated']);
    expect(types(decide([opened, ...first], '2026-03-04T09:00:01.000Z'))).toEqual([]);
  });

  it('records the breach even when the case was acknowledged one second after the deadline', () => {
    const late = acknowledgedAt('2026-03-03T17:00:01.000Z');
    expect(types(decide([opened, late], '2026-03-03T17:00:02.000Z'))).toEqual([
      'SlaWarningIssued:acknowledgement:0.5',
      'SlaWarningIssued:acknowledgement:0.75',
      'SlaBreached:acknowledgement',
      'CaseEscalated',
    ]);
  });

  it('records nothing for a clock met in time', () => {
    expect(types(decide([opened, acknowledgedAt('2026-03-02T11:00:00.000Z')], '2026-03-05T09:00:00.000Z'))).toEqual([]);
  });

  it('climbs to the department head when the supervisor does not acknowledge within 4 business hours', () => {
    const breach = decide([opened], '2026-03-03T17:00:05.000Z');
    // Escalated Tuesday 17:00 (after hours): 4 business hours end Wednesday 13:00.
    expect(types(decide([opened, ...breach], '2026-03-04T12:59:00.000Z'))).toEqual([]);
    const climbed = decide([opened, ...breach], '2026-03-04T13:00:00.000Z');
    expect(climbed).toMatchObject([
      {
        type: 'CaseEscalated',
        data: {
          fromLevel: 1,
          level: 2,
          escalatedTo: 'department-head',
          trigger: 'unacknowledged-escalation',
          notified: ['duty-department-head'],
        },
      },
    ]);
  });

  it('stops climbing once the supervisor acknowledges, and records who acknowledged', () => {
    const breach = decide([opened], '2026-03-03T17:00:05.000Z');
    const lead = { id: 'lead-2', role: 'supervisor' };
    const acknowledged = caseDecider.decide(
      { type: 'AcknowledgeEscalation', data: { caseId, level: 1 } },
      [opened, ...breach].reduce(caseDecider.evolve, caseDecider.initialState()),
      meta('2026-03-04T09:30:00.000Z', lead),
    );
    expect(acknowledged).toEqual([
      {
        type: 'EscalationAcknowledged',
        data: { caseId, level: 1, acknowledgedBy: lead, acknowledgedAt: '2026-03-04T09:30:00.000Z' },
      },
    ]);
    expect(types(decide([opened, ...breach, ...acknowledged], '2026-03-05T12:00:00.000Z'))).toEqual([]);
  });

  it('extends a calendar-day clock by a pause over the weekend while waiting on the customer', () => {
    const waiting: CaseEvent[] = [
      acknowledgedAt('2026-03-02T11:00:00.000Z'),
      {
        type: 'WaitingOnCustomerStarted',
        data: { caseId, reason: 'Needs the statement', since: '2026-03-06T17:00:00.000Z' },
      },
      {
        type: 'WaitingOnCustomerEnded',
        data: { caseId, waitedSince: '2026-03-06T17:00:00.000Z', endedAt: '2026-03-09T09:00:00.000Z' },
      },
    ];
    const resolution = readClocks(
      PLAIN_UTC_CALENDAR,
      facts([opened, ...waiting]),
      new Date('2026-03-10T00:00:00.000Z'),
    ).find((c) => c.clock === 'resolution')!;
    // Paused Friday 17:00 to Monday 09:00 = 64 hours added to the end of 17 March.
    expect(resolution.dueAt).toBe('2026-03-20T15:59:59.999Z');
  });

  it('tells the scheduler when to look next: the next warning, then nothing once every clock is settled', () => {
    expect(nextSlaCheck(PLAIN_UTC_CALENDAR, facts([opened]), new Date(RECEIVED))?.toISOString()).toBe(
      '2026-03-03T09:30:00.000Z',
    );
    const done: CaseEvent[] = [
      acknowledgedAt('2026-03-02T11:00:00.000Z'),
      {
        type: 'CaseClosed',
        data: { caseId, rootCause: 'x', improvementAction: 'y', closedAt: '2026-03-02T12:00:00.000Z' },
      },
    ];
    expect(
      nextSlaCheck(PLAIN_UTC_CALENDAR, facts([opened, ...done]), new Date('2026-03-02T12:00:00.000Z')),
    ).toBeUndefined();
  });

  it('starts the follow-up clock when the resolution is executed', () => {
    const executed: CaseEvent = {
      type: 'ResolutionExecuted',
      data: { caseId, optionId: 'o1', kind: 'apology', summary: 'Apologised', executedAt: '2026-03-05T10:00:00.000Z' },
    };
    const clocks = readClocks(
      PLAIN_UTC_CALENDAR,
      facts([opened, acknowledgedAt('2026-03-02T11:00:00.000Z'), executed]),
      new Date('2026-03-06T00:00:00.000Z'),
    );
    expect(clocks.map((c) => [c.clock, c.state])).toEqual([
      ['acknowledgement', 'met'],
      ['resolution', 'met'],
      ['follow-up', 'running'],
    ]);
  });
});
