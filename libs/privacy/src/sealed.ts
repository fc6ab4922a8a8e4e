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

export const isSealed = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith(PREFIX) && SEALED.test(value);
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

/** Calls `visit` with every string inside a JSON value, copying nothing. */
function eachString(value: unknown, visit: (text: string) => void): void {
  if (typeof value === 'string') visit(value);
  else if (Array.isArray(value)) for (const item of value) eachString(item, visit);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) eachString(item, visit);
}

/**
 * The JSON value with every string passed through `map`. Only the arrays and objects on the way to
 * a string `map` changed are copied; the rest is returned as it is, so revealing a long list in which
 * few items hold a sealed field costs a walk, not a copy of the list's every item.
 */
function mapStrings(value: unknown, map: (text: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) {
    const items: readonly unknown[] = value;
    let copy: unknown[] | undefined;
    items.forEach((item, index) => {
      const mapped = mapStrings(item, map);
      if (mapped !== item) (copy ??= [...items])[index] = mapped;
    });
    return copy ?? items;
  }
  if (value !== null && typeof value === 'object') {
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      const mapped = mapStrings(item, map);
      if (mapped !== item) (copy ??= { ...value })[key] = mapped;
    }
    return copy ?? value;
  }
  return value;
}

/** The key ids of every sealed field inside a JSON value. */
export function sealedKeyIds(value: unknown): string[] {
  const ids = new Set<string>();
  eachString(value, (text) => {
    if (isSealed(text)) ids.add(keyIdOf(text));
  });
  return [...ids];
}

/**
 * Replaces every sealed field with its plain text, using the data keys found (key id → key, or
 * null for a destroyed key): a field whose key is destroyed or unknown reads as ERASED. What holds
 * no sealed field is not copied (see `mapStrings`).
 */
export function revealWith<T>(value: T, keys: ReadonlyMap<string, Buffer | null>): T {
  return mapStrings(value, (text) => {
    if (!isSealed(text)) return text;
    const key = keys.get(keyIdOf(text));
    return key ? unseal(text, key) : ERASED;
  }) as T;
}
