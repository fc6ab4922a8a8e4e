import { DEFAULT_DIRECTORY, directoryOf, whoToNotify } from '../domain/escalation';
import { approvalLimitsKind, AuthorityLimits } from './authority-limits';
import { escalationDirectoryKind } from './escalation-directory';

describe('the seeds of resolution’s policy kinds', () => {
  it('escalation-directory: DEFAULT_DIRECTORY as teams, valid under its own validator, notifying the same ids', () => {
    const { document, source } = escalationDirectoryKind.seed('bank-a');
    expect(source).toBe('DEFAULT_DIRECTORY');
    expect(escalationDirectoryKind.validate(document)).toEqual([]);
    expect(directoryOf(document)).toEqual(DEFAULT_DIRECTORY);
    expect(whoToNotify(directoryOf(document), 'cards', 'supervisor')).toEqual(['duty-supervisor']);
  });

  it('approval-limits: the tenant’s file, else default.json, valid under the same checks', () => {
    const kind = approvalLimitsKind(AuthorityLimits.load());
    expect(kind.seed('bank-a').source).toBe('limits/bank-a.json');
    expect(kind.seed('bank-unknown').source).toBe('limits/default.json');
    expect(kind.validate(kind.seed('bank-a').document)).toEqual([]);
    expect(
      kind.validate({ limits: { agent: { CNY: 500 }, supervisor: { CNY: 400 }, 'department-head': { CNY: 9000 } } }),
    ).toEqual([{ path: 'limits.supervisor.CNY', reason: "must be at least the agent's 500 CNY" }]);
  });

  it('escalation-directory: names a person without a contact point, a bad address and a missing fallback role', () => {
    expect(
      escalationDirectoryKind.validate({
        departments: {
          '*': {
            supervisor: [{ id: 'a', name: 'A', type: 'person', contacts: [] }],
            'department-head': [
              { id: 'b', name: 'B', type: 'team', contacts: [{ channel: 'email', address: 'nope' }] },
            ],
          },
        },
      }),
    ).toEqual([
      { path: 'departments.*.supervisor.0.contacts', reason: 'a person needs at least one contact point' },
      { path: 'departments.*.department-head.0.contacts.0.address', reason: 'must be an email address' },
      { path: 'departments.*.complaints-officer', reason: expect.stringMatching(/fallback department/) },
    ]);
  });
});
