/** Commands intake accepts and the decisions it takes on them. */
import { InvalidStateError, RuleRejectedError, type CommandMetadata, type Decider } from '@complaints/decider';
import {
  evolveComplaint,
  initialComplaintState,
  type ComplaintDetails,
  type ComplaintEvent,
  type ComplaintState,
} from './complaint';

export interface RegisterComplaint {
  type: 'RegisterComplaint';
  data: ComplaintDetails & { complaintId: string; reference: string };
}

export type ComplaintCommand = RegisterComplaint;

/** How far in the future `occurredAt` may lie, for callers whose clocks drift. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

function register(command: RegisterComplaint, state: ComplaintState, meta: CommandMetadata): ComplaintEvent[] {
  if (state.status !== 'none') {
    throw new InvalidStateError('register the complaint', 'already registered');
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
  return [
    {
      type: 'ComplaintReceived',
      data: { ...command.data, occurredAt: occurredAt.toISOString(), receivedAt: meta.now.toISOString() },
    },
  ];
}

export function decideComplaint(
  command: ComplaintCommand,
  state: ComplaintState,
  meta: CommandMetadata,
): ComplaintEvent[] {
  switch (command.type) {
    case 'RegisterComplaint':
      return register(command, state, meta);
  }
}

export const complaintDecider: Decider<ComplaintCommand, ComplaintState, ComplaintEvent> = {
  initialState: initialComplaintState,
  decide: decideComplaint,
  evolve: evolveComplaint,
};

export const complaintStream = (complaintId: string) => `complaint-${complaintId}`;
