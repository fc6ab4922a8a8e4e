/**
 * The policy kinds routing keeps (its store, its admin API) and those it applies from the service that
 * keeps them (read from the policy topic): what its ServicePolicies holds (docs/policy.md).
 */
import { PolicyKinds, type ServicePolicyKinds } from '@complaints/policy';

export const routingServicePolicyKinds = (): ServicePolicyKinds => ({
  kept: new PolicyKinds([]),
  replicated: new PolicyKinds([]),
});
