import type { PolicyVersion, ServicePolicies } from '@complaints/policy';
import { departmentDirectoryKind, RoutingSeeds, type Directory } from '@complaints/routing-data';
import { Departments, DirectoryReplicaBehind, departmentsOf } from './department-directory';

describe('the department directory, as resolution reads it (the seed of the replicated kind)', () => {
  const kind = departmentDirectoryKind(RoutingSeeds.load());
  const directory = (tenant: string) => departmentsOf(tenant, kind.seed(tenant).document);
  const ids = (tenant: string) => directory(tenant).departments.map((d) => d.id);

  it('gives each tenant the departments of its rule file’s directory files only', () => {
    expect(ids('bank-a')).toEqual(expect.arrayContaining(['triage', 'cards', 'fraud']));
    expect(ids('bank-a')).not.toContain('billing');
    expect(ids('grid-east')).toEqual(expect.arrayContaining(['triage', 'billing']));
    expect(ids('grid-east')).not.toContain('cards');
  });

  it('gives a tenant without a rule file the default table’s directory, with agents', () => {
    expect(ids('somebody-new')).toEqual(expect.arrayContaining(['cards', 'billing', 'claims']));
    expect(directory('bank-a').departments.find((d) => d.id === 'fraud')?.agents).toContain('fr-01');
  });

  it('names the files the seed comes from', () => {
    expect(kind.seed('grid-east').source).toBe('directory/shared.json + directory/power.json');
  });
});

describe('a reroute applied against the replicated directory', () => {
  const published = new Date('2026-12-01T00:00:00Z');
  const desk = {
    id: 'smart-meters',
    name: 'Smart',
    queues: [{ id: 'smart-meters', name: 'Smart', strategy: 'round-robin' as const }],
    agents: [],
  };
  const seed = departmentDirectoryKind(RoutingSeeds.load()).seed('grid-east').document;
  /** This instance's copy: the seed, and version 1 (adding a desk) from `published` when it has arrived. */
  const copy = (arrived: boolean) =>
    new Departments({
      inForce: (_tenant: string, _kind: string, at: Date) =>
        ({
          version: arrived && at >= published ? 1 : 0,
          document: arrived && at >= published ? { departments: [...seed.departments, desk] } : seed,
        }) as Partial<PolicyVersion<Directory>>,
    } as unknown as ServicePolicies);
  const v1 = { kind: 'department-directory', version: 1, digest: 'd1' };
  const after = new Date('2026-12-02T00:00:00Z');

  it('checks it against the version in force at the reroute, the one routing checked', () => {
    const ids = copy(true)
      .forReroute('grid-east', after, v1)
      .departments.map((d) => d.id);
    expect(ids).toContain('smart-meters');
    expect(
      copy(true)
        .forReroute('grid-east', new Date('2026-11-30T00:00:00Z'))
        .departments.map((d) => d.id),
    ).not.toContain('smart-meters');
  });

  it('is retried, not refused, when the reroute names a version this copy has not received yet', () => {
    expect(() => copy(false).forReroute('grid-east', after, v1)).toThrow(DirectoryReplicaBehind);
  });
});
