import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS, type ErrorCode } from '../../contract/index.js';
import { API_ROUTES } from '../../contract/index.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { startInProcessRuntime } from '../support/in-process-runtime.js';
import { clientFor, signedHeaders } from '../support/principals.js';

/**
 * Every caller mistake gets a documented 4xx in the contract's shape: fast-check mutates requests to
 * every route (paths, queries, bodies, values) and sends them, signed, through the real gateway and
 * handlers. Seeded and bounded, so it runs the same 2,000 requests every time.
 */
const RUNS = 2_000;
const SEED = 20261125;
let runtime: LocalRuntime;
let keyId: string;
let ciphertext: string;

beforeAll(async () => {
  runtime = await startInProcessRuntime({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '60' });
  const owner = clientFor(runtime.apiUrl, 'owner');
  keyId = (await owner.createKey({ alias: 'fuzzed' })).keyId;
  ciphertext = (await owner.encrypt(keyId, 'fuzz', { a: 'b' })).ciphertext;
});
afterAll(async () => runtime?.close());

async function send(method: string, path: string, query: Record<string, string>, body: string | undefined) {
  const url = new URL(path, runtime.apiUrl);
  for (const [name, value] of Object.entries(query)) url.searchParams.append(name, value);
  const headers = await signedHeaders('owner', method, url, { headers: { 'content-type': 'application/json' }, body });
  const response = await fetch(url, { method, headers, body });
  return { status: response.status, text: await response.text() };
}

/** Values a field might be given: right ones, wrong types, hostile strings. */
const value = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(keyId, `alias/fuzzed`, ciphertext, 'AA==', '', 'alias/', '__proto__', 'ev2.', '\ud800', 'arn:aws:iam::111122223333:user/owner'),
    fc.string({ maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
  );

const FIELDS = [
  'keyId',
  'plaintext',
  'ciphertext',
  'context',
  'items',
  'alias',
  'description',
  'admins',
  'users',
  'pendingWindowInDays',
  'reference',
  'bypassLockoutSafetyCheck',
  '__proto__',
  'constructor',
];
const body = (): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    fc.constant(undefined),
    fc.dictionary(fc.constantFrom(...FIELDS), value(), { maxKeys: 4 }).map((fields) => JSON.stringify(fields)),
    fc
      .record({ items: fc.array(fc.dictionary(fc.constantFrom(...FIELDS), value(), { maxKeys: 3 }), { maxLength: 4 }) })
      .map((b) => JSON.stringify({ keyId, ...b })),
    fc.jsonValue().map((json) => JSON.stringify(json)),
    fc.string({ maxLength: 60 }),
  );
const segment = () =>
  fc.oneof(
    fc.constantFrom(keyId, 'alias%2Ffuzzed', 'alias%252Ffuzzed', '%', '%E0%A4%A', '..', '__proto__'),
    fc.string({ minLength: 1, maxLength: 20 }).map(encodeURIComponent),
  );
const query = () => fc.dictionary(fc.constantFrom('limit', 'nextToken', '__proto__', 'x'), fc.string({ maxLength: 12 }), { maxKeys: 2 });

const request = fc.record({
  route: fc.constantFrom(...API_ROUTES),
  key: segment(),
  query: query(),
  body: body(),
});

describe('fuzzing the HTTP API', () => {
  it(`answers ${RUNS} mutated requests with a 2xx or a documented 4xx in the contract shape, never a 5xx`, async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async ({ route, key, query: q, body: b }) => {
        const path = route.resource.replace('{key}', key);
        const { status, text } = await send(route.method, path, q, route.method === 'GET' ? undefined : b);
        seen.set(status, (seen.get(status) ?? 0) + 1);
        expect(status, `${route.method} ${path} ${b}`).toBeLessThan(500);
        const parsed = JSON.parse(text) as { error?: { code: ErrorCode; message: string } };
        if (status >= 400) {
          expect(Object.keys(parsed)).toEqual(['error']);
          expect(typeof parsed.error!.message).toBe('string');
          expect(ERROR_STATUS[parsed.error!.code], `${parsed.error!.code} for ${status}`).toBe(status);
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // The fuzzing reaches past validation: some requests succeed, and several kinds of mistake occur.
    expect(seen.get(200) ?? 0).toBeGreaterThan(0);
    expect([...seen.keys()].filter((s) => s >= 400).length).toBeGreaterThan(2);
  });
});
