/**
 * Resolution's policy kinds (approval-limits, escalation-directory, sla, calendar) as audited data: versions in
 * the service's event store, a copy in every instance reloaded on each `policy.version-published.v1`
 * (libs/policy/src/policy-cache.ts says why), and what a decision takes from them with the version
 * it names. Before a tenant publishes a kind, its seed (today's file or preset) is version 0.
 */
import { Injectable } from '@nestjs/common';
import {
  PolicyKinds,
  refOf,
  ServicePolicies,
  type ServicePolicyKinds,
  type ServicePolicyTool,
} from '@complaints/policy';
import { departmentDirectoryKind, type RoutingSeeds } from '@complaints/routing-data';
import { slaPolicyKinds, SlaSeeds } from '@complaints/sla';
import type { AmountLimits } from '../domain/authority';
import { directoryOf, type DirectoryInForce, type EscalationDirectoryDocument } from '../domain/escalation';
import { approvalLimitsKind, AuthorityLimits, type LimitsDocument } from './authority-limits';
import { escalationDirectoryKind } from './escalation-directory';
import { resolutionMigrations } from './migrations';

/** The kinds resolution keeps, with their seeds (the limits files, DEFAULT_DIRECTORY, SLA_POLICY_DIR / SLA_TENANT_REGIMES). */
export const resolutionPolicyKinds = (seeds: AuthorityLimits, slaSeeds: SlaSeeds) =>
  new PolicyKinds([approvalLimitsKind(seeds), escalationDirectoryKind, ...slaPolicyKinds(slaSeeds)]);

/**
 * What resolution's ServicePolicies holds (the module's SERVICE_POLICY_KINDS provider): the kinds it
 * keeps, and routing's department directory, replicated to check reassignments (seeded from routing's files).
 */
export const resolutionServicePolicyKinds = (
  seeds: AuthorityLimits,
  routingSeeds: RoutingSeeds,
  slaSeeds: SlaSeeds,
): ServicePolicyKinds => ({
  kept: resolutionPolicyKinds(seeds, slaSeeds),
  replicated: new PolicyKinds([departmentDirectoryKind(routingSeeds)]),
});

/** What `npm run policy` needs of resolution: its schema and the kinds it keeps, seeded from RESOLUTION_LIMITS_DIR. */
export const resolutionPolicyTool: ServicePolicyTool = {
  service: 'resolution',
  migrations: resolutionMigrations,
  kept: (config) =>
    resolutionPolicyKinds(AuthorityLimits.load(config.policyFiles.resolutionLimitsDir), SlaSeeds.load(config.slaSeeds)),
};

/** What resolution's decisions take from its policies, each naming the version it comes from. */
@Injectable()
export class ResolutionPolicies {
  constructor(readonly policies: ServicePolicies) {}

  /** The approval limits a decision uses now, naming their version. */
  limitsFor(tenant: string, at?: Date): AmountLimits {
    const version = this.policies.inForce<LimitsDocument>(tenant, 'approval-limits', at);
    return {
      source: version.source ?? `approval-limits v${version.version}`,
      limits: version.document.limits,
      policy: refOf(version),
    };
  }

  /** Who escalations notify now, naming the directory's version. */
  directoryFor(tenant: string, at?: Date): DirectoryInForce {
    const version = this.policies.inForce<EscalationDirectoryDocument>(tenant, 'escalation-directory', at);
    return { directory: directoryOf(version.document), policy: refOf(version) };
  }
}
