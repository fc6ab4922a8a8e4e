/** The case workflow's commands and the rules that allow or refuse them. */
import { InvalidStateError, NotFoundError, type CommandMetadata, type Decider } from '@complaints/decider';
import { evolveCase, initialCaseState, type CaseEvent, type CaseState, type CaseStatus, type Priority } from './case';
import { DEFAULT_SLA_POLICY, deadlinesFor, type SlaPolicy } from './sla-policy';

export type CaseCommand =
  | {
      type: 'OpenCase';
      data: {
        complaintId: string;
        reference: string;
        department: string;
        queue: string;
        category: string;
        priority: Priority;
        policy?: SlaPolicy;
      };
    }
  | { type: 'AcknowledgeCase'; data: { caseId: string; channel: string; summary: string } }
  | { type: 'ResolveCase'; data: { caseId: string; summary: string } }
  | { type: 'CloseCase'; data: { caseId: string; rootCause?: string; improvementAction?: string } };

const VERBS: Record<CaseCommand['type'], string> = {
  OpenCase: 'open the case',
  AcknowledgeCase: 'acknowledge',
  ResolveCase: 'resolve',
  CloseCase: 'close',
};

function requireStatus(command: CaseCommand, state: CaseState, allowed: CaseStatus[], hint?: string) {
  if (state.status === 'none')
    throw new NotFoundError('Case', 'caseId' in command.data ? command.data.caseId : command.data.complaintId);
  if (!allowed.includes(state.status)) throw new InvalidStateError(VERBS[command.type], state.status, hint);
  return state;
}

export function decideCase(command: CaseCommand, state: CaseState, meta: CommandMetadata): CaseEvent[] {
  const at = meta.now.toISOString();
  switch (command.type) {
    case 'OpenCase': {
      // A routing decision delivered twice opens one case.
      if (state.status !== 'none') return [];
      const policy = command.data.policy ?? DEFAULT_SLA_POLICY;
      const { acknowledgeBy, resolveBy } = deadlinesFor(policy, command.data.priority, meta.now);
      const { policy: _policy, ...routed } = command.data;
      return [
        {
          type: 'CaseOpened',
          data: {
            caseId: routed.complaintId,
            ...routed,
            openedAt: at,
            acknowledgeBy: acknowledgeBy.toISOString(),
            resolveBy: resolveBy.toISOString(),
            slaPolicy: policy.id,
          },
        },
      ];
    }
    case 'AcknowledgeCase':
      requireStatus(command, state, ['open']);
      return [{ type: 'CaseAcknowledged', data: { ...command.data, acknowledgedAt: at } }];
    case 'ResolveCase':
      requireStatus(
        command,
        state,
        ['acknowledged'],
        state.status === 'open' ? 'acknowledge it to the customer first' : undefined,
      );
      return [{ type: 'CaseResolved', data: { ...command.data, resolvedAt: at } }];
    case 'CloseCase':
      requireStatus(
        command,
        state,
        ['resolved'],
        state.status === 'open' || state.status === 'acknowledged' ? 'resolve it first' : undefined,
      );
      return [{ type: 'CaseClosed', data: { ...command.data, closedAt: at } }];
  }
}

export const caseDecider: Decider<CaseCommand, CaseState, CaseEvent> = {
  initialState: initialCaseState,
  decide: decideCase,
  evolve: evolveCase,
};

export const caseStream = (caseId: string) => `case-${caseId}`;
