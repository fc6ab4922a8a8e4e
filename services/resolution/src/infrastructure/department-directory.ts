/**
 * The departments (and their agents) each tenant has: the `department-directory` policy routing
 * keeps, which resolution REPLICATES from the policy topic (docs/policy.md), so a department
 * published on routing is one a case can be reassigned to, without a restart here. Before a tenant
 * publishes one, its seed applies: the directory files its rule file names under ROUTING_DATA_DIR,
 * read by the same code as routing's (libs/routing-data), which neither service owns alone.
 */
import { Injectable } from '@nestjs/common';
import { ServicePolicies } from '@complaints/policy';
import { DEPARTMENT_DIRECTORY, type Directory } from '@complaints/routing-data';
import type { DepartmentDirectory } from '../domain/departments';

/** What reassigning needs of a directory: its departments and their agents' ids. */
export const departmentsOf = (tenant: string, directory: Directory): DepartmentDirectory => ({
  tenant,
  departments: directory.departments.map((d) => ({ id: d.id, agents: d.agents.map((a) => a.id) })),
});

/** The version an event names (as published: its kind a string). */
interface NamedVersion {
  kind: string;
  version: number;
}

/** A reroute names a directory version this instance's replica does not hold yet: retried, not refused. */
export class DirectoryReplicaBehind extends Error {
  constructor(tenant: string, named: NamedVersion, held: number) {
    super(
      `The reroute was checked against ${named.kind} v${named.version} of ${tenant}; this instance holds v${held} so far: retried once the version arrives`,
    );
    this.name = 'DirectoryReplicaBehind';
  }
}

@Injectable()
export class Departments {
  constructor(private readonly policies: ServicePolicies) {}

  /** The tenant's directory in force at `at` (default now). */
  for(tenant: string, at?: Date): DepartmentDirectory {
    return departmentsOf(tenant, this.policies.inForce<Directory>(tenant, DEPARTMENT_DIRECTORY, at).document);
  }

  /**
   * The directory a reroute was checked against in routing: the version in force at the reroute,
   * which must be at least the one it names (the policy topic and the routing topic are read apart,
   * so the reroute may arrive first).
   */
  forReroute(tenant: string, at: Date, named?: NamedVersion): DepartmentDirectory {
    const version = this.policies.inForce<Directory>(tenant, DEPARTMENT_DIRECTORY, at);
    if (named && named.version > version.version) throw new DirectoryReplicaBehind(tenant, named, version.version);
    return departmentsOf(tenant, version.document);
  }
}
