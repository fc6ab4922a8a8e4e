/**
 * Routing's policy kinds (docs/policy.md): `routing-rules`, a tenant's whole rule table, and
 * `department-directory`, its departments, queues and agents. Routing keeps both; resolution
 * replicates the directory to check reassignments. Each kind's seed is today's files (RoutingSeeds);
 * with the tenant's other policies in force (`related`), each is checked against the other, so a
 * published table never names a department the directory lacks, nor a directory drops one the
 * rules in force still route to.
 */
import { problemsOf, type PolicyKind, type PolicyProblem, type RelatedPolicies } from '@complaints/policy';
import type { Directory, RuleTableDocument } from './documents';
import { directoryDocument, ruleTableDocument, rulesAgainstDirectory } from './schemas';
import type { RoutingSeeds } from './seeds';

export const ROUTING_RULES = 'routing-rules' as const;
export const DEPARTMENT_DIRECTORY = 'department-directory' as const;

export function routingRulesKind(seeds: RoutingSeeds): PolicyKind<RuleTableDocument> {
  return {
    name: ROUTING_RULES,
    validate(document: unknown, related?: RelatedPolicies): PolicyProblem[] {
      const parsed = ruleTableDocument.safeParse(document);
      if (!parsed.success) return problemsOf(parsed.error.issues);
      if (!related) return [];
      const directory = related.documentOf<Directory>(DEPARTMENT_DIRECTORY);
      return rulesAgainstDirectory(parsed.data.rules, directory).map((gap) => ({
        path: `rules.${gap.index}.${gap.field}`,
        reason: `rule ${gap.rule.id}: ${gap.reason} of tenant ${related.tenant}`,
      }));
    },
    seed: (tenant) => {
      const seed = seeds.for(tenant);
      return { document: seed.table, source: seed.tableSource };
    },
  };
}

export function departmentDirectoryKind(seeds: RoutingSeeds): PolicyKind<Directory> {
  return {
    name: DEPARTMENT_DIRECTORY,
    validate(document: unknown, related?: RelatedPolicies): PolicyProblem[] {
      const parsed = directoryDocument.safeParse(document);
      if (!parsed.success) return problemsOf(parsed.error.issues);
      if (!related) return [];
      const { rules } = related.documentOf<RuleTableDocument>(ROUTING_RULES);
      // The path is the directory's: the department a rule in force still needs is missing from it.
      return rulesAgainstDirectory(rules, parsed.data).map((gap) => ({
        path: 'departments',
        reason: `the routing rules in force still need it: rule ${gap.rule.id}'s ${gap.field}: ${gap.reason}; publish rules without it first`,
      }));
    },
    seed: (tenant) => {
      const seed = seeds.for(tenant);
      return { document: seed.directory, source: seed.directorySource };
    },
  };
}
