/** Commands intake accepts and the decisions it takes on them. */
import {
  InvalidStateError,
  NotFoundError,
  RuleRejectedError,
  type CommandMetadata,
  type Decider,
} from '@complaints/decider';
import {
  evolveComplaint,
  initialComplaintState,
  type ComplaintDetails,
  type ComplaintEvent,
  type ComplaintState,
  type SimilarComplaint,
} from './complaint';

export interface RegisterComplaint {
  type: 'RegisterComplaint';
  data: ComplaintDetails & {
    complaintId: string;
    reference: string;
    /** What intake knows of the same customer's earlier complaints, read in the same transaction. */
    history?: { similar: SimilarComplaint[]; earlierInWindow: number };
  };
}

export interface UnlinkDuplicate {
  type: 'UnlinkDuplicate';
  data: { complaintId: string; duplicateOf: string; reason: string };
}

/** Records on the complaint that its complainant's personal data was erased (the keys are destroyed elsewhere). */
export interface RecordErasure {
  type: 'RecordErasure';
  data: { complaintId: string; subjectId: string };
}

export type ComplaintCommand = RegisterComplaint | UnlinkDuplicate | RecordErasure;

/** Repeat complainants (DOMAIN.md, special complainants): this many complaints in the window flag the customer. */
export const REPEAT_COMPLAINANT = { complaints: 3, windowDays: 30 } as const;

/** How far in the future `occurredAt` may lie, for callers whose clocks drift. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

function register(command: RegisterComplaint, state: ComplaintState, meta: CommandMetadata): ComplaintEvent[] {
  if (state.status !== 'none') {
    throw new InvalidStateError('register the complaint', 'already registered');
  }
  const receivedAt = new Date(command.data.receivedAt ?? meta.now);
  if (receivedAt.getTime() > meta.now.getTime()) {
    throw new RuleRejectedError(
      `receivedAt ${command.data.receivedAt} lies in the future (now is ${meta.now.toISOString()})`,
      { field: 'receivedAt' },
    );
  }
  const occurredAt = new Date(command.data.occurredAt);
  if (occurredAt.getTime() > meta.now.getTime() + CLOCK_SKEW_MS) {
    throw new RuleRejectedError(
      `occurredAt ${command.data.occurredAt} lies in the future (now is ${meta.now.toISOString()})`,
      { field: 'occurredAt' },
    );
  }
  const { contact } = command.data.complainant;
  if (!contact.phone && !contact.email && !contact.address) {
    throw new RuleRejectedError('The complainant needs at least one way to be contacted: phone, email or address', {
      field: 'complainant.contact',
    });
  }
  const { history, ...complaint } = command.data;
  const at = meta.now.toISOString();
  const { complaintId } = complaint;
  const received = { ...complaint, occurredAt: occurredAt.toISOString(), receivedAt: receivedAt.toISOString() };
  const events: ComplaintEvent[] = [
    { type: 'ComplaintReceived', data: received },
    ...(history?.similar ?? []).map((duplicateOf): ComplaintEvent => ({
      type: 'PossibleDuplicateLinked',
      data: { complaintId, duplicateOf, linkedAt: at },
    })),
  ];
  const inWindow = (history?.earlierInWindow ?? 0) + 1;
  if (inWindow >= REPEAT_COMPLAINANT.complaints) {
    events.push({
      type: 'RepeatComplainantFlagged',
      data: { complaintId, complaintsInWindow: inWindow, windowDays: REPEAT_COMPLAINANT.windowDays, flaggedAt: at },
    });
  }
  return events;
}

function unlink(command: UnlinkDuplicate, state: ComplaintState, meta: CommandMetadata): ComplaintEvent[] {
  if (state.status === 'none') throw new NotFoundError('Complaint', command.data.complaintId);
  if (!state.duplicateOf.some((d) => d.complaintId === command.data.duplicateOf)) {
    throw new InvalidStateError('remove the duplicate link', `not linked to ${command.data.duplicateOf}`);
  }
  return [{ type: 'DuplicateLinkRemoved', data: { ...command.data, removedAt: meta.now.toISOString() } }];
}

function recordErasure(command: RecordErasure, state: ComplaintState, meta: CommandMetadata): ComplaintEvent[] {
  if (state.status === 'none') throw new NotFoundError('Complaint', command.data.complaintId);
  if (state.erasedAt) return []; // a repeated erasure request records nothing new
  return [{ type: 'ComplainantErased', data: { ...command.data, erasedAt: meta.now.toISOString() } }];
}

export function decideComplaint(
  command: ComplaintCommand,
  state: ComplaintState,
  meta: CommandMetadata,
): ComplaintEvent[] {
  switch (command.type) {
    case 'RegisterComplaint':
      return register(command, state, meta);
    case 'UnlinkDuplicate':
      return unlink(command, state, meta);
    case 'RecordErasure':
      return recordErasure(command, state, meta);
  }
}

export const complaintDecider: Decider<ComplaintCommand, ComplaintState, ComplaintEvent> = {
  initialState: initialComplaintState,
  decide: decideComplaint,
  evolve: evolveComplaint,
};

export const complaintStream = (complaintId: string) => `complaint-${complaintId}`;
