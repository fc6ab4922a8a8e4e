import { InvalidStateError, NotFoundError, specification } from '@complaints/decider';
import type { CaseEvent } from './case';
import { caseDecider, type CaseCommand } from './case.decide';

const caseId = '0190a1b2-0000-7000-8000-000000000001';
const now = new Date('2026-03-02T08:00:00.000Z');
const spec = specification(caseDecider, {
  now,
  actor: { id: 'agent-7', role: 'agent' },
  tenant: 'bank-a',
  correlationId: 'c1',
});

const open: CaseCommand = {
  type: 'OpenCase',
  data: {
    complaintId: caseId,
    reference: 'CMP-2026-000001',
    department: 'cards',
    queue: 'bank-cards',
    category: 'card-fees',
    priority: 'normal',
  },
};
const opened: CaseEvent = {
  type: 'CaseOpened',
  data: {
    caseId,
    complaintId: caseId,
    reference: 'CMP-2026-000001',
    department: 'cards',
    queue: 'bank-cards',
    category: 'card-fees',
    priority: 'normal',
    openedAt: '2026-03-01T08:00:00.000Z',
    acknowledgeBy: '2026-03-02T08:00:00.000Z',
    resolveBy: '2026-03-16T08:00:00.000Z',
    slaPolicy: 'default-calendar-v1',
  },
};
const acknowledged: CaseEvent = {
  type: 'CaseAcknowledged',
  data: { caseId, channel: 'phone', summary: 'Called back', acknowledgedAt: '2026-03-01T09:00:00.000Z' },
};
const resolved: CaseEvent = {
  type: 'CaseResolved',
  data: { caseId, summary: 'Fee refunded', resolvedAt: '2026-03-02T07:00:00.000Z' },
};
const closed: CaseEvent = { type: 'CaseClosed', data: { caseId, closedAt: '2026-03-02T07:30:00.000Z' } };

const acknowledge: CaseCommand = {
  type: 'AcknowledgeCase',
  data: { caseId, channel: 'phone', summary: 'Called the customer' },
};
const resolve: CaseCommand = { type: 'ResolveCase', data: { caseId, summary: 'Annual fee refunded' } };
const close: CaseCommand = {
  type: 'CloseCase',
  data: { caseId, rootCause: 'Fee waiver not applied', improvementAction: 'Automate waivers' },
};

describe('opening a case', () => {
  it('opens the case with acknowledgement and resolution deadlines from the default policy', () => {
    spec
      .given([])
      .when(open)
      .then([
        {
          type: 'CaseOpened',
          data: {
            caseId,
            complaintId: caseId,
            reference: 'CMP-2026-000001',
            department: 'cards',
            queue: 'bank-cards',
            category: 'card-fees',
            priority: 'normal',
            openedAt: now.toISOString(),
            acknowledgeBy: '2026-03-03T08:00:00.000Z',
            resolveBy: '2026-03-17T08:00:00.000Z',
            slaPolicy: 'default-calendar-v1',
          },
        },
      ]);
  });

  it('gives an urgent case a shorter resolution deadline', () => {
    const events = caseDecider.decide(
      { ...open, data: { ...open.data, priority: 'urgent' } },
      caseDecider.initialState(),
      { now, actor: { id: 'r', role: 'system' }, tenant: 't', correlationId: 'c' },
    );
    expect(events[0]?.type === 'CaseOpened' && events[0].data.resolveBy).toBe('2026-03-04T08:00:00.000Z');
  });

  it('opens one case when the routing decision arrives twice', () => {
    spec.given([opened]).when(open).then([]);
  });
});

describe('acknowledging a case', () => {
  it('records the first contact with its channel and summary', () => {
    spec
      .given([opened])
      .when(acknowledge)
      .then([
        {
          type: 'CaseAcknowledged',
          data: { caseId, channel: 'phone', summary: 'Called the customer', acknowledgedAt: now.toISOString() },
        },
      ]);
  });
  it('refuses a case that does not exist', () => {
    spec
      .given([])
      .when(acknowledge)
      .thenThrows(NotFoundError, /Case .* was not found/);
  });
  it('refuses to acknowledge twice', () => {
    spec
      .given([opened, acknowledged])
      .when(acknowledge)
      .thenThrows(InvalidStateError, /Cannot acknowledge: the case is acknowledged/);
  });
});

describe('resolving a case', () => {
  it('records the resolution', () => {
    spec
      .given([opened, acknowledged])
      .when(resolve)
      .then([
        { type: 'CaseResolved', data: { caseId, summary: 'Annual fee refunded', resolvedAt: now.toISOString() } },
      ]);
  });
  it('refuses to resolve before the customer was contacted', () => {
    spec
      .given([opened])
      .when(resolve)
      .thenThrows(InvalidStateError, /the case is open \(acknowledge it to the customer first\)/);
  });
  it('refuses to resolve a closed case', () => {
    spec
      .given([opened, acknowledged, resolved, closed])
      .when(resolve)
      .thenThrows(InvalidStateError, /Cannot resolve: the case is closed/);
  });
});

describe('closing a case', () => {
  it('closes a resolved case with root cause and improvement action', () => {
    spec
      .given([opened, acknowledged, resolved])
      .when(close)
      .then([
        {
          type: 'CaseClosed',
          data: {
            caseId,
            rootCause: 'Fee waiver not applied',
            improvementAction: 'Automate waivers',
            closedAt: now.toISOString(),
          },
        },
      ]);
  });
  it('refuses to close an unresolved case', () => {
    spec
      .given([opened, acknowledged])
      .when(close)
      .thenThrows(InvalidStateError, /Cannot close: the case is acknowledged \(resolve it first\)/);
  });
  it('refuses to close twice', () => {
    spec
      .given([opened, acknowledged, resolved, closed])
      .when(close)
      .thenThrows(InvalidStateError, /the case is closed/);
  });
});
