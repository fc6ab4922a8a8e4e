import { InvalidStateError, RuleRejectedError, specification } from '@complaints/decider';
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
