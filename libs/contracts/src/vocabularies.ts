/**
 * The platform's closed vocabularies, each written once. Every DTO, domain type, validator, schema
 * and table derives from these lists, so a new value is added here and nowhere else, and a place
 * that must decide about it (a table keyed by the type) fails to compile until it does.
 */

/** Where a complaint arrives: the channel adapters of intake and `complaint.received.v1`'s `channel`. */
export const CHANNELS = ['hotline', 'branch', 'web', 'app', 'email', 'regulator', 'letter', 'social'] as const;
export type Channel = (typeof CHANNELS)[number];

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const TARGET_KINDS = ['branch', 'staff', 'product', 'bill', 'service', 'outage', 'meter', 'other'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

/**
 * Who may do what: the roles a verified token (or an API key: always `channel`) carries, from the
 * least to the most authority; actors on events name one of them.
 */
export const ROLES = [
  'channel',
  'agent',
  'supervisor',
  'department-head',
  'complaints-officer',
  'quality-inspector',
  'auditor',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export const isKnownRole = (role: unknown): role is Role => ROLES.includes(role as Role);

/** How an agent reaches the complainant: acknowledgements and notifications name one. */
export const CONTACT_CHANNELS = ['phone', 'sms', 'email', 'letter', 'in-person', 'app', 'wechat'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
