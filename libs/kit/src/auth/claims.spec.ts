import { IDENTITY_ROLE_MAP, mapRoles, stringsAt, valuesAt } from './claims';

const keycloak = {
  realm_access: { roles: ['offline_access', 'uma_authorization', 'complaints-agent'] },
  resource_access: {
    'complaints-api': { roles: ['complaints-supervisor'] },
    'my.dotted.client': { roles: ['dotted-role'] },
  },
  'https://example.com/roles': ['namespaced'],
  org: [{ tenant: 'bank-a' }, { tenant: 'bank-a' }],
  role: 'single',
  count: 3,
};

describe('claim paths', () => {
  it('walks dotted paths into nested objects', () => {
    expect(valuesAt(keycloak, 'realm_access.roles')).toEqual(keycloak.realm_access.roles);
    expect(valuesAt(keycloak, 'resource_access.complaints-api.roles')).toEqual(['complaints-supervisor']);
  });

  it('matches keys that hold dots whole (namespaced claims, dotted client ids)', () => {
    expect(valuesAt(keycloak, 'https://example.com/roles')).toEqual(['namespaced']);
    expect(valuesAt(keycloak, 'resource_access.my.dotted.client.roles')).toEqual(['dotted-role']);
  });

  it('walks through arrays and takes a single value as a list of one', () => {
    expect(valuesAt(keycloak, 'org.tenant')).toEqual(['bank-a', 'bank-a']);
    expect(valuesAt(keycloak, 'role')).toEqual(['single']);
  });

  it('finds nothing where nothing is, and never reaches into prototypes', () => {
    expect(valuesAt(keycloak, 'realm_access.missing')).toEqual([]);
    expect(valuesAt(keycloak, 'role.length')).toEqual([]);
    expect(valuesAt(keycloak, 'constructor')).toEqual([]);
    expect(valuesAt({}, '__proto__.toString')).toEqual([]);
  });

  it('unites several paths, each string once, non-strings dropped', () => {
    expect(
      stringsAt(keycloak, ['realm_access.roles', 'resource_access.complaints-api.roles', 'count', 'org.tenant']),
    ).toEqual(['offline_access', 'uma_authorization', 'complaints-agent', 'complaints-supervisor', 'bank-a']);
  });
});

describe('role mapping', () => {
  it('grants the mapped platform roles, in the platform order, and ignores names it does not hold', () => {
    const map = { 'complaints-agent': ['agent'], 'complaints-supervisor': ['supervisor', 'agent'] } as const;
    expect(mapRoles(['offline_access', 'complaints-supervisor', 'complaints-agent'], map)).toEqual([
      'agent',
      'supervisor',
    ]);
    expect(mapRoles(['offline_access', 'agent'], map)).toEqual([]);
  });

  it('without a map, a platform role grants itself and nothing else does', () => {
    expect(mapRoles(['offline_access', 'auditor', 'agent', 'toString'], IDENTITY_ROLE_MAP)).toEqual([
      'agent',
      'auditor',
    ]);
  });
});
