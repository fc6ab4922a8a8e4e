import { departmentDirectoryKind, RoutingSeeds } from '@complaints/routing-data';
import { departmentsOf } from './department-directory';

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
