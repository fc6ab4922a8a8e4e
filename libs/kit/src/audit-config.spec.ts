import { generateKeyPairSync } from 'node:crypto';
import { keyFingerprint } from '@complaints/eventstore';
import { loadAuditConfig } from './config';

const pem = (type: 'ed25519' | 'x25519' = 'ed25519') =>
  generateKeyPairSync(type as 'ed25519')
    .privateKey.export({ format: 'pem', type: 'pkcs8' })
    .toString();

describe('audit configuration', () => {
  it('refuses a production start without a signing key, naming the variable', () => {
    expect(() => loadAuditConfig({ NODE_ENV: 'production' })).toThrow(/AUDIT_SIGNING_KEY is required in production/);
  });

  it('runs unsigned outside production, trusting no key', () => {
    expect(loadAuditConfig({}).keys).toEqual({ trusted: [] });
  });

  it('trusts the signing key and the configured ring, with their validity', () => {
    const old = generateKeyPairSync('ed25519').publicKey;
    const ring = JSON.stringify([
      {
        id: 'k-2025',
        publicKey: old.export({ format: 'pem', type: 'spki' }).toString(),
        validFrom: '2025-01-01T00:00:00Z',
        validTo: '2026-01-01T00:00:00Z',
      },
    ]);
    const { keys } = loadAuditConfig({ NODE_ENV: 'production', AUDIT_SIGNING_KEY: pem(), AUDIT_TRUSTED_KEYS: ring });
    expect(keys.trusted.map((k) => k.id)).toEqual([keys.signer!.keyId, 'k-2025']);
    expect(keys.signer!.keyId).toBe(keyFingerprint(keys.signer!.publicKey));
    expect(keys.trusted[1]).toMatchObject({ validFrom: new Date('2025-01-01T00:00:00Z') });
  });

  it('names what is wrong with a bad key or ring', () => {
    expect(() => loadAuditConfig({ AUDIT_SIGNING_KEY: 'not a key' })).toThrow(/AUDIT_SIGNING_KEY must be an Ed25519/);
    expect(() => loadAuditConfig({ AUDIT_SIGNING_KEY: pem('x25519') })).toThrow(/must be an Ed25519 key/);
    expect(() => loadAuditConfig({ AUDIT_TRUSTED_KEYS: '[{"id":"x"}]' })).toThrow(/needs a publicKey/);
    expect(() => loadAuditConfig({ AUDIT_SOURCE_URLS: 'intake' })).toThrow(/AUDIT_SOURCE_URLS/);
  });
});
