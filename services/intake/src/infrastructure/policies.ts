/**
 * The policy kinds intake keeps (its store, its admin API) and those it applies from the service that
 * keeps them (read from the policy topic): what its ServicePolicies holds (docs/policy.md).
 */
import { PolicyKinds, type ServicePolicyKinds } from '@complaints/policy';
import { slaPolicyKinds, type SlaSeeds } from '@complaints/sla';

/** `sla` and `calendar` are kept by resolution and replicated here: the same kinds, the same seeds (SLA_POLICY_DIR, SLA_TENANT_REGIMES). */
export const intakeServicePolicyKinds = (slaSeeds: SlaSeeds): ServicePolicyKinds => ({
  kept: new PolicyKinds([]),
  replicated: new PolicyKinds(slaPolicyKinds(slaSeeds)),
});
