import { decidePublish, PolicyKinds, versionAt, type PolicyKind, type PolicyVersion } from './policy';
import { PolicyCache } from './policy-cache';
import { policyDigest } from './policy-store';

/** A kind whose document is `{ limit: <positive number> }`. */
const kind: PolicyKind<{ limit: number }> = {
  name: 'approval-limits',
  validate: (doc) =>
    typeof (doc as { limit?: unknown }).limit === 'number' && (doc as { limit: number }).limit > 0
      ? []
      : [{ path: 'limit', reason: 'must be a positive number' }],
  seed: () => ({ document: { limit: 500 }, source: 'limits/default.json' }),
};

const NOW = new Date('2026-07-01T00:00:00Z');
const version = (n: number, effectiveFrom: string, limit = n * 100): PolicyVersion => ({
  tenant: 'bank-a',
  kind: 'approval-limits',
  version: n,
  effectiveFrom,
  document: { limit },
  author: 'admin-1',
  reason: 'r',
  recordedAt: effectiveFrom,
  digest: policyDigest({ limit }),
});

describe('versionAt', () => {
  const v1 = version(1, '2026-06-01T00:00:00Z');
  const v2 = version(2, '2026-08-01T00:00:00Z');
  const v3 = version(3, '2026-06-15T00:00:00Z');

  it('is the highest-numbered version effective by then; a future one waits for its instant', () => {
    expect(versionAt([v1, v2], NOW)?.version).toBe(1);
    expect(versionAt([v1, v2], new Date('2026-08-01T00:00:00Z'))?.version).toBe(2);
    expect(versionAt([v1, v2, v3], NOW)?.version).toBe(3);
    // A later version effective sooner supersedes one scheduled earlier.
    expect(versionAt([v1, v2, v3], new Date('2026-09-01T00:00:00Z'))?.version).toBe(3);
    expect(versionAt([v2], NOW)).toBeUndefined();
  });
});

describe('decidePublish', () => {
  const publish = (request: Record<string, unknown>, existing: PolicyVersion[] = []) =>
    decidePublish(
      kind,
      'bank-a',
      existing,
      { document: { limit: 800 }, reason: 'Board decision', author: 'admin-1', ...request },
      NOW,
      policyDigest,
    );

  it('numbers versions 1, 2, 3… and digests the canonical document', () => {
    const first = publish({});
    expect(first).toMatchObject({ version: { version: 1, effectiveFrom: NOW.toISOString(), author: 'admin-1' } });
    const next = publish({ document: { limit: 900 } }, [
      version(1, '2026-06-01T00:00:00Z'),
      version(2, NOW.toISOString()),
    ]);
    expect(next).toMatchObject({ version: { version: 3, digest: policyDigest({ limit: 900 }) } });
    expect(policyDigest({ a: 1, b: { c: 2, d: 3 } })).toBe(policyDigest({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it('names each bad field under document, and refuses a missing reason or a backdated version', () => {
    expect(publish({ document: { limit: -1 }, reason: ' ', effectiveFrom: '2026-01-01T00:00:00Z' })).toEqual({
      problems: [
        { path: 'document.limit', reason: 'must be a positive number' },
        { path: 'reason', reason: expect.stringMatching(/required/) },
        { path: 'effectiveFrom', reason: expect.stringMatching(/must not lie in the past/) },
      ],
    });
    expect(publish({ effectiveFrom: 'tomorrow' })).toEqual({
      problems: [{ path: 'effectiveFrom', reason: 'must be an ISO 8601 date-time' }],
    });
  });

  it('keeps a future effectiveFrom', () => {
    expect(publish({ effectiveFrom: '2026-07-02T08:00:00+08:00' })).toMatchObject({
      version: { effectiveFrom: '2026-07-02T00:00:00.000Z' },
    });
  });
});

describe('PolicyCache', () => {
  it('serves the seed as version 0 until a version is in force, and a future version from its instant without a reload', async () => {
    let loads = 0;
    const future = new Date(Date.now() + 60_000);
    const cache = new PolicyCache(new PolicyKinds([kind]), () => {
      loads++;
      return Promise.resolve([version(1, '2026-01-01T00:00:00Z'), version(2, future.toISOString())]);
    });
    expect(cache.inForce('bank-a', 'approval-limits', new Date())).toMatchObject({
      version: 0,
      document: { limit: 500 },
      source: 'limits/default.json',
      digest: policyDigest({ limit: 500 }),
    });
    await cache.refresh();
    expect(cache.ref('bank-a', 'approval-limits', new Date())).toMatchObject({ kind: 'approval-limits', version: 1 });
    expect(cache.ref('bank-a', 'approval-limits', future)).toMatchObject({ version: 2 });
    expect(cache.ref('bank-b', 'approval-limits', future)).toMatchObject({ version: 0 });
    expect(loads).toBe(1);
  });

  it('coalesces reloads asked for during a reload into one more', async () => {
    let loads = 0;
    let release: () => void = () => undefined;
    const cache = new PolicyCache(new PolicyKinds([kind]), async () => {
      loads++;
      if (loads === 1) await new Promise<void>((resolve) => (release = resolve));
      return [];
    });
    const first = cache.refresh();
    void cache.refresh();
    void cache.refresh();
    release();
    await first;
    expect(loads).toBe(2);
  });

  describe('a kind another service keeps (replicated from the bus)', () => {
    const replicaOf = () =>
      new PolicyCache(new PolicyKinds([]), () => Promise.resolve([]), console, new PolicyKinds([kind]));

    it('applies a version read from the bus, and ignores a second copy of it', () => {
      const cache = replicaOf();
      expect(cache.accept(version(1, '2026-01-01T00:00:00Z'), 'bank-a')).toBeUndefined();
      expect(
        cache.accept({ ...version(1, '2026-01-01T00:00:00Z'), reason: 'changed later' }, 'bank-a'),
      ).toBeUndefined();
      expect(cache.inForce('bank-a', 'approval-limits', NOW)).toMatchObject({ version: 1, reason: 'r' });
      expect(cache.versions('bank-a', 'approval-limits')).toHaveLength(1);
      expect(cache.inForce('bank-b', 'approval-limits', NOW)).toMatchObject({ version: 0 });
    });

    it('refuses a version whose digest, tenant or document does not hold, and keeps what was in force', () => {
      const cache = replicaOf();
      const v1 = version(1, '2026-01-01T00:00:00Z');
      expect(cache.accept({ ...v1, document: { limit: 1e9 } }, 'bank-a')).toMatch('does not match its digest');
      expect(cache.accept(v1, 'bank-b')).toMatch("envelope's tenant bank-b is not the version's tenant bank-a");
      expect(cache.accept({ ...v1, document: { limit: -1 }, digest: policyDigest({ limit: -1 }) }, 'bank-a')).toMatch(
        'limit: must be a positive number',
      );
      expect(cache.inForce('bank-a', 'approval-limits', NOW)).toMatchObject({ version: 0 });
    });

    it('passes over versions of kinds it neither keeps nor applies', () => {
      const cache = new PolicyCache(new PolicyKinds([]), () => Promise.resolve([]));
      expect(cache.accept(version(1, '2026-01-01T00:00:00Z'), 'bank-a')).toBeUndefined();
      expect(cache.versions('bank-a', 'approval-limits')).toEqual([]);
    });
  });
});
