import { describe, expect, it } from 'vitest';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor, failure } from '../support/principals.js';

/** Keys per principal are bounded (ENVELOPE_MAX_KEYS_PER_PRINCIPAL), with a clear 409 past it. */
const runtime = runtimeForFile({ ENVELOPE_MAX_KEYS_PER_PRINCIPAL: '3' });

describe('the key quota', () => {
  it('refuses a principal its quota-plus-first live key, frees a place when a key is scheduled for deletion, and counts each principal alone', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const keys = [await owner.createKey(), await owner.createKey(), await owner.createKey()];
    const refused = await failure(owner.createKey());
    expect(refused).toMatchObject({ status: 409, code: 'LimitExceeded' });
    expect(refused.message).toMatch(/3 keys/);
    expect((await clientFor(runtime().apiUrl, 'teammate').createKey()).state).toBe('Enabled');
    await owner.scheduleKeyDeletion(keys[0]!.keyId, 7);
    expect((await owner.createKey()).state).toBe('Enabled');
  });
});
