import { randomBytes } from 'node:crypto';
import { ConfigError, piiKeys } from './config';

describe('the master keys of personal data (configuration)', () => {
  const key = randomBytes(32).toString('base64');

  it('takes a key directory, a master key, or both, and rotation defaults', () => {
    expect(piiKeys({ PII_KEY_DIR: '/run/keys' })).toEqual({
      dir: '/run/keys',
      masterKey: undefined,
      rotationIntervalMs: 86_400_000,
      rotationAfterErasureMs: 300_000,
    });
    expect(piiKeys({ PII_MASTER_KEY: key })).toMatchObject({ dir: undefined, masterKey: Buffer.from(key, 'base64') });
    expect(
      piiKeys({
        PII_KEY_DIR: '/run/keys',
        PII_MASTER_KEY: key,
        PII_KEY_ROTATION_INTERVAL_MS: '0',
        PII_KEY_ROTATION_AFTER_ERASURE_MS: '60000',
      }),
    ).toMatchObject({ dir: '/run/keys', rotationIntervalMs: 0, rotationAfterErasureMs: 60_000 });
  });

  it('refuses neither, a malformed master key, and a malformed interval, naming the variable', () => {
    expect(() => piiKeys({})).toThrow(ConfigError);
    expect(() => piiKeys({})).toThrow(/PII_KEY_DIR .* or PII_MASTER_KEY/);
    expect(() => piiKeys({ PII_MASTER_KEY: 'c2hvcnQ=' })).toThrow(/PII_MASTER_KEY must be base64 of exactly 32 bytes/);
    expect(() => piiKeys({ PII_KEY_DIR: '/k', PII_KEY_ROTATION_INTERVAL_MS: '1d' })).toThrow(
      /PII_KEY_ROTATION_INTERVAL_MS must be a whole number/,
    );
  });
});
