import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IDEMPOTENCY_LIMITS } from '../../contract/index.js';
import { ChangeRequest, changeRequestToken, keyIdFor, rememberedChange, requestsToForget } from '../../lambdas/domain/change-request.js';
import { isDataKeyId } from '../../lambdas/domain/ciphertext-token.js';

const NOW = new Date('2026-12-05T12:00:00Z');
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

describe('change request tokens', () => {
  it('are the same for the same parts and differ when the parts differ, however they are split', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 5 }), fc.array(fc.string(), { maxLength: 5 }), (a, b) => {
        expect(changeRequestToken(a)).toBe(changeRequestToken([...a]));
        expect(changeRequestToken(a)).toMatch(/^[A-Za-z0-9_-]{22}$/);
        if (JSON.stringify(a) !== JSON.stringify(b)) expect(changeRequestToken(a)).not.toBe(changeRequestToken(b));
      }),
    );
    expect(changeRequestToken(['ab', 'c'])).not.toBe(changeRequestToken(['a', 'bc']));
  });

  it('name a key id of their own: a version 8 UUID, the same for every attempt', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const id = keyIdFor(new ChangeRequest(changeRequestToken([a])));
        expect(isDataKeyId(id)).toBe(true);
        expect(id[14]).toBe('8');
        expect('89ab').toContain(id[19]);
        expect(keyIdFor(new ChangeRequest(changeRequestToken([a])))).toBe(id);
        if (a !== b) expect(keyIdFor(new ChangeRequest(changeRequestToken([b])))).not.toBe(id);
      }),
    );
  });
});

describe('remembered requests', () => {
  const request = new ChangeRequest('token');

  it('count within their window only', () => {
    const window = IDEMPOTENCY_LIMITS.rememberedSeconds;
    expect(rememberedChange({ token: { at: seconds(NOW) - window } }, request, NOW)).toEqual({ at: seconds(NOW) - window });
    expect(rememberedChange({ token: { at: seconds(NOW) - window - 1 } }, request, NOW)).toBeUndefined();
    expect(rememberedChange({ other: { at: seconds(NOW) } }, request, NOW)).toBeUndefined();
    expect(rememberedChange(undefined, request, NOW)).toBeUndefined();
    expect(rememberedChange({ token: { at: seconds(NOW) } }, undefined, NOW)).toBeUndefined();
  });

  it('are forgotten when expired, and the oldest beyond the limit, leaving room for one more', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 * IDEMPOTENCY_LIMITS.rememberedSeconds }), { maxLength: 400 }), (ages) => {
        const requests = Object.fromEntries(ages.map((age, i) => [`t${i}`, { at: seconds(NOW) - age }]));
        const forgotten = new Set(requestsToForget(requests, NOW));
        const kept = Object.keys(requests).filter((token) => !forgotten.has(token));
        expect(kept.length).toBeLessThan(IDEMPOTENCY_LIMITS.maxRememberedPerKey);
        for (const token of kept) expect(rememberedChange(requests, new ChangeRequest(token), NOW)).toBeDefined();
        // Nothing kept is older than something forgotten for want of room.
        const oldestKept = Math.min(...kept.map((token) => requests[token]!.at));
        for (const token of forgotten) {
          if (rememberedChange(requests, new ChangeRequest(token), NOW)) expect(requests[token]!.at).toBeLessThanOrEqual(oldestKept);
        }
      }),
    );
  });
});
