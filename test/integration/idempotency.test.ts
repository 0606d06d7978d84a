import { describe, expect, it } from 'vitest';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor, failure } from '../support/principals.js';

/** State-changing requests are safely retryable with an Idempotency-Key header. */
const runtime = runtimeForFile({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' });

describe('Idempotency-Key', () => {
  it('answers a retried create with its first outcome, creating one key; another request under the key is 409', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const before = (await owner.listKeys({ limit: 100 })).keys.length;
    const first = await owner.createKey({ alias: 'once' }, { idempotencyKey: 'create-once-1' });
    const retry = await owner.createKey({ alias: 'once' }, { idempotencyKey: 'create-once-1' });
    expect(retry).toEqual(first);
    expect((await owner.listKeys({ limit: 100 })).keys.length).toBe(before + 1);
    expect(await failure(owner.createKey({ alias: 'other' }, { idempotencyKey: 'create-once-1' }))).toMatchObject({ status: 409, code: 'Conflict' });
    // Keys are the caller's own: the same key from someone else is another request.
    const theirs = await clientFor(runtime().apiUrl, 'teammate').createKey({}, { idempotencyKey: 'create-once-1' });
    expect(theirs.keyId).not.toBe(first.keyId);
  });

  it('runs a failed request anew on retry, and rotates once for one key', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    await owner.createKey({ alias: 'taken-for-retry' });
    expect(await failure(owner.createKey({ alias: 'taken-for-retry' }, { idempotencyKey: 'failing-1' }))).toMatchObject({
      status: 409,
      code: 'AlreadyExists',
    });
    expect(await failure(owner.createKey({ alias: 'taken-for-retry' }, { idempotencyKey: 'failing-1' }))).toMatchObject({
      status: 409,
      code: 'AlreadyExists',
    });

    const { keyId } = await owner.createKey();
    const rotate = () => owner.request<{ createdVersion: number }>('POST', `v1/keys/${keyId}/rotate`, undefined, {}, { idempotencyKey: 'rotate-1' });
    expect((await rotate()).createdVersion).toBe(2);
    expect((await rotate()).createdVersion).toBe(2);
    expect((await owner.getKey(keyId)).currentVersion).toBe(2);
    expect(await failure(owner.createKey({}, { idempotencyKey: 'not a valid key!' }))).toMatchObject({ status: 400, code: 'ValidationError' });
  });
});
