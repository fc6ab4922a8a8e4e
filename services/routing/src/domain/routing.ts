/**
 * Routing decisions: classify a received complaint, assign its department, queue, priority and
 * agent; a supervisor or above may reroute it later, with a reason, and the history is kept.
 * Pure: the rule table, the directory and the workload come in as data, time on the metadata.
 */
import type { Channel, Role } from '@complaints/contracts';
import type { PolicyRef } from '@complaints/policy';
import { selectPolicy, type Regime, type SelectionCriteria, type SlaPolicy } from '@complaints/sla';
import {
  NotFoundError,
  RuleRejectedError,
  type Actor,
  type CommandMetadata,
  type Decider,
  type DomainEvent,
} from '@complaints/decider';
import { classify, type Classification, type ComplaintToRoute } from './classify';
import { assign, findDepartment, languageOf, type Assignment, type Directory, type Workload } from './directory';
import { higher, TRIAGE, type Degree, type Priority, type RoutingRule, type RuleTable } from './rules';

export { classify };
export type { Classification, ComplaintToRoute, Priority };

export interface ComplaintRouted extends Classification {
  slaPolicyId?: string;
  /** Read by resolution's SLA selection rules (product, market, area, regulator referral). */
  slaCriteria?: Omit<SelectionCriteria, 'tenant' | 'category' | 'channel' | 'priority'>;
  complaintId: string;
  reference: string;
  customerId?: string;
  subjectId?: string;
  /** Carried for the SLA policy (channel) and regulatory clocks (counted from receipt). */
  channel: Channel;
  /** The complaint's language, a skill its agent needs, on a reroute too (absent on older decisions). */
  language?: string;
  receivedAt?: string;
  /** The rule file(s) the decision was taken with (the seed's files), or `routing-rules vN`. */
  ruleTable: string;
  /** The versions of the tenant's rule table and directory in force at receipt (absent on older decisions). */
  rulesPolicy?: PolicyRef;
  directoryPolicy?: PolicyRef;
  /** Decisions recorded before assignment existed are upcast (infrastructure/upcasters.ts). */
  assignment: Assignment;
  routedAt: string;
}

export interface Placement {
  department: string;
  queue: string;
  category: string;
  priority: Priority;
  /** How the customer puts it; absent on placements recorded before a reroute carried it. */
  degree?: Degree;
  agentId?: string;
}

export interface ComplaintRerouted extends Placement {
  complaintId: string;
  reference: string;
  customerId?: string;
  channel: Channel;
  receivedAt?: string;
  from: Placement;
  reason: string;
  reroutedBy: Actor;
  assignment: Assignment;
  reroutedAt: string;
  /** The versions of the rule table and directory the reroute was checked against (absent on older reroutes). */
  rulesPolicy?: PolicyRef;
  directoryPolicy?: PolicyRef;
}

/** The versions a decision was taken under, to be named on its event. */
export interface PoliciesUsed {
  rulesPolicy: PolicyRef;
  directoryPolicy: PolicyRef;
}

export type RoutingEvent =
  DomainEvent<'ComplaintRouted', ComplaintRouted> | DomainEvent<'ComplaintRerouted', ComplaintRerouted>;

export type RoutingState = { status: 'unrouted' } | { status: 'routed'; current: Placement; routing: ComplaintRouted };

export interface RouteComplaint {
  type: 'RouteComplaint';
  data: {
    complaint: ComplaintToRoute;
    rules: RuleTable;
    directory: Directory;
    workload: Workload;
    /** Policies (data) and the tenant's regime, to name the SLA policy resolution will run. */
    sla?: { tenant: string; policies: SlaPolicy[]; regime?: Regime; criteria?: ComplaintRouted['slaCriteria'] };
    /** The versions `rules` and `directory` are. */
    policies?: PoliciesUsed;
  };
}

export interface RerouteComplaint {
  type: 'RerouteComplaint';
  data: {
    complaintId: string;
    department: string;
    queue?: string;
    category?: string;
    priority?: Priority;
    degree?: Degree;
    reason: string;
    directory: Directory;
    workload: Workload;
    /** The tenant's rule table: the categories a reroute may name, and the one a department implies. */
    rules: RuleTable;
    /** The versions `rules` and `directory` are. */
    policies?: PoliciesUsed;
  };
}

export type RoutingCommand = RouteComplaint | RerouteComplaint;

/** Roles that may overrule the routing engine (the same ladder as resolution's approvals). */
export const REROUTING_ROLES = [
  'supervisor',
  'department-head',
  'complaints-officer',
] as const satisfies readonly Role[];

function route(
  { complaint, rules, directory, workload, sla, policies }: RouteComplaint['data'],
  meta: CommandMetadata,
): RoutingEvent {
  const classification = classify(complaint, rules);
  const language = languageOf(complaint.language);
  const slaPolicyId = sla
    ? selectPolicy(sla.policies, {
        tenant: sla.tenant,
        category: classification.category,
        priority: classification.priority,
        channel: complaint.channel,
        regime: sla.regime,
      }).id
    : undefined;
  return {
    type: 'ComplaintRouted',
    data: {
      complaintId: complaint.complaintId,
      reference: complaint.reference,
      ...(complaint.customerId ? { customerId: complaint.customerId } : {}),
      ...(complaint.subjectId ? { subjectId: complaint.subjectId } : {}),
      channel: complaint.channel,
      ...(language ? { language } : {}),
      ...(complaint.receivedAt ? { receivedAt: complaint.receivedAt } : {}),
      ...classification,
      ruleTable: rules.source,
      assignment: assign(directory, { ...classification, language }, workload),
      ...(slaPolicyId ? { slaPolicyId } : {}),
      ...(sla?.criteria ? { slaCriteria: sla.criteria } : {}),
      ...policies,
      routedAt: meta.now.toISOString(),
    },
  };
}

function reroute(command: RerouteComplaint['data'], state: RoutingState, meta: CommandMetadata): RoutingEvent {
  if (!(REROUTING_ROLES as readonly string[]).includes(meta.actor.role)) {
    throw new RuleRejectedError(
      `Only a supervisor or above may reroute a complaint; ${meta.actor.id} acts as ${meta.actor.role}`,
      { role: meta.actor.role, allowed: REROUTING_ROLES },
    );
  }
  // No routing (an unknown complaint, one not routed yet, or another tenant's): nothing to reroute.
  if (state.status !== 'routed') throw new NotFoundError('Routing of complaint', command.complaintId);
  const department = findDepartment(command.directory, command.department);
  if (!department) {
    throw new RuleRejectedError(`Department ${command.department} is not in the directory`, {
      known: command.directory.departments.map((d) => d.id),
    });
  }
  const queue = command.queue ?? department.queues[0]?.id ?? command.department;
  if (!department.queues.some((q) => q.id === queue)) {
    throw new RuleRejectedError(`Queue ${queue} does not belong to department ${department.id}`);
  }
  const { routing, current } = state;
  const about = whatItIsAbout(command, current, department.id, queue);
  // The rule's skills belong to the department it chose; another department's queue says its own.
  const skills = department.id === routing.department ? skillsOf(routing) : {};
  const target = { department: department.id, queue, language: routing.language, ...skills };
  const assignment = assign(command.directory, target, command.workload);
  return {
    type: 'ComplaintRerouted',
    data: {
      complaintId: routing.complaintId,
      reference: routing.reference,
      ...(routing.customerId ? { customerId: routing.customerId } : {}),
      channel: routing.channel,
      ...(routing.receivedAt ? { receivedAt: routing.receivedAt } : {}),
      department: department.id,
      queue,
      ...about,
      ...(assignment.agentId ? { agentId: assignment.agentId } : {}),
      from: current,
      reason: command.reason,
      reroutedBy: meta.actor,
      assignment,
      reroutedAt: meta.now.toISOString(),
      ...command.policies,
    },
  };
}

/** The one category the rules give a department's queue (else the department), if they agree on one. */
function impliedRule(rules: RuleTable, department: string, queue: string): RoutingRule | undefined {
  const ofDepartment = rules.rules.filter((r) => r.department === department);
  const ofQueue = ofDepartment.filter((r) => r.queue === queue);
  const candidates = ofQueue.length ? ofQueue : ofDepartment;
  return new Set(candidates.map((r) => r.category)).size === 1 ? candidates[0] : undefined;
}

/**
 * What the case is about after a reroute: the category, priority and degree the supervisor named;
 * else, when it changes department, those its rules imply. Triage has no category, so a complaint
 * leaving it must get one: the regulator's returns and the search count it by category.
 */
function whatItIsAbout(
  command: RerouteComplaint['data'],
  current: Placement,
  department: string,
  queue: string,
): Pick<Placement, 'category' | 'priority' | 'degree'> {
  const known = [...new Set(command.rules.rules.map((r) => r.category))].sort();
  if (command.category !== undefined && !known.includes(command.category)) {
    throw new RuleRejectedError(`Category ${command.category} is not in the rule table ${command.rules.source}`, {
      known,
    });
  }
  const moved = department !== current.department;
  const implied = moved ? impliedRule(command.rules, department, queue) : undefined;
  const category = command.category ?? implied?.category ?? current.category;
  if (category === TRIAGE.category && department !== TRIAGE.department) {
    const ofDepartment = known.filter((c) =>
      command.rules.rules.some((r) => r.department === department && r.category === c),
    );
    throw new RuleRejectedError(
      `A complaint leaving triage needs a category: department ${department}'s rules imply ${ofDepartment.length ? `none of ${ofDepartment.join(', ')} alone` : 'none'}; name one of ${known.join(', ')}`,
      { known },
    );
  }
  const priority = command.priority ?? (implied ? higher(current.priority, implied.priority) : current.priority);
  const degree = command.degree ?? current.degree;
  return { category, priority, ...(degree ? { degree } : {}) };
}

const skillsOf = (routing: ComplaintRouted) =>
  routing.requiredSkills ? { requiredSkills: routing.requiredSkills } : {};

function decide(command: RoutingCommand, state: RoutingState, meta: CommandMetadata): RoutingEvent[] {
  if (command.type === 'RerouteComplaint') return [reroute(command.data, state, meta)];
  // Routing a complaint a second time is a no-op: the first decision stands until a reroute.
  if (state.status === 'routed') return [];
  if (!command.data.complaint.complaintId) throw new NotFoundError('Complaint', '(missing id)');
  return [route(command.data, meta)];
}

function evolve(state: RoutingState, event: RoutingEvent): RoutingState {
  switch (event.type) {
    case 'ComplaintRouted': {
      const { department, queue, category, priority, degree, assignment } = event.data;
      const agent = assignment.agentId ? { agentId: assignment.agentId } : {};
      return {
        status: 'routed',
        routing: event.data,
        current: { department, queue, category, priority, ...(degree ? { degree } : {}), ...agent },
      };
    }
    case 'ComplaintRerouted': {
      if (state.status !== 'routed') return state;
      const { department, queue, category, priority, degree, agentId } = event.data;
      const kept = degree ?? state.current.degree;
      return {
        ...state,
        current: {
          department,
          queue,
          category,
          priority,
          ...(kept ? { degree: kept } : {}),
          ...(agentId ? { agentId } : {}),
        },
      };
    }
  }
}

export const routingDecider: Decider<RoutingCommand, RoutingState, RoutingEvent> = {
  initialState: () => ({ status: 'unrouted' }),
  decide,
  evolve,
};

export const routingStream = (complaintId: string) => `routing-${complaintId}`;
