/**
 * The policy kinds routing keeps (its store, its admin API) and those it applies from the service that
 * keeps them (read from the policy topic): what its ServicePolicies holds (docs/policy.md). Routing
 * keeps `routing-rules` and `department-directory` (libs/routing-data: documents, validators and
 * seeds, shared with resolution, which replicates the directory). `RoutingPolicies` is what the
 * decisions take from them: the table and directory in force at an instant, each with its version.
 */
import { Injectable } from '@nestjs/common';
import {
  PolicyKinds,
  refOf,
  ServicePolicies,
  type PolicyRef,
  type ServicePolicyKinds,
  type ServicePolicyTool,
} from '@complaints/policy';
import {
  DEPARTMENT_DIRECTORY,
  departmentDirectoryKind,
  ROUTING_RULES,
  routingRulesKind,
  RoutingSeeds,
  type RuleTableDocument,
} from '@complaints/routing-data';
import { slaPolicyKinds, SlaSeeds } from '@complaints/sla';
import type { Directory } from '../domain/directory';
import type { RuleTable } from '../domain/rules';
import { routingMigrations } from './migrations';

/** Routing keeps its rule tables and directories; `sla` and `calendar` are kept by resolution and replicated here (the same kinds and seeds). */
export const routingServicePolicyKinds = (seeds: RoutingSeeds, slaSeeds: SlaSeeds): ServicePolicyKinds => ({
  kept: new PolicyKinds([routingRulesKind(seeds), departmentDirectoryKind(seeds)]),
  replicated: new PolicyKinds(slaPolicyKinds(slaSeeds)),
});

/** What `npm run policy` needs of routing: its schema and the kinds it keeps, seeded from ROUTING_DATA_DIR. */
export const routingPolicyTool: ServicePolicyTool = {
  service: 'routing',
  migrations: routingMigrations,
  kept: (config) =>
    routingServicePolicyKinds(RoutingSeeds.load(config.policyFiles.routingDataDir), SlaSeeds.load(config.slaSeeds))
      .kept,
};

export interface TableInForce {
  table: RuleTable;
  policy: PolicyRef;
}

export interface DirectoryInForce {
  directory: Directory;
  policy: PolicyRef;
}

@Injectable()
export class RoutingPolicies {
  /** Built tables by tenant, version and digest: a version is immutable, so its table is built once. */
  private readonly tables = new Map<string, RuleTable>();

  constructor(readonly policies: ServicePolicies) {}

  /** The tenant's rule table in force at `at` (default now), naming its version. */
  tableAt(tenant: string, at?: Date): TableInForce {
    const version = this.policies.inForce<RuleTableDocument>(tenant, ROUTING_RULES, at);
    const key = `${tenant}\u0000${version.version}\u0000${version.digest}`;
    let table = this.tables.get(key);
    if (!table) {
      table = { ...version.document, source: version.source ?? `${ROUTING_RULES} v${version.version}` };
      this.tables.set(key, table);
    }
    return { table, policy: refOf(version) };
  }

  /** The tenant's departments, queues and agents in force at `at` (default now), naming the version. */
  directoryAt(tenant: string, at?: Date): DirectoryInForce {
    const version = this.policies.inForce<Directory>(tenant, DEPARTMENT_DIRECTORY, at);
    return { directory: version.document, policy: refOf(version) };
  }
}
