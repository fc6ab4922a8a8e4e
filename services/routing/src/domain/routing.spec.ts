import { NotFoundError, RuleRejectedError, specification, type CommandMetadata } from '@complaints/decider';
import { EMPTY_WORKLOAD } from './directory';
import { classify, routingDecider, type ComplaintRouted, type RerouteComplaint, type RouteComplaint } from './routing';
import { complaint, DIRECTORY, TABLE } from './testing';

const now = new Date('2026-03-02T08:30:00.000Z');
const meta = (role = 'system'): CommandMetadata => ({
  now,
  actor: { id: role === 'system' ? 'routing' : `${role}-1`, role },
  tenant: 't1',
  correlationId: 'c1',
});
const spec = (role?: string) => specification(routingDecider, meta(role));
const route = (description: string, overrides = {}): RouteComplaint => ({
  type: 'RouteComplaint',
  data: { complaint: complaint(description, overrides), rules: TABLE, directory: DIRECTORY, workload: EMPTY_WORKLOAD },
});
const routed = (description: string) =>
  routingDecider.decide(route(description), routingDecider.initialState(), meta());
const reroute = (data: Partial<RerouteComplaint['data']> = {}): RerouteComplaint => ({
  type: 'RerouteComplaint',
  data: {
    complaintId: complaint('').complaintId,
    department: 'billing',
    reason: 'A tariff question, not a meter fault',
    directory: DIRECTORY,
    workload: EMPTY_WORKLOAD,
    rules: TABLE,
    ...data,
  },
});

describe('classifying a complaint with a rule table', () => {
  it('picks the rule whose keywords and fields weigh most, and says why', () => {
    const result = classify(complaint('电表计量不准，电费高', { target: { kind: 'meter', name: '电能表' } }), TABLE);
    expect(result).toMatchObject({ department: 'metering', ruleId: 'power-metering', contentCategory: 'quality' });
    expect(result.explanation[0]).toEqual({
      ruleId: 'power-metering',
      kind: 'classification',
      matchedKeywords: ['电表', '计量'],
      matchedFields: [{ field: 'target.kind', value: 'meter' }],
      contribution: 'chose department metering, queue power-metering, category metering (score 6)',
      score: 6,
    });
    expect(result.explanation[1]).toMatchObject({ ruleId: 'power-billing', kind: 'runner-up' });
  });

  it('counts words found in the demands as a structured field', () => {
    const result = classify(complaint('Charged again', { demands: ['Refund the fee'] }), TABLE);
    expect(result).toMatchObject({ department: 'cards' });
    expect(result.explanation[0]?.matchedFields).toEqual([{ field: 'demands', value: 'refund the fee' }]);
  });

  it('sends a complaint no rule recognises to triage, never nowhere', () => {
    expect(classify(complaint('Something odd happened'), TABLE)).toMatchObject({
      department: 'triage',
      queue: 'triage',
      ruleId: null,
      category: 'unclassified',
      explanation: [
        expect.objectContaining({ kind: 'triage', contribution: 'no rule matched: sent to triage' }),
        expect.objectContaining({ ruleId: 'degree-classifier', kind: 'degree' }),
      ],
    });
  });

  it('sends a complaint two departments fit equally well to triage rather than guessing', () => {
    const result = classify(complaint('电表和电费'), TABLE);
    expect(result.department).toBe('triage');
    expect(result.explanation.map((f) => f.ruleId)).toEqual([
      'power-metering',
      'power-billing',
      'triage',
      'degree-classifier',
    ]);
  });

  it('matches English keywords as whole words, so "sue" is not found in "issue"', () => {
    const court = { ...TABLE, priorityRaisers: [{ id: 'sue', raiseTo: 'high' as const, keywords: ['sue'] }] };
    expect(classify(complaint('annual fee issue'), court).priority).toBe('normal');
    expect(classify(complaint('annual fee: I sued them before'), court).priority).toBe('high');
  });

  it.each([
    ['年费问题不解决我就向银保监投诉', 'high', 'threatens'],
    ['My elderly mother was charged the annual fee', 'high', 'vulnerable'],
    ['年费扣了我¥6,000', 'high', 'large-amount'],
    ['annual fee of $300', 'normal', undefined],
  ])('raises the priority for "%s" to %s', (description, priority, raiser) => {
    const result = classify(complaint(description), TABLE);
    expect(result.priority).toBe(priority);
    if (raiser)
      expect(result.explanation).toContainEqual(expect.objectContaining({ ruleId: raiser, kind: 'priority' }));
  });

  it('raises only when every allOf group is found and the complaint is in one of the raiser’s categories', () => {
    const table = {
      ...TABLE,
      priorityRaisers: [
        {
          id: 'danger',
          raiseTo: 'urgent' as const,
          categories: ['metering'],
          allOf: [
            ['elderly', '老人'],
            ['heatwave', '高温'],
          ],
        },
      ],
    };
    const danger = classify(complaint('meter broken in the heatwave, my elderly father'), table);
    expect(danger.priority).toBe('urgent');
    expect(danger.explanation).toContainEqual(
      expect.objectContaining({ ruleId: 'danger', matchedKeywords: ['elderly', 'heatwave'] }),
    );
    expect(classify(complaint('meter broken, my elderly father'), table).priority).toBe('normal');
    expect(classify(complaint('tariff wrong in the heatwave, my elderly father'), table).priority).toBe('normal');
  });

  it('starts a suggestion at the table’s constructivePriority, then lets raisers raise it', () => {
    const table = { ...TABLE, constructivePriority: 'low' as const };
    expect(classify(complaint('建议电表装在门外'), table).priority).toBe('low');
    expect(classify(complaint('建议电表装在门外', { channel: 'regulator' }), table).priority).toBe('urgent');
    expect(classify(complaint('建议电表装在门外'), TABLE).priority).toBe('normal');
  });

  it('treats a complaint forwarded by a regulator as urgent, naming the channel', () => {
    const result = classify(complaint('annual fee dispute', { channel: 'regulator' }), TABLE);
    expect(result.priority).toBe('urgent');
    expect(result.explanation).toContainEqual(
      expect.objectContaining({
        ruleId: 'regulator-referral',
        matchedFields: [{ field: 'channel', value: 'regulator' }],
      }),
    );
  });

  it.each([
    ['我要举报你们乱收年费', 'accusatory'],
    ['建议年费政策写清楚', 'constructive'],
    ['年费收错了', 'critical'],
  ])('reads the degree of "%s" as %s', (description, degree) => {
    expect(classify(complaint(description), TABLE).degree).toBe(degree);
  });

  it.each([
    ['柜员私自把我的定期存款转成了保险', 'accusatory'],
    ['It would help if the annual fee letter came a month earlier', 'constructive'],
  ])('reads the degree of "%s" as %s without the table naming the words', (description, degree) => {
    const result = classify(complaint(description), TABLE);
    expect(result.degree).toBe(degree);
    expect(result.explanation).toContainEqual(
      expect.objectContaining({ ruleId: 'degree-classifier', kind: 'degree', contribution: expect.any(String) }),
    );
  });

  it('names a lead and contributing departments when the rule says they must cooperate', () => {
    expect(classify(complaint('roadworks cut our cable'), TABLE)).toMatchObject({
      department: 'engineering',
      leadDepartment: 'engineering',
      contributingDepartments: ['outage-operations'],
    });
  });
});

describe('routing a complaint', () => {
  it('records the classification, its explanation, the rule table and the assignment', () => {
    const c = complaint('电表计量不准');
    const classification = classify(c, TABLE);
    spec()
      .given([])
      .when(route('电表计量不准'))
      .then([
        {
          type: 'ComplaintRouted',
          data: {
            complaintId: c.complaintId,
            reference: c.reference,
            channel: 'hotline',
            ...classification,
            ruleTable: 'test.json',
            assignment: {
              strategy: 'skills-match',
              agentId: 'met-1',
              reason: 'skills-match in queue power-metering',
              requiredSkills: ['metering'],
            },
            routedAt: now.toISOString(),
          } satisfies ComplaintRouted,
        },
      ]);
  });

  it('passes on the pseudonymous customer key and the data subject id when the complaint has them', () => {
    const subject = {
      customerId: 'ds-0123456789abcdef0123456789abcdef',
      subjectId: 'ds-0123456789abcdef0123456789abcdef',
    };
    const [event] = routingDecider.decide(route('电表计量不准', subject), routingDecider.initialState(), meta());
    expect(event?.data).toMatchObject(subject);
    const [anonymous] = routingDecider.decide(route('电表计量不准'), routingDecider.initialState(), meta());
    expect(anonymous?.data).not.toHaveProperty('subjectId');
  });

  it('keeps the first decision when the same complaint arrives again', () => {
    spec().given(routed('电表计量不准')).when(route('年费')).then([]);
  });
});

describe('rerouting a complaint', () => {
  it('moves it to another department with the reason, the supervisor and where it was before', () => {
    const [event] = routingDecider.decide(
      reroute({ priority: 'high' }),
      routed('电表计量不准').reduce(routingDecider.evolve, routingDecider.initialState()),
      meta('supervisor'),
    );
    expect(event).toEqual({
      type: 'ComplaintRerouted',
      data: expect.objectContaining({
        department: 'billing',
        queue: 'power-billing',
        category: 'billing-tariff',
        priority: 'high',
        degree: 'critical',
        agentId: 'bil-1',
        from: {
          department: 'metering',
          queue: 'power-metering',
          category: 'metering',
          priority: 'normal',
          degree: 'critical',
          agentId: 'met-1',
        },
        reason: 'A tariff question, not a meter fault',
        reroutedBy: { id: 'supervisor-1', role: 'supervisor' },
        assignment: { strategy: 'least-loaded', agentId: 'bil-1', reason: 'least-loaded in queue power-billing' },
        reroutedAt: now.toISOString(),
      }),
    });
  });

  it('gives a rerouted English complaint to an agent with English in the new department', () => {
    const bilingual = {
      departments: DIRECTORY.departments.map((d) =>
        d.id === 'billing'
          ? { ...d, agents: d.agents.map((a) => ({ ...a, languages: a.id === 'bil-3' ? ['zh', 'en'] : ['zh'] })) }
          : d,
      ),
    };
    const command = route('The meter is wrong', { language: 'en' });
    const english = routingDecider.decide(command, routingDecider.initialState(), meta());
    expect(english[0]?.data).toMatchObject({ language: 'en' });
    const state = english.reduce(routingDecider.evolve, routingDecider.initialState());
    const [moved] = routingDecider.decide(reroute({ directory: bilingual }), state, meta('supervisor'));
    expect(moved?.data).toMatchObject({
      agentId: 'bil-3',
      assignment: expect.objectContaining({ requiredSkills: ['en'] }),
    });
  });

  it('refuses to reroute a complaint that has not been routed: there is no routing to move (404)', () => {
    spec('supervisor')
      .given([])
      .when(reroute())
      .thenThrows(NotFoundError, /Routing of complaint .* was not found/);
  });

  it('refuses a reroute by an agent: only a supervisor or above may overrule the engine', () => {
    spec('agent')
      .given(routed('电表计量不准'))
      .when(reroute())
      .thenThrows(RuleRejectedError, /Only a supervisor or above may reroute a complaint; agent-1 acts as agent/);
  });

  it('refuses a department or queue the directory does not know', () => {
    spec('department-head')
      .given(routed('电表'))
      .when(reroute({ department: 'nowhere' }))
      .thenThrows(RuleRejectedError, /nowhere is not in the directory/);
    spec('department-head')
      .given(routed('电表'))
      .when(reroute({ queue: 'bank-cards' }))
      .thenThrows(RuleRejectedError, /Queue bank-cards does not belong to department billing/);
  });

  describe('out of triage: a reroute states what the case is about', () => {
    const triaged = () => routed('Something happened and I am unhappy');
    const state = () => triaged().reduce(routingDecider.evolve, routingDecider.initialState());
    const TWO_BILLING_CATEGORIES = {
      ...TABLE,
      rules: [
        ...TABLE.rules,
        { ...TABLE.rules[1]!, id: 'power-arrears', category: 'billing-arrears', priority: 'high' as const },
      ],
    };

    it('takes the category, priority and degree the supervisor chose', () => {
      expect(triaged()[0]!.data).toMatchObject({ department: 'triage', category: 'unclassified' });
      const [event] = routingDecider.decide(
        reroute({ category: 'billing-tariff', priority: 'high', degree: 'accusatory' }),
        state(),
        meta('supervisor'),
      );
      expect(event!.data).toMatchObject({
        department: 'billing',
        category: 'billing-tariff',
        priority: 'high',
        degree: 'accusatory',
        from: { department: 'triage', category: 'unclassified', priority: 'normal' },
      });
    });

    it('takes the category and priority the department’s rule implies when the supervisor names none', () => {
      const [event] = routingDecider.decide(
        reroute({
          rules: {
            ...TABLE,
            rules: TABLE.rules.map((r) => (r.department === 'billing' ? { ...r, priority: 'high' as const } : r)),
          },
        }),
        state(),
        meta('supervisor'),
      );
      expect(event!.data).toMatchObject({ department: 'billing', category: 'billing-tariff', priority: 'high' });
    });

    it('refuses (422) a reroute out of triage that names no category where the department implies none', () => {
      spec('supervisor')
        .given(triaged())
        .when(reroute({ rules: TWO_BILLING_CATEGORIES }))
        .thenThrows(RuleRejectedError, /A complaint leaving triage needs a category.*billing-arrears, billing-tariff/);
    });

    it('refuses (422) a category the tenant’s rule table does not know, unclassified included', () => {
      for (const category of ['made-up', 'unclassified']) {
        spec('supervisor')
          .given(triaged())
          .when(reroute({ category }))
          .thenThrows(RuleRejectedError, new RegExp(`Category ${category} is not in the rule table`));
      }
    });
  });
});

describe('naming the policy versions a decision was taken under', () => {
  const policies = {
    rulesPolicy: { kind: 'routing-rules' as const, version: 3, digest: 'r3' },
    directoryPolicy: { kind: 'department-directory' as const, version: 0, digest: 'd0' },
  };

  it('names the rule table and directory versions on the routing', () => {
    const command = route('电表计量不准');
    const [event] = routingDecider.decide(
      { ...command, data: { ...command.data, policies } },
      routingDecider.initialState(),
      meta(),
    );
    expect(event?.data).toMatchObject(policies);
  });

  it('names them on a reroute, and leaves them out when none were given (as before versions)', () => {
    const state = routed('电表计量不准').reduce(routingDecider.evolve, routingDecider.initialState());
    const [withPolicies] = routingDecider.decide(reroute({ policies }), state, meta('supervisor'));
    expect(withPolicies?.data).toMatchObject(policies);
    const [without] = routingDecider.decide(reroute(), state, meta('supervisor'));
    expect(without?.data).not.toHaveProperty('rulesPolicy');
  });
});
