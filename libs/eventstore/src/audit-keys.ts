/**
 * The audit key ring: who may sign checkpoints, and which public keys a verifier trusts. Keys come
 * from configuration only, never from the database a verifier checks: a database writer can store
 * any public key next to a checkpoint they signed themselves.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

export interface TrustedKey {
  id: string;
  publicKey: KeyObject;
  /** Checkpoints signed before or after the key's validity do not verify with it. */
  validFrom?: Date;
  validTo?: Date;
}

export interface AuditSigner {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The id checkpoints name their key by; the public key's fingerprint unless configured. */
  keyId?: string;
}

export interface AuditKeys {
  /** None: this process writes no checkpoints (the "unsigned" state; refused in production). */
  signer?: AuditSigner & { keyId: string };
  trusted: TrustedKey[];
}

export class AuditKeyError extends Error {}

/** The first 16 hex digits of the SHA-256 of the key's SPKI DER: stable, and says nothing secret. */
export function keyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex')
    .slice(0, 16);
}

/** The trusted-key entry of a signer (its own key, valid at any time). */
export function trustedKeyOf(signer: AuditSigner): TrustedKey {
  return { id: signer.keyId ?? keyFingerprint(signer.publicKey), publicKey: signer.publicKey };
}

function publicKeyOf(text: string): KeyObject {
  const trimmed = text.trim();
  return trimmed.startsWith('-----')
    ? createPublicKey(trimmed)
    : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
}

function instant(raw: unknown, name: string): Date | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const at = typeof raw === 'string' ? new Date(raw) : new Date(NaN);
  if (Number.isNaN(at.getTime())) throw new AuditKeyError(`AUDIT_TRUSTED_KEYS: ${name} must be an ISO 8601 instant`);
  return at;
}

/** A JSON array of {id?, publicKey (PEM or base64 SPKI DER), validFrom?, validTo?}, or a file holding one. */
function parseTrustedKeys(raw: string | undefined): TrustedKey[] {
  if (!raw?.trim()) return [];
  const text = raw.trim().startsWith('[') ? raw : existsSync(raw.trim()) ? readFileSync(raw.trim(), 'utf8') : raw;
  let entries: unknown;
  try {
    entries = JSON.parse(text);
  } catch {
    throw new AuditKeyError('AUDIT_TRUSTED_KEYS must be a JSON array of keys, or the path of a file holding one');
  }
  if (!Array.isArray(entries)) throw new AuditKeyError('AUDIT_TRUSTED_KEYS must be a JSON array of keys');
  return entries.map((entry: Record<string, unknown>, index) => {
    if (typeof entry?.publicKey !== 'string') {
      throw new AuditKeyError(`AUDIT_TRUSTED_KEYS[${index}] needs a publicKey (PEM or base64 SPKI DER)`);
    }
    let publicKey: KeyObject;
    try {
      publicKey = publicKeyOf(entry.publicKey);
    } catch {
      throw new AuditKeyError(`AUDIT_TRUSTED_KEYS[${index}].publicKey is not a public key`);
    }
    return {
      id: typeof entry.id === 'string' && entry.id ? entry.id : keyFingerprint(publicKey),
      publicKey,
      validFrom: instant(entry.validFrom, `[${index}].validFrom`),
      validTo: instant(entry.validTo, `[${index}].validTo`),
    };
  });
}

/**
 * AUDIT_SIGNING_KEY (Ed25519, PKCS#8 PEM or base64 DER) signs; its public half and AUDIT_TRUSTED_KEYS (earlier or
 * other instances' keys, each with a validity) are what checkpoints verify against.
 */
export function loadAuditKeys(env: NodeJS.ProcessEnv): AuditKeys {
  const pem = env.AUDIT_SIGNING_KEY?.trim();
  const trusted = parseTrustedKeys(env.AUDIT_TRUSTED_KEYS);
  if (!pem) return { trusted };
  let privateKey: KeyObject;
  try {
    // PEM, or (one line, for env files and secrets) base64 of the PKCS#8 DER.
    privateKey = pem.startsWith('-----')
      ? createPrivateKey(pem)
      : createPrivateKey({ key: Buffer.from(pem, 'base64'), format: 'der', type: 'pkcs8' });
  } catch {
    throw new AuditKeyError('AUDIT_SIGNING_KEY must be an Ed25519 private key (PKCS#8 PEM, or base64 of its DER)');
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new AuditKeyError(`AUDIT_SIGNING_KEY must be an Ed25519 key, got ${privateKey.asymmetricKeyType}`);
  }
  const publicKey = createPublicKey(privateKey);
  const signer = { privateKey, publicKey, keyId: env.AUDIT_SIGNING_KEY_ID?.trim() || keyFingerprint(publicKey) };
  const own = trusted.some((k) => k.id === signer.keyId) ? [] : [trustedKeyOf(signer)];
  return { signer, trusted: [...own, ...trusted] };
}
