/**
 * Data subjects: the people whose personal data the platform holds. A subject's id is a keyed
 * pseudonym (HMAC-SHA256) of the identity intake already matches repeat complainants on, so the
 * same customer always gets the same id while nobody without the key can tell who it is.
 */
import { createHmac, hkdfSync } from 'node:crypto';

/** The HMAC key for subject ids, derived from the master key (one secret to keep, not two). */
export function pseudonymKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'complaints/data-subject-id', 32));
}

export const SUBJECT_ID = /^ds-[0-9a-f]{32}$/;

/** `ds-` and 128 bits of HMAC over the tenant and the identity (e.g. `phone:13800000000`). */
export function subjectIdFor(key: Buffer, tenant: string, identity: string): string {
  return `ds-${createHmac('sha256', key).update(`${tenant}\n${identity}`).digest('hex').slice(0, 32)}`;
}
