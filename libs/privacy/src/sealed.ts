/**
 * Personal data at rest and in transit: each personal field becomes a self-describing sealed
 * string, `pii:v1:<key id>:<iv>:<ciphertext>:<tag>` (AES-256-GCM, base64url parts, the key id as
 * associated data). Schemas keep typing these fields as strings, the hash chain hashes the sealed
 * text, and a reader that has the key reveals it — or, once the key is destroyed, shows ERASED.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** What every read shows in place of a personal field whose data subject was erased. */
export const ERASED = '[erased]';

const PREFIX = 'pii:v1:';
const SEALED = /^pii:v1:([0-9a-f-]{36}):([A-Za-z0-9_-]+):([A-Za-z0-9_-]*):([A-Za-z0-9_-]+)$/;

export const isSealed = (value: unknown): value is string => typeof value === 'string' && SEALED.test(value);
/** Whether a text (a JSON document, a CSV line) may hold a sealed field: a cheap test before parsing it. */
export const mayHoldSealed = (text: string): boolean => text.includes(PREFIX);

export function seal(plain: string, keyId: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(keyId));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const parts = [iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url'));
  return `${PREFIX}${keyId}:${parts.join(':')}`;
}

export function keyIdOf(sealed: string): string {
  const match = SEALED.exec(sealed);
  if (!match) throw new Error('Not a sealed personal field');
  return match[1]!;
}

export function unseal(sealed: string, key: Buffer): string {
  const [, keyId, iv, body, tag] = SEALED.exec(sealed) ?? [];
  if (!keyId || iv === undefined || body === undefined || !tag) throw new Error('Not a sealed personal field');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(keyId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

/** Every string in a JSON value passed through `map` (objects and arrays copied, the rest kept). */
export function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, map)]));
  }
  return value;
}

/** The key ids of every sealed field inside a JSON value. */
export function sealedKeyIds(value: unknown): string[] {
  const ids = new Set<string>();
  mapStrings(value, (text) => {
    if (isSealed(text)) ids.add(keyIdOf(text));
    return text;
  });
  return [...ids];
}

/**
 * Replaces every sealed field with its plain text, using the data keys found (key id → key, or
 * null for a destroyed key): a field whose key is destroyed or unknown reads as ERASED.
 */
export function revealWith<T>(value: T, keys: ReadonlyMap<string, Buffer | null>): T {
  return mapStrings(value, (text) => {
    if (!isSealed(text)) return text;
    const key = keys.get(keyIdOf(text));
    return key ? unseal(text, key) : ERASED;
  }) as T;
}
