import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classify, type ComplaintToRoute } from '../domain/classify';
import { EMPTY_WORKLOAD } from '../domain/directory';
import { routingDecider, type ComplaintRouted } from '../domain/routing';
import { ROUTING_ROOT, RoutingData, RuleFileError } from './rule-files';

const data = RoutingData.load();
const complaint = (description: string, overrides: Partial<ComplaintToRoute> = {}): ComplaintToRoute => ({
  complaintId: 'c',
  reference: 'r',
  channel: 'hotline',
  description,
  demands: [],
  target: { kind: 'other', name: '' },
  ...overrides,
});

/** A copy of the shipped data with one file changed. */
function withFile(folder: 'rules' | 'directory', file: string, change: (json: Record<string, unknown>) => unknown) {
  const root = mkdtempSync(join(tmpdir(), 'routing-data-'));
  cpSync(join(ROUTING_ROOT, 'rules'), join(root, 'rules'), { recursive: true });
  cpSync(join(ROUTING_ROOT, 'directory'), join(root, 'directory'), { recursive: true });
  const path = join(root, folder, file);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    // a new file
  }
  writeFileSync(path, JSON.stringify(change(json)));
  return root;
}
const rulesOf = (json: Record<string, unknown>) => json.rules as Record<string, unknown>[];

describe('the shipped rule tables', () => {
  it.each([
    ['电表计量不准，本月电费比上月高出三倍', 'metering'],
    ['因欠费停电，但我已经缴费了，至今未复电', 'collections'],
    ['小区计划停电没有提前通知', 'outage-operations'],
    ['My credit card annual fee was charged although it was waived', 'cards'],
    ['征信报告上有一条不属于我的逾期记录', 'credit-reporting'],
    ['There is an unauthorised transaction on my account', 'fraud'],
    ['营业厅工作人员服务态度恶劣', 'service-quality'],
  ])('route "%s" to %s by default', (description, department) => {
    expect(classify(complaint(description), data.tableFor('default')).department).toBe(department);
  });

  it.each([
    ['刷卡显示交易失败，但钱已经扣了', 'payments', 'payments'],
    ['给我妈跨行转账五天了还没到账', 'payments', 'payments'],
    ['同一笔消费被重复扣款两次', 'payments', 'payments'],
    ['ATM只吐了一半的钱，账户却扣了全额', 'payments', 'payments'],
    ['My debit card payment was declined at the shop but the money was taken from my account', 'payments', 'payments'],
    ['I was charged twice for the same purchase', 'payments', 'payments'],
    ['The cash machine dispensed £100 less than I asked for', 'payments', 'payments'],
    ['柜员说这个产品保本保息，跟存款一样，结果买的是分红险', 'consumer-protection', 'mis-selling'],
    ['客户经理隐瞒风险，把高风险基金卖给我七十岁的母亲', 'consumer-protection', 'mis-selling'],
    [
      'I was mis-sold a life insurance policy at the branch; I thought it was a deposit',
      'consumer-protection',
      'mis-selling',
    ],
    [
      'The adviser promised returns and said it was risk-free; nobody checked my risk profile',
      'consumer-protection',
      'mis-selling',
    ],
  ])('route a bank-a complaint "%s" to %s (%s)', (description, department, category) => {
    expect(classify(complaint(description), data.tableFor('bank-a'))).toMatchObject({ department, category });
  });

  it.each([
    ['card', 'Annual fee on a card', 'card-fees'],
    ['atm', 'ATM 0231 on Main Street', 'payments'],
    ['transaction', 'Transfer of 2 December', 'payments'],
    ['account', 'Savings account', 'account-activation'],
  ])('read the target kind %s as a sign of its category (bank-a)', (kind, name, category) => {
    const result = classify(complaint('请尽快处理', { target: { kind, name } }), data.tableFor('bank-a'));
    expect(result.category).toBe(category);
    expect(result.explanation[0]?.matchedFields).toContainEqual({ field: 'target.kind', value: kind });
  });

  describe('an insurer (insurer-x) with its own table and directory', () => {
    const insurer = data.tableFor('insurer-x');
    const departments = data.directoryFor('insurer-x').departments.map((d) => d.id);

    it('holds insurance and cross-sector rules only, and insurance and shared departments only', () => {
      expect(insurer.source).toBe('default.json < insurer-x.json');
      expect(new Set(insurer.rules.map((r) => r.sector))).toEqual(new Set(['insurance', 'any']));
      expect(departments.sort()).toEqual(
        ['claims', 'digital-channels', 'policy-services', 'sales-conduct', 'service-quality', 'triage'].sort(),
      );
    });

    it.each([
      '信用卡年费被多收了',
      'My credit card annual fee was charged twice and the ATM kept my card',
      '电表走得快，电费太高',
    ])("never sends an insurer's complaint to a bank's or a utility's department: \"%s\"", (description) => {
      expect(departments).toContain(classify(complaint(description), insurer).department);
    });

    it.each([
      ['车险报案一个多月了，理赔一直在审核中，没有结果', 'claim-delay'],
      ['My claim has been pending for three months and nobody gives me an update', 'claim-delay'],
      ['重疾险理赔被拒赔，说是既往症，属于责任免除', 'claim-denial'],
      ['They declined my claim saying water damage is not covered', 'claim-denial'],
      ['续保时保费上涨了40%，没有任何通知', 'premium-and-policy'],
      ['I asked to cancel my policy and still have not received the refund of the premium', 'premium-and-policy'],
      ['去银行存钱，说是存款，结果是分红保险，收益根本没有说的那么高', 'mis-selling'],
      ['I was told it was a savings plan with guaranteed returns; nobody explained it was insurance', 'mis-selling'],
      ['业务员伪造签名替我投保，还不接电话', 'agent-conduct'],
      ['The agent pressured me and forged my signature on the application', 'agent-conduct'],
    ])('classifies "%s" as %s', (description, category) => {
      expect(classify(complaint(description), insurer).category).toBe(category);
    });

    it('reads the target kinds claim, policy and agent', () => {
      const about = (kind: string) =>
        classify(complaint('请尽快处理', { target: { kind, name: 'P-1' } }), insurer).explanation[0];
      expect(about('claim')?.matchedFields).toContainEqual({ field: 'target.kind', value: 'claim' });
      expect(classify(complaint('请尽快处理', { target: { kind: 'policy', name: 'P-1' } }), insurer).category).toBe(
        'premium-and-policy',
      );
      expect(classify(complaint('请尽快处理', { target: { kind: 'agent', name: '王某' } }), insurer).category).toBe(
        'agent-conduct',
      );
    });
  });

  it('serve a tenant without a file of its own with the default table', () => {
    expect(data.tableFor('unknown-tenant').source).toBe('default.json');
  });

  it('give each tenant only its sector’s rules plus its own', () => {
    const bank = data.tableFor('bank-a');
    expect(bank.source).toBe('default.json < bank-a.json');
    expect(bank.rules.map((r) => r.sector).every((s) => s === 'bank' || s === 'any')).toBe(true);
    expect(classify(complaint('理财产品说好保本却亏了'), bank).department).toBe('wealth-management');
    expect(classify(complaint('停电了'), bank).department).toBe('triage');
    expect(classify(complaint('光伏并网两个月了'), data.tableFor('grid-east')).department).toBe('engineering');
  });

  it("give each tenant its own directory: a bank's departments and agents, never a utility's", () => {
    const departments = (tenant: string) => data.directoryFor(tenant).departments.map((d) => d.id);
    const agents = (tenant: string) => data.directoryFor(tenant).departments.flatMap((d) => d.agents.map((a) => a.id));
    expect(departments('bank-a')).toEqual(expect.arrayContaining(['triage', 'cards', 'fraud', 'wealth-management']));
    expect(departments('bank-a')).not.toEqual(expect.arrayContaining(['metering']));
    expect(departments('bank-a')).not.toContain('claims');
    expect(departments('grid-east')).toEqual(expect.arrayContaining(['triage', 'metering', 'outage-operations']));
    expect(departments('grid-east')).not.toContain('cards');
    expect(agents('grid-east').filter((a) => agents('bank-a').includes(a))).toEqual(
      data
        .directoryFor('bank-a')
        .departments.filter((d) => ['triage', 'service-quality', 'digital-channels'].includes(d.id))
        .flatMap((d) => d.agents.map((a) => a.id)),
    );
    // A tenant without a file of its own (default) has every directory file.
    expect(departments('unknown-tenant')).toEqual(expect.arrayContaining(['cards', 'metering', 'claims', 'triage']));
  });

  it.each([
    ['grid-east', '高温天停电一整天了，家里有八十多岁的老人', 'urgent', 'vulnerable-without-power'],
    [
      'grid-east',
      'No power since the morning in this heatwave and my mother is elderly',
      'urgent',
      'vulnerable-without-power',
    ],
    ['grid-east', '停电了，我父亲在家用制氧机', 'urgent', 'life-support-at-home'],
    ['grid-east', '停电了，家里有老人', 'high', 'vulnerable-customer'],
    ['grid-east', '电费算错了，我是独居老人', 'high', 'vulnerable-customer'],
    ['bank-a', 'My elderly father was charged an annual fee in the heatwave', 'high', 'vulnerable-customer'],
    ['bank-a', '我母亲是癌症病人，信用卡年费却照收', 'high', 'vulnerable-customer'],
  ])(
    'raise a vulnerable customer to urgent only where the rule says it is a danger (%s: "%s" → %s)',
    (tenant, text, priority, raiser) => {
      const result = classify(complaint(text), data.tableFor(tenant));
      expect(result.priority).toBe(priority);
      expect(result.explanation).toContainEqual(expect.objectContaining({ ruleId: raiser, kind: 'priority' }));
    },
  );

  it('start a suggestion at low priority', () => {
    const result = classify(complaint('建议营业厅周末也能办理电费业务'), data.tableFor('grid-east'));
    expect(result).toMatchObject({ degree: 'constructive', priority: 'low' });
  });

  it('give an English complaint to an agent with English, a Chinese one to an agent with Chinese', () => {
    const routeIn = (tenant: string, description: string, language: string) => {
      const [event] = routingDecider.decide(
        {
          type: 'RouteComplaint',
          data: {
            complaint: complaint(description, { language }),
            rules: data.tableFor(tenant),
            directory: data.directoryFor(tenant),
            workload: EMPTY_WORKLOAD,
          },
        },
        routingDecider.initialState(),
        { now: new Date(0), actor: { id: 'routing', role: 'system' }, tenant, correlationId: 'c' },
      );
      const routed = event!.data as ComplaintRouted;
      const agent = data
        .directoryFor(tenant)
        .departments.flatMap((d) => d.agents)
        .find((a) => a.id === routed.assignment?.agentId);
      return { routed, agent };
    };
    const english = routeIn('grid-east', 'We were disconnected for arrears although we paid', 'en-GB');
    expect(english.routed).toMatchObject({ department: 'collections', language: 'en' });
    expect(english.agent?.languages).toContain('en');
    const chinese = routeIn('grid-east', '因欠费停电，但我已经缴费了', 'zh-CN');
    expect(chinese.agent?.languages).toContain('zh');
  });

  it.each(['default', 'bank-a', 'grid-east', 'insurer-x'])(
    'staff every department queue of %s with agents for both zh and en complaints',
    (tenant) => {
      for (const department of data.directoryFor(tenant).departments) {
        for (const queue of department.queues) {
          const staffed = department.agents.filter((a) => !a.queues || a.queues.includes(queue.id));
          for (const language of ['zh', 'en']) {
            const speakers = staffed.filter((a) => a.languages?.includes(language));
            expect({ queue: queue.id, language, speakers: speakers.length > 0 }).toEqual({
              queue: queue.id,
              language,
              speakers: true,
            });
          }
        }
      }
    },
  );

  it('let a tenant override a raiser of the default by id: bank-a raises above CNY 3000', () => {
    expect(classify(complaint('年费扣了4000元'), data.tableFor('bank-a')).priority).toBe('high');
    expect(classify(complaint('年费扣了4000元'), data.tableFor('default')).priority).toBe('normal');
  });
});

describe('loading rule and directory files', () => {
  const failure = (root: string) => {
    try {
      RoutingData.load(root);
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected the load to fail');
  };

  it('fails naming the file and the field when a rule has a bad priority', () => {
    const root = withFile('rules', 'bank-a.json', (json) => ({
      ...json,
      rules: [{ ...rulesOf(json)[0], priority: 'asap' }],
    }));
    const error = failure(root);
    expect(error).toBeInstanceOf(RuleFileError);
    expect(error.message).toMatch(/rules[/\\]bank-a\.json is invalid at rules\.0\.priority: Invalid enum value/);
  });

  it('fails on an unknown field rather than ignoring a typo', () => {
    const error = failure(withFile('rules', 'grid-east.json', (json) => ({ ...json, sectorz: ['power'] })));
    expect(error.message).toMatch(/grid-east\.json is invalid at \(root\): Unrecognized key\(s\) in object: 'sectorz'/);
  });

  it('fails when a rule names a department the directory lacks', () => {
    const root = withFile('rules', 'bank-a.json', (json) => ({
      ...json,
      rules: [{ ...rulesOf(json)[0], department: 'wealth' }],
    }));
    expect(failure(root).message).toMatch(
      /bank-a\.json is invalid at rules\.bank-wealth-products\.department: wealth is not in the directory/,
    );
  });

  it('fails on a directory agent without capacity, and on a file that is not JSON', () => {
    const root = withFile('directory', 'bank.json', (json) => {
      const [first, ...rest] = json.departments as { agents: Record<string, unknown>[] }[];
      return { departments: [{ ...first, agents: [{ ...first!.agents[0], capacity: 0 }] }, ...rest] };
    });
    expect(failure(root).message).toMatch(/directory[/\\]bank\.json is invalid at departments\.0\.agents\.0\.capacity/);
    const broken = withFile('rules', 'broken.json', () => ({}));
    writeFileSync(join(broken, 'rules', 'broken.json'), '{ "rules": [');
    expect(failure(broken).message).toMatch(/broken\.json is invalid at \(root\): not readable JSON/);
  });

  it("fails when a tenant names a directory file that does not exist, or a rule names a department outside the tenant's directory", () => {
    const missing = failure(
      withFile('rules', 'bank-a.json', (json) => ({ ...json, directory: ['shared', 'banking'] })),
    );
    expect(missing.message).toMatch(/bank-a\.json is invalid at directory: no directory file banking\.json/);
    const outside = failure(
      withFile('rules', 'grid-east.json', (json) => ({ ...json, directory: ['shared', 'bank'] })),
    );
    expect(outside.message).toMatch(
      /grid-east\.json is invalid at rules\.[a-z-]+\.department: [a-z-]+ is not in the directory/,
    );
    const twice = failure(
      withFile('rules', 'bank-a.json', (json) => ({ ...json, directory: ['shared', 'bank', 'shared'] })),
    );
    expect(twice.message).toMatch(/bank-a\.json is invalid at directory: department triage is defined twice/);
  });

  it('fails when a tenant extends a table that does not exist', () => {
    const error = failure(withFile('rules', 'grid-east.json', (json) => ({ ...json, extends: 'power-base' })));
    expect(error.message).toMatch(/grid-east\.json is invalid at extends: no rule file power-base\.json/);
  });
});
