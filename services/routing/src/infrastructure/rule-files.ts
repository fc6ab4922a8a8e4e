/**
 * The shipped rule and directory files as tables, outside any service: what the routing evaluation
 * (`npm run eval:routing`), the corpus and the file tests read. They are the seeds (version 0) of
 * the `routing-rules` and `department-directory` kinds; the service decides with the versions in
 * force (infrastructure/policies.ts). Reading and checking the files is libs/routing-data's.
 */
import { ROUTING_ROOT, RoutingSeeds } from '@complaints/routing-data';
import type { Directory } from '../domain/directory';
import type { RuleTable } from '../domain/rules';

export { loadDirectoryFiles, ROUTING_ROOT, RuleFileError } from '@complaints/routing-data';

export interface TenantRouting {
  table: RuleTable;
  directory: Directory;
}

/** Each tenant's seed table and directory; `default` serves tenants without a file. */
export class RoutingData {
  constructor(private readonly tenants: Map<string, TenantRouting>) {}

  static load(root = ROUTING_ROOT): RoutingData {
    const seeds = RoutingSeeds.load(root);
    return new RoutingData(
      new Map(
        seeds.tenantNames.map((tenant) => {
          const seed = seeds.for(tenant);
          return [tenant, { table: { ...seed.table, source: seed.tableSource }, directory: seed.directory }];
        }),
      ),
    );
  }

  private of(tenant: string): TenantRouting {
    const found = this.tenants.get(tenant) ?? this.tenants.get('default');
    if (!found) throw new Error('The routing data hold no default table');
    return found;
  }

  tableFor(tenant: string): RuleTable {
    return this.of(tenant).table;
  }

  /** The tenant's departments, queues and agents: no tenant routes to, or sees, another's staff. */
  directoryFor(tenant: string): Directory {
    return this.of(tenant).directory;
  }
}
