import { randomBytes, randomUUID } from 'node:crypto';
import { ERASED, isSealed, mayHoldSealed, revealWith, seal, sealedKeyIds, unseal } from './sealed';
import { pseudonymKey, subjectIdFor, SUBJECT_ID } from './subject';

describe('sealed personal fields', () => {
  const keyId = randomUUID();
  const key = randomBytes(32);

  it('round-trips text, including Chinese, and never shows the plain text', () => {
    const sealed = seal('王女士 13800000000', keyId, key);
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('13800000000');
    expect(unseal(sealed, key)).toBe('王女士 13800000000');
    expect(seal('王女士', keyId, key)).not.toBe(seal('王女士', keyId, key));
  });

  it('tells a document that may hold a sealed field from one that cannot', () => {
    expect(mayHoldSealed(JSON.stringify({ reason: seal('Mrs Li', keyId, key) }))).toBe(true);
    expect(mayHoldSealed(JSON.stringify({ reason: 'Customer unreachable', status: 'open' }))).toBe(false);
  });

  it('refuses a ciphertext moved under another key id or altered', () => {
    const sealed = seal('secret', keyId, key);
    expect(() => unseal(sealed.replace(keyId, randomUUID()), key)).toThrow();
    expect(() => unseal(seal('secret', keyId, randomBytes(32)), key)).toThrow();
  });

  it('reveals every sealed field of a document, and a destroyed key as erased', () => {
    const other = randomUUID();
    const doc = {
      complainant: { name: seal('Ann', keyId, key), contact: { phone: seal('555', other, key) } },
      demands: [seal('refund', keyId, key)],
      reference: 'CMP-2026-000001',
      count: 3,
    };
    expect(sealedKeyIds(doc).sort()).toEqual([keyId, other].sort());
    expect(
      revealWith(
        doc,
        new Map([
          [keyId, key],
          [other, null],
        ]),
      ),
    ).toEqual({
      complainant: { name: 'Ann', contact: { phone: ERASED } },
      demands: ['refund'],
      reference: 'CMP-2026-000001',
      count: 3,
    });
  });
  it('reveals a long list by copying only the items on the way to a sealed field', () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({
      eventId: `e-${i}`,
      data: { summary: i === 500 ? seal('Called Mrs Li', keyId, key) : `Called the customer (${i})`, at: null },
    }));
    const revealed = revealWith(events, new Map([[keyId, key]]));
    expect(revealed[500]).toEqual({ eventId: 'e-500', data: { summary: 'Called Mrs Li', at: null } });
    expect(revealed[500]).not.toBe(events[500]);
    expect(revealed.filter((event, i) => event !== events[i])).toHaveLength(1);
    expect(isSealed(events[500]!.data.summary)).toBe(true); // the input is left as it was
    expect(revealWith(events.slice(0, 3), new Map())).toEqual(events.slice(0, 3));
    expect(sealedKeyIds(events)).toEqual([keyId]);
  });
});

describe('data subject ids', () => {
  const key = pseudonymKey(randomBytes(32));

  it('are stable per tenant and identity, and tell nothing of it', () => {
    const id = subjectIdFor(key, 'bank-a', 'phone:13800000000');
    expect(id).toMatch(SUBJECT_ID);
    expect(subjectIdFor(key, 'bank-a', 'phone:13800000000')).toBe(id);
    expect(subjectIdFor(key, 'bank-b', 'phone:13800000000')).not.toBe(id);
    expect(subjectIdFor(pseudonymKey(randomBytes(32)), 'bank-a', 'phone:13800000000')).not.toBe(id);
  });
});
