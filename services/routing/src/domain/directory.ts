/**
 * The department directory (data: services/routing/directory/*.json) and the assignment strategies.
 * Pure: the open workload per agent comes in as data, tracked by the routing service from its own
 * routed and rerouted events.
 */
import type { Agent, AssignmentStrategy, Directory } from '@complaints/routing-data';

// The directory's shape is the `department-directory` policy document's (libs/routing-data).
export {
  ASSIGNMENT_STRATEGIES,
  type Agent,
  type AssignmentStrategy,
  type Department,
  type Directory,
  type Queue,
} from '@complaints/routing-data';
export interface Workload {
  /** Open assignments per agent id. */
  openByAgent: Record<string, number>;
  /** Round robin: the position in the queue's agent list where the next turn starts. */
  cursorByQueue: Record<string, number>;
}

export interface Assignment {
  strategy: AssignmentStrategy | 'none';
  agentId?: string;
  /** Why nobody was assigned, or how the agent was chosen. */
  reason: string;
  requiredSkills?: string[];
}

export const EMPTY_WORKLOAD: Workload = { openByAgent: {}, cursorByQueue: {} };

export const hasSkills = (agent: Agent, required: readonly string[]) =>
  required.every((s) => agent.skills.includes(s) || agent.languages?.includes(s));

/** The primary language subtag a directory lists: zh-TW and zh-Hans are zh, en-GB is en. */
export const languageOf = (tag: string | undefined) => tag?.trim().split(/[-_]/)[0]?.toLowerCase() || undefined;
const openOf = (agent: Agent, workload: Workload) => workload.openByAgent[agent.id] ?? 0;
const hasRoom = (agent: Agent, workload: Workload) => openOf(agent, workload) < agent.capacity;

/** Takes turns in directory order from the cursor, skipping agents who are full or lack a skill. */
export function roundRobin(
  agents: Agent[],
  cursor: number,
  workload: Workload,
  required: readonly string[] = [],
): Agent | undefined {
  for (let i = 0; i < agents.length; i++) {
    const agent = agents[(cursor + i) % agents.length];
    if (agent && hasRoom(agent, workload) && hasSkills(agent, required)) return agent;
  }
  return undefined;
}

/** The agent with the lowest share of their capacity in use; ties go to the fewest open, then directory order. */
export function leastLoaded(agents: Agent[], workload: Workload): Agent | undefined {
  let best: Agent | undefined;
  for (const agent of agents.filter((a) => hasRoom(a, workload))) {
    const load = openOf(agent, workload) / agent.capacity;
    const bestLoad = best ? openOf(best, workload) / best.capacity : Number.POSITIVE_INFINITY;
    if (load < bestLoad || (load === bestLoad && best && openOf(agent, workload) < openOf(best, workload))) {
      best = agent;
    }
  }
  return best;
}

/** Only agents with every required skill, least loaded first; nobody rather than someone unqualified. */
export function skillsMatch(agents: Agent[], required: readonly string[], workload: Workload): Agent | undefined {
  return leastLoaded(
    agents.filter((a) => hasSkills(a, required)),
    workload,
  );
}

export const findDepartment = (directory: Directory, id: string) => directory.departments.find((d) => d.id === id);

/**
 * Picks an agent of the department's queue with the queue's strategy. Every strategy respects the
 * required skills, the complaint's language among them: an unqualified agent is never assigned, the
 * case then waits in the queue.
 */
export function assign(
  directory: Directory,
  target: { department: string; queue: string; requiredSkills?: string[]; language?: string },
  workload: Workload,
): Assignment {
  const department = findDepartment(directory, target.department);
  if (!department) return { strategy: 'none', reason: `department ${target.department} is not in the directory` };
  const queue = department.queues.find((q) => q.id === target.queue) ?? department.queues[0];
  if (!queue) return { strategy: 'none', reason: `department ${department.id} has no queue` };
  const language = languageOf(target.language);
  const required = [
    ...new Set([...(queue.requiredSkills ?? []), ...(target.requiredSkills ?? []), ...(language ? [language] : [])]),
  ];
  const skills = required.length > 0 ? { requiredSkills: required } : {};
  const staffed = department.agents.filter((a) => !a.queues || a.queues.includes(queue.id));
  const qualified = staffed.filter((a) => hasSkills(a, required));
  if (qualified.length === 0) {
    const skilled = staffed.filter((a) =>
      hasSkills(
        a,
        required.filter((s) => s !== language),
      ),
    );
    const why =
      staffed.length === 0
        ? 'nobody works the queue'
        : language && skilled.length > 0
          ? `nobody speaks ${language}`
          : `nobody has the skills ${required.join(', ')}`;
    return { strategy: queue.strategy, reason: `left in queue ${queue.id}: ${why}`, ...skills };
  }
  const agent =
    queue.strategy === 'round-robin'
      ? roundRobin(staffed, workload.cursorByQueue[queue.id] ?? 0, workload, required)
      : queue.strategy === 'least-loaded'
        ? leastLoaded(qualified, workload)
        : skillsMatch(qualified, required, workload);
  if (!agent)
    return { strategy: queue.strategy, reason: `left in queue ${queue.id}: every agent is at capacity`, ...skills };
  return { strategy: queue.strategy, agentId: agent.id, reason: `${queue.strategy} in queue ${queue.id}`, ...skills };
}

/** Where the next round-robin turn of a queue starts after `agentId` took one. */
export function nextCursor(directory: Directory, department: string, queueId: string, agentId: string): number {
  const dept = findDepartment(directory, department);
  const staffed = dept?.agents.filter((a) => !a.queues || a.queues.includes(queueId)) ?? [];
  return staffed.findIndex((a) => a.id === agentId) + 1;
}
