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

/**
 * What a complaint is about, per sector (data): the kinds every sector has, and each sector's own
 * (an insurer's policy or claim, a bank's card or ATM, a utility's supply point). Routing rules read
 * them (`fields.targetKinds`). A kind is never removed: events that carry it must stay readable.
 */
export const TARGET_KINDS_BY_SECTOR = {
  any: ['branch', 'staff', 'product', 'service', 'other'],
  power: ['bill', 'outage', 'meter', 'supply-point', 'account'],
  bank: ['card', 'account', 'atm', 'transaction'],
  insurance: ['policy', 'claim', 'agent'],
} as const;
export type TargetKind = (typeof TARGET_KINDS_BY_SECTOR)[keyof typeof TARGET_KINDS_BY_SECTOR][number];
/** Every sector's kinds, once each, `other` last: what intake accepts and complaint.received.v1 carries. */
export const TARGET_KINDS: readonly TargetKind[] = [
  ...new Set<TargetKind>(Object.values(TARGET_KINDS_BY_SECTOR).flat()),
].sort((a, b) => Number(a === 'other') - Number(b === 'other'));

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

/**
 * A utility's supply area, as its service commitments distinguish them (repair crews' arrival:
 * urban, rural, remote areas); SLA selection rules read it.
 */
export const SUPPLY_AREAS = ['urban', 'rural', 'remote'] as const;
export type SupplyArea = (typeof SUPPLY_AREAS)[number];

/** How an agent reaches the complainant: acknowledgements and notifications name one. */
export const CONTACT_CHANNELS = ['phone', 'sms', 'email', 'letter', 'in-person', 'app', 'wechat'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
