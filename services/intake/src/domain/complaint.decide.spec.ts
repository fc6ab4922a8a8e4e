import { InvalidStateError, NotFoundError, RuleRejectedError, specification } from '@complaints/decider';
import { complaintDecider, type RegisterComplaint } from './complaint.decide';

const now = new Date('2026-03-02T08:30:00.000Z');
const meta = { now, actor: { id: 'cti-95598', role: 'channel' }, tenant: 'grid-east', correlationId: 'corr-1' };
const spec = specification(complaintDecider, meta);

function registration(overrides: Partial<RegisterComplaint['data']> = {}): RegisterComplaint {
  return {
    type: 'RegisterComplaint',
    data: {
      complaintId: '0190a1b2-0000-7000-8000-000000000001',
      reference: 'CMP-2026-000001',
      channel: 'hotline',
      complainant: { name: '王女士', contact: { phone: '13800000000' } },
      description: '电表计量不准，本月电费比上月高出三倍',
      demands: ['校验电表', '退还多收电费'],
      target: { kind: 'meter', name: '电能表 3301-778' },
      occurredAt: '2026-03-01T10:00:00+08:00',
      language: 'zh',
      ...overrides,
    },
  };
}

describe('registering a complaint', () => {
  it('records the complaint as received, at the time of the decision', () => {
    const command = registration();
    spec
      .given([])
      .when(command)
      .then([
        {
          type: 'ComplaintReceived',
          data: { ...command.data, occurredAt: '2026-03-01T02:00:00.000Z', receivedAt: now.toISOString() },
        },
      ]);
  });

  it("records it as received when it reached the company, where the channel knows that (a call's start)", () => {
    const command = registration({ receivedAt: '2026-03-02T07:00:00.000Z' });
    spec
      .given([])
      .when(command)
      .then([
        {
          type: 'ComplaintReceived',
          data: { ...command.data, occurredAt: '2026-03-01T02:00:00.000Z', receivedAt: '2026-03-02T07:00:00.000Z' },
        },
      ]);
  });

  it('refuses a time of receipt after the decision, naming it', () => {
    spec
      .given([])
      .when(registration({ receivedAt: '2026-03-02T08:31:00.000Z' }))
      .thenThrows(RuleRejectedError, /receivedAt .* lies in the future/);
  });

  it('refuses to register the same complaint twice', () => {
    const command = registration();
    spec
      .given([{ type: 'ComplaintReceived', data: { ...command.data, receivedAt: now.toISOString() } }])
      .when(command)
      .thenThrows(InvalidStateError, /already registered/);
  });

  it('rejects a complaint about something that has not happened yet', () => {
    spec
      .given([])
      .when(registration({ occurredAt: '2026-03-03T08:30:00.000Z' }))
      .thenThrows(RuleRejectedError, /occurredAt .* lies in the future/);
  });

  it('rejects a complainant who cannot be contacted', () => {
    spec
      .given([])
      .when(registration({ complainant: { name: 'Anonymous', contact: {} } }))
      .thenThrows(RuleRejectedError, /at least one way to be contacted/);
  });
});

describe('possible duplicates and repeat complainants', () => {
  const earlier = {
    complaintId: '0190a1b2-0000-7000-8000-0000000000e1',
    reference: 'CMP-2026-000040',
    similarity: 0.62,
  };
  const withHistory = (similar: (typeof earlier)[], earlierInWindow: number): RegisterComplaint => ({
    ...registration(),
    data: { ...registration().data, history: { similar, earlierInWindow } },
  });

  it('links a complaint that reads like an earlier one of the same customer, without dropping it', () => {
    const events = complaintDecider.decide(withHistory([earlier], 1), complaintDecider.initialState(), meta);
    expect(events.map((e) => e.type)).toEqual(['ComplaintReceived', 'PossibleDuplicateLinked']);
    expect(events[1]).toEqual({
      type: 'PossibleDuplicateLinked',
      data: { complaintId: registration().data.complaintId, duplicateOf: earlier, linkedAt: now.toISOString() },
    });
  });

  it('flags a repeat complainant at the third complaint in 30 days', () => {
    expect(
      complaintDecider.decide(withHistory([], 1), complaintDecider.initialState(), meta).map((e) => e.type),
    ).toEqual(['ComplaintReceived']);
    expect(complaintDecider.decide(withHistory([], 2), complaintDecider.initialState(), meta)).toContainEqual({
      type: 'RepeatComplainantFlagged',
      data: {
        complaintId: registration().data.complaintId,
        complaintsInWindow: 3,
        windowDays: 30,
        flaggedAt: now.toISOString(),
      },
    });
  });

  it('undoes a duplicate link with a reason, and refuses to undo one that does not exist', () => {
    const registered = complaintDecider.decide(withHistory([earlier], 0), complaintDecider.initialState(), meta);
    const unlink = {
      type: 'UnlinkDuplicate' as const,
      data: { complaintId: registration().data.complaintId, duplicateOf: earlier.complaintId, reason: 'Another card' },
    };
    spec
      .given(registered)
      .when(unlink)
      .then([{ type: 'DuplicateLinkRemoved', data: { ...unlink.data, removedAt: now.toISOString() } }]);
    spec
      .given(registered.slice(0, 1))
      .when(unlink)
      .thenThrows(InvalidStateError, /not linked to/);
  });
});

describe('erasing the complainant', () => {
  const registered = complaintDecider.decide(registration(), complaintDecider.initialState(), meta);
  const erase = {
    type: 'RecordErasure' as const,
    data: { complaintId: registration().data.complaintId, subjectId: 'ds-0123456789abcdef0123456789abcdef' },
  };

  it('records the erasure on the complaint, once', () => {
    spec
      .given(registered)
      .when(erase)
      .then([{ type: 'ComplainantErased', data: { ...erase.data, erasedAt: now.toISOString() } }]);
    spec
      .given([...registered, { type: 'ComplainantErased', data: { ...erase.data, erasedAt: now.toISOString() } }])
      .when(erase)
      .then([]);
  });

  it('refuses to record an erasure on a complaint that does not exist', () => {
    spec
      .given([])
      .when(erase)
      .thenThrows(NotFoundError, /not found/i);
  });
});
