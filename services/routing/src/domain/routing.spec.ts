import { specification } from '@complaints/decider';
import { DEFAULT_RULES } from './rules';
import { classify, routingDecider, type ComplaintToRoute, type RouteComplaint } from './routing';

const now = new Date('2026-03-02T08:30:00.000Z');
const spec = specification(routingDecider, {
  now,
  actor: { id: 'routing', role: 'system' },
  tenant: 't1',
  correlationId: 'c1',
});

function complaint(description: string, overrides: Partial<ComplaintToRoute> = {}): ComplaintToRoute {
  return {
    complaintId: '0190a1b2-0000-7000-8000-000000000001',
    reference: 'CMP-2026-000001',
    channel: 'hotline',
    description,
    demands: [],
    target: { kind: 'other', name: '' },
    ...overrides,
  };
}
const route = (c: ComplaintToRoute): RouteComplaint => ({
  type: 'RouteComplaint',
  data: { complaint: c, rules: DEFAULT_RULES },
});

describe('classifying complaints with the default rule table', () => {
  it.each([
    ['电表计量不准，本月电费比上月高出三倍', 'metering'],
    ['因欠费停电，但我已经缴费了，至今未复电', 'collections'],
    ['小区计划停电没有提前通知', 'outage-operations'],
    ['My credit card annual fee was charged although it was waived', 'cards'],
    ['征信报告上有一条不属于我的逾期记录', 'credit-reporting'],
    ['There is an unauthorised transaction on my account', 'fraud'],
    ['营业厅工作人员服务态度恶劣', 'service-quality'],
  ])('routes "%s" to %s', (description, department) => {
    expect(classify(complaint(description), DEFAULT_RULES).department).toBe(department);
  });

  it('sends a complaint no rule recognises to triage, never nowhere', () => {
    expect(classify(complaint('Something odd happened'), DEFAULT_RULES)).toMatchObject({
      department: 'triage',
      queue: 'triage',
      ruleId: null,
      category: 'unclassified',
    });
  });

  it('raises the priority when the customer threatens to go to the regulator', () => {
    expect(classify(complaint('年费问题不解决我就向银保监投诉'), DEFAULT_RULES)).toMatchObject({
      department: 'cards',
      priority: 'high',
    });
  });

  it('treats a complaint forwarded by a regulator as urgent', () => {
    expect(classify(complaint('annual fee dispute', { channel: 'regulator' }), DEFAULT_RULES).priority).toBe('urgent');
  });
});

describe('routing a complaint', () => {
  it('records the department, queue and priority with the time of the decision', () => {
    const c = complaint('电表计量不准');
    spec
      .given([])
      .when(route(c))
      .then([
        {
          type: 'ComplaintRouted',
          data: {
            complaintId: c.complaintId,
            reference: c.reference,
            channel: 'hotline',
            department: 'metering',
            queue: 'power-metering',
            category: 'metering',
            priority: 'normal',
            ruleId: 'power-metering',
            matchedKeywords: ['电表', '计量'],
            routedAt: now.toISOString(),
          },
        },
      ]);
  });

  it('keeps the first decision when the same complaint arrives again', () => {
    const c = complaint('电表计量不准');
    const first = routingDecider.decide(route(c), routingDecider.initialState(), {
      now,
      actor: { id: 'r', role: 'system' },
      tenant: 't1',
      correlationId: 'c',
    });
    spec
      .given(first)
      .when(route(complaint('停电')))
      .then([]);
  });
});
