/**
 * The tenant's departments a case can be handed to, with their agents: data from the department
 * directory (the files routing validates reroutes against), passed in with the command.
 */
import { RuleRejectedError } from '@complaints/decider';

export interface DepartmentDirectory {
  tenant: string;
  departments: { id: string; agents: string[] }[];
}

/** A case handed to a department the tenant lacks would vanish from every agent's view. */
export function requireDepartment(directory: DepartmentDirectory, department: string, agentId?: string): void {
  const found = directory.departments.find((d) => d.id === department);
  if (!found) {
    throw new RuleRejectedError(`Department ${department} is not in the directory of tenant ${directory.tenant}`, {
      department,
    });
  }
  if (agentId !== undefined && !found.agents.includes(agentId)) {
    throw new RuleRejectedError(`Agent ${agentId} is not in department ${department}`, { department, agentId });
  }
}
