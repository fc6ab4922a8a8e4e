/**
 * A complaint as intake knows it: received once, with a reference the customer can quote.
 * Pure: no framework, no I/O.
 */
import type { Channel, SupplyArea, TargetKind } from '@complaints/contracts';
import type { DomainEvent } from '@complaints/decider';

/** The vocabularies are the published language's (libs/contracts vocabularies.ts), never a copy. */
export type { Channel, TargetKind };

export interface Complainant {
  name: string;
  customerId?: string;
  /** The data subject: a keyed pseudonym of who the complainant is (see infrastructure/registration/personal-data.ts). */
  subjectId?: string;
  contact: { phone?: string; email?: string; address?: string };
}

/** Evidence stored outside the events, by content address. */
export interface AttachmentRef {
  sha256: string;
  filename: string;
  mediaType: string;
  size: number;
}

export interface ComplaintDetails {
  channel: Channel;
  complainant: Complainant;
  description: string;
  demands: string[];
  target: { kind: TargetKind; name: string; id?: string };
  occurredAt: string;
  /**
   * When the complaint reached the company, where the channel knows it was before it was registered
   * (a hotline call's start): its clocks and the regulator's count start then. Else the registration's time.
   */
  receivedAt?: string;
  language: string;
  /** The channel's own identifiers: call id, caller number, Message-ID, branch code, regulator reference … */
  channelDetails?: Record<string, string>;
  attachments?: AttachmentRef[];
  /** Set by a regulator referral: the deadline the regulator gave. */
  regulatorDeadline?: string;
  /** Where the service was provided (ISO 3166-1 alpha-2): SLA rules choose regimes by it. */
  market?: string;
  /** A utility's supply area: its repair-arrival commitment depends on it. */
  area?: SupplyArea;
}

export interface ComplaintReceived extends ComplaintDetails {
  complaintId: string;
  reference: string;
  receivedAt: string;
}

/** An earlier complaint of the same customer that reads alike: linked, never merged or dropped. */
export interface SimilarComplaint {
  complaintId: string;
  reference: string;
  similarity: number;
}

export type ComplaintEvent =
  | DomainEvent<'ComplaintReceived', ComplaintReceived>
  | DomainEvent<'PossibleDuplicateLinked', { complaintId: string; duplicateOf: SimilarComplaint; linkedAt: string }>
  | DomainEvent<'DuplicateLinkRemoved', { complaintId: string; duplicateOf: string; reason: string; removedAt: string }>
  | DomainEvent<
      'RepeatComplainantFlagged',
      { complaintId: string; complaintsInWindow: number; windowDays: number; flaggedAt: string }
    >
  | DomainEvent<'ComplainantErased', { complaintId: string; subjectId: string; erasedAt: string }>;

export type ComplaintState =
  | { status: 'none' }
  | {
      status: 'received';
      complaint: ComplaintReceived;
      duplicateOf: SimilarComplaint[];
      repeatComplainant: boolean;
      /** The complainant's personal data was erased (its keys destroyed); the events stay. */
      erasedAt?: string;
    };

export const initialComplaintState = (): ComplaintState => ({ status: 'none' });

export function evolveComplaint(state: ComplaintState, event: ComplaintEvent): ComplaintState {
  switch (event.type) {
    case 'ComplaintReceived':
      return { status: 'received', complaint: event.data, duplicateOf: [], repeatComplainant: false };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'PossibleDuplicateLinked':
      return { ...state, duplicateOf: [...state.duplicateOf, event.data.duplicateOf] };
    case 'DuplicateLinkRemoved':
      return { ...state, duplicateOf: state.duplicateOf.filter((d) => d.complaintId !== event.data.duplicateOf) };
    case 'RepeatComplainantFlagged':
      return { ...state, repeatComplainant: true };
    case 'ComplainantErased':
      return { ...state, erasedAt: event.data.erasedAt };
  }
}
