/**
 * Which parts of a complaint are personal data, and who they belong to. Intake seals these fields
 * before anything is stored or published, so the event store and the topics hold only ciphertext
 * and the data subject's pseudonymous id. The target (a product, meter, branch) stays plain: routing
 * and the regulator returns read it, and it names no complainant.
 */
import type { ComplaintDetails } from '../../domain/complaint';

/** The channel's own identifiers that are personal: the caller's number, an email's sender and subject. */
export const PERSONAL_CHANNEL_DETAILS = ['callerNumber', 'from', 'subject'] as const;

/**
 * Who the customer is, as far as intake can tell: their id, else their phone, else their email;
 * a complainant known by an address alone is a data subject of their own per complaint.
 */
export function subjectIdentity(details: ComplaintDetails, complaintId: string): string {
  const { customerId, contact } = details.complainant;
  if (customerId) return `id:${customerId}`;
  if (contact.phone) return `phone:${contact.phone.replace(/\D/g, '')}`;
  if (contact.email) return `email:${contact.email.trim().toLowerCase()}`;
  return `complaint:${complaintId}`;
}

/** The complaint with every personal field sealed and the subject id recorded. */
export function sealPersonalData(
  details: ComplaintDetails,
  subjectId: string,
  seal: (plain: string) => string,
): ComplaintDetails {
  const { name, customerId, contact } = details.complainant;
  const contactSealed = Object.fromEntries(
    Object.entries(contact).flatMap(([field, value]) => (value === undefined ? [] : [[field, seal(value)]])),
  );
  const channelDetails = details.channelDetails
    ? Object.fromEntries(
        Object.entries(details.channelDetails).map(([field, value]) => [
          field,
          (PERSONAL_CHANNEL_DETAILS as readonly string[]).includes(field) ? seal(value) : value,
        ]),
      )
    : undefined;
  return {
    ...details,
    complainant: {
      name: seal(name),
      ...(customerId === undefined ? {} : { customerId: seal(customerId) }),
      subjectId,
      contact: contactSealed,
    },
    description: seal(details.description),
    demands: details.demands.map(seal),
    ...(channelDetails ? { channelDetails } : {}),
    ...(details.attachments
      ? { attachments: details.attachments.map((a) => ({ ...a, filename: seal(a.filename) })) }
      : {}),
  };
}
