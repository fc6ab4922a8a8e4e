import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { ConfigError, loadServiceConfig, loadTestClock, piiKeys } from './config';

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

describe('Kafka sessions and the instance id (configuration)', () => {
  const base = { DATABASE_URL: 'postgres://x@127.0.0.1/x', PII_MASTER_KEY: randomBytes(32).toString('base64') };

  it('reads KAFKA_SESSION_TIMEOUT_MS and KAFKA_HEARTBEAT_INTERVAL_MS, 15 s and 1 s by default', () => {
    expect(loadServiceConfig('routing', base).kafkaSession).toEqual({
      sessionTimeoutMs: 15_000,
      heartbeatIntervalMs: 1_000,
    });
    expect(
      loadServiceConfig('routing', { ...base, KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '500' })
        .kafkaSession,
    ).toEqual({ sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500 });
  });

  it("refuses a session outside the broker's bounds and a heartbeat over a third of the session", () => {
    expect(() => loadServiceConfig('routing', { ...base, KAFKA_SESSION_TIMEOUT_MS: '1000' })).toThrow(
      /KAFKA_SESSION_TIMEOUT_MS must be between 6000 and 300000/,
    );
    expect(() =>
      loadServiceConfig('routing', { ...base, KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_HEARTBEAT_INTERVAL_MS: '3000' }),
    ).toThrow(/KAFKA_HEARTBEAT_INTERVAL_MS must be at least 100 and at most a third of KAFKA_SESSION_TIMEOUT_MS/);
  });

  it('takes INSTANCE_ID, else hostname-pid, and refuses one that cannot be a label', () => {
    expect(loadServiceConfig('intake', { ...base, INSTANCE_ID: 'intake-7f9c' }).instanceId).toBe('intake-7f9c');
    expect(loadServiceConfig('intake', base).instanceId).toContain(`-${process.pid}`);
    expect(loadServiceConfig('intake', base).instanceId).toContain(
      hostname()
        .replace(/[^A-Za-z0-9._-]/g, '_')
        .slice(0, 8),
    );
    expect(() => loadServiceConfig('intake', { ...base, INSTANCE_ID: 'a"b' })).toThrow(
      /INSTANCE_ID must be 1-48 letters/,
    );
  });
});

describe('the test clock (configuration)', () => {
  const base = { DATABASE_URL: 'postgres://x@127.0.0.1/db', PII_MASTER_KEY: randomBytes(32).toString('base64') };

  it('is off unless TEST_CLOCK=enabled, and on outside production', () => {
    expect(loadServiceConfig('resolution', base).testClock).toBe(false);
    expect(loadServiceConfig('resolution', { ...base, TEST_CLOCK: 'enabled' }).testClock).toBe(true);
    expect(loadServiceConfig('resolution', { ...base, TEST_CLOCK: 'enabled', NODE_ENV: 'test' }).testClock).toBe(true);
  });

  it('refuses TEST_CLOCK=enabled with NODE_ENV=production, and a value it does not know, naming the variable', () => {
    const production = { ...base, NODE_ENV: 'production', AUDIT_SIGNING_KEY: undefined };
    expect(() => loadTestClock({ ...production, TEST_CLOCK: 'enabled' })).toThrow(ConfigError);
    expect(() => loadTestClock({ ...production, TEST_CLOCK: 'enabled' })).toThrow(
      /TEST_CLOCK=enabled is refused with NODE_ENV=production/,
    );
    expect(loadTestClock({ ...production })).toBe(false);
    expect(() => loadTestClock({ ...base, TEST_CLOCK: 'on' })).toThrow(/TEST_CLOCK must be "enabled" or "off"/);
  });
});

describe('the previous event shape switch (configuration)', () => {
  const base = { DATABASE_URL: 'postgres://x@127.0.0.1/db', PII_MASTER_KEY: randomBytes(32).toString('base64') };

  it('is off unless EVENTS_WRITE_PREVIOUS_SHAPE=true, and refuses anything but true or false', () => {
    expect(loadServiceConfig('intake', base).writePreviousEventShape).toBe(false);
    expect(loadServiceConfig('intake', { ...base, EVENTS_WRITE_PREVIOUS_SHAPE: 'false' }).writePreviousEventShape).toBe(
      false,
    );
    expect(loadServiceConfig('intake', { ...base, EVENTS_WRITE_PREVIOUS_SHAPE: 'true' }).writePreviousEventShape).toBe(
      true,
    );
    expect(() => loadServiceConfig('intake', { ...base, EVENTS_WRITE_PREVIOUS_SHAPE: 'yes' })).toThrow(
      /EVENTS_WRITE_PREVIOUS_SHAPE must be true or false, got "yes"/,
    );
  });
});

describe('policy files, the SLA monitor and de-duplication retention (configuration)', () => {
  const base = { DATABASE_URL: 'postgres://x@127.0.0.1/x', PII_MASTER_KEY: randomBytes(32).toString('base64') };
  const load = (env: Record<string, string>) => loadServiceConfig('resolution', { ...base, ...env });

  it('reads them with their defaults: the shipped files, a monitor polling every second, rows kept 30 days', () => {
    expect(load({})).toMatchObject({
      policyFiles: { routingDataDir: undefined, resolutionLimitsDir: undefined },
      slaMonitor: { enabled: true, pollIntervalMs: 1000 },
      dedupRetention: { retentionMs: 30 * 86_400_000, intervalMs: 3_600_000 },
    });
    expect(
      load({
        ROUTING_DATA_DIR: 'services/routing',
        RESOLUTION_LIMITS_DIR: 'services/resolution',
        SLA_MONITOR: 'off',
        SLA_POLL_INTERVAL_MS: '250',
        DEDUP_RETENTION_DAYS: '14',
        DEDUP_PRUNE_INTERVAL_MS: '0',
      }),
    ).toMatchObject({
      policyFiles: { routingDataDir: 'services/routing', resolutionLimitsDir: 'services/resolution' },
      slaMonitor: { enabled: false, pollIntervalMs: 250 },
      dedupRetention: { retentionMs: 14 * 86_400_000, intervalMs: 0 },
    });
  });

  it('refuses what the services used to take silently (a poll interval of NaN spun the monitor), naming the variable', () => {
    expect(() => load({ SLA_POLL_INTERVAL_MS: 'soon' })).toThrow(/SLA_POLL_INTERVAL_MS must be a whole number/);
    expect(() => load({ SLA_POLL_INTERVAL_MS: '0' })).toThrow(/SLA_POLL_INTERVAL_MS must be at least 10/);
    expect(() => load({ SLA_MONITOR: 'of' })).toThrow(/SLA_MONITOR must be "on" or "off"/);
    expect(() => load({ ROUTING_DATA_DIR: '/no/such/rules' })).toThrow(
      /ROUTING_DATA_DIR names a directory that does not exist/,
    );
    expect(() => load({ RESOLUTION_LIMITS_DIR: '/no/such/limits' })).toThrow(ConfigError);
  });

  it('keeps de-duplication rows beyond the window in which a message can come again', () => {
    expect(() => load({ DEDUP_RETENTION_DAYS: '7' })).toThrow(/DEDUP_RETENTION_DAYS must be at least 8/);
    expect(() => load({ DEDUP_RETENTION_DAYS: 'a month' })).toThrow(/DEDUP_RETENTION_DAYS must be a whole number/);
  });
});
