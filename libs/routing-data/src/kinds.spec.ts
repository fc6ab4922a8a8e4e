import type { PolicyKindName, RelatedPolicies } from '@complaints/policy';
import type { Directory, RoutingRule, RuleTableDocument } from './documents';
import { departmentDirectoryKind, routingRulesKind } from './kinds';
import { RoutingSeeds } from './seeds';

const seeds = RoutingSeeds.load();
const rulesKind = routingRulesKind(seeds);
const directoryKind = departmentDirectoryKind(seeds);
const table = seeds.for('grid-east').table;
const directory = seeds.for('grid-east').directory;

/** The tenant's other policies in force: the given documents, else the seeds. */
const related = (documents: Partial<Record<PolicyKindName, unknown>> = {}): RelatedPolicies => ({
  tenant: 'grid-east',
  documentOf: <D>(kind: PolicyKindName) => (documents[kind] ?? (kind === 'routing-rules' ? table : directory)) as D,
});

const rule: RoutingRule = {
  id: 'new-desk',
  sector: 'power',
  department: 'billing',
  queue: 'power-billing',
  category: 'x',
  priority: 'normal',
  keywords: ['新'],
};

describe('the routing-rules kind', () => {
  it('seeds each tenant with its rule files flattened, and names them', () => {
    expect(rulesKind.seed('grid-east').source).toBe('default.json < grid-east.json');
    expect(rulesKind.seed('somebody-new').source).toBe('default.json');
    expect(rulesKind.validate(rulesKind.seed('grid-east').document, related())).toEqual([]);
  });

  it('refuses a rule naming a department or queue the directory in force lacks, naming the field', () => {
    const document: RuleTableDocument = {
      ...table,
      rules: [...table.rules, { ...rule, department: 'nowhere' }, { ...rule, id: 'other', queue: 'no-queue' }],
    };
    expect(rulesKind.validate(document)).toEqual([]); // alone, without the directory: a well-formed table
    expect(rulesKind.validate(document, related())).toEqual([
      {
        path: `rules.${table.rules.length}.department`,
        reason: expect.stringContaining('nowhere is not in the directory'),
      },
      {
        path: `rules.${table.rules.length + 1}.queue`,
        reason: expect.stringContaining('no-queue is not a queue of billing'),
      },
    ]);
  });

  it('refuses what a rule file would: a rule id twice, a missing defaultDegree, an unknown field', () => {
    const { defaultDegree: _dropped, ...withoutDegree } = table;
    const paths = (document: unknown) => rulesKind.validate(document).map((p) => p.path);
    expect(paths({ ...table, rules: [rule, rule] })).toEqual(['rules.1.id']);
    expect(paths(withoutDegree)).toEqual(['defaultDegree']);
    expect(paths({ ...table, extends: 'default' })).toEqual(['']);
  });
});

describe('the department-directory kind', () => {
  it('seeds each tenant with the directory files its rule file names', () => {
    const ids = directoryKind.seed('bank-a').document.departments.map((d) => d.id);
    expect(ids).toEqual(expect.arrayContaining(['triage', 'cards']));
    expect(ids).not.toContain('billing');
  });

  it('refuses a directory that drops a department the rules in force still route to, naming the rule', () => {
    const withoutBilling: Directory = { departments: directory.departments.filter((d) => d.id !== 'billing') };
    expect(directoryKind.validate(withoutBilling)).toEqual([]);
    const problems = directoryKind.validate(withoutBilling, related());
    expect(problems).toContainEqual({
      path: 'departments',
      reason: expect.stringMatching(/rule power-billing's department: billing is not in the directory/),
    });
    // Once the rules in force no longer name it, it may go.
    const rulesWithout = {
      ...table,
      rules: table.rules.filter((r) => r.department !== 'billing' && !r.contributingDepartments?.includes('billing')),
    };
    expect(directoryKind.validate(withoutBilling, related({ 'routing-rules': rulesWithout }))).toEqual([]);
  });

  it('refuses a department or agent queue defined twice or unknown, naming the field', () => {
    const [first] = directory.departments;
    const paths = (document: unknown) => directoryKind.validate(document).map((p) => p.path);
    expect(paths({ departments: [first, first] })).toEqual(['departments.1.id']);
    expect(
      paths({
        departments: [{ ...first, agents: [{ id: 'a', name: 'A', skills: [], capacity: 1, queues: ['nope'] }] }],
      }),
    ).toEqual(['departments.0.agents.0.queues.0']);
  });
});
