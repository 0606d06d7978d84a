import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyDirectory } from '../../lambdas/domain/key-directory.js';
import { KeyManagement } from '../../lambdas/domain/key-management.js';
import { domainServicesForFile, TestClock } from '../support/domain-services.js';
import { rejection } from '../support/rejection.js';
import { pausedBefore } from './paused-store.js';

/** Finding live keys by id and alias, over the real table, with and without a cache. */
const ADMIN = 'arn:aws:iam::111122223333:user/admin';
const clock = new TestClock();
const services = domainServicesForFile(clock);
const MINUTE_MS = 60_000;

const directory = (maxAgeMs = 0) => new KeyDirectory(services().store, { maxAgeMs, now: clock.now });

describe('KeyDirectory', () => {
  it('finds a live key by its id and by its alias', async () => {
    const key = await services().keys.createKey(ADMIN, { alias: 'found' });
    const byId = await directory().find(key.keyId);
    expect(byId).toMatchObject({ keyId: key.keyId, alias: 'found', state: 'Enabled' });
    expect(await directory().find('alias/found')).toEqual(byId);
  });

  it('refuses a malformed reference before reading, and names a missing key as the caller did', async () => {
    for (const malformed of ['alias/not an alias', 'not-a-key-id', '']) {
      expect(await rejection(directory().find(malformed))).toMatchObject({ code: 'ValidationError' });
    }
    const unknownId = randomUUID();
    expect(await rejection(directory().find(unknownId))).toMatchObject({ code: 'KeyNotFound', message: `Key ${unknownId} was not found.` });
    expect(await rejection(directory().find('alias/nobody'))).toMatchObject({ code: 'KeyNotFound', message: 'Key alias/nobody was not found.' });
    // A claim whose key was never written (its create died first) names nothing.
    await services().store.claimAlias('orphan', randomUUID(), clock.now().toISOString());
    expect(await rejection(directory().find('alias/orphan'))).toMatchObject({ code: 'KeyNotFound', message: 'Key alias/orphan was not found.' });
  });

  it('does not find a create that has not confirmed its alias, and finds it as soon as it has: a miss is never cached', async () => {
    const paused = pausedBefore(services().store, 'confirmRecord');
    const creating = new KeyManagement(paused.store, services().masterKey, { now: clock.now }).createKey(ADMIN, { alias: 'provisional' });
    await paused.reached;
    const keyId = (await services().store.getAliasOwner('provisional'))!;
    const cached = directory(10 * MINUTE_MS);
    expect(await rejection(cached.find(keyId))).toMatchObject({ code: 'KeyNotFound' });
    expect(await rejection(cached.find('alias/provisional'))).toMatchObject({ code: 'KeyNotFound' });

    paused.resume();
    expect((await creating).keyId).toBe(keyId);
    expect(await cached.find(keyId)).toMatchObject({ keyId, alias: 'provisional' });
  });

  it('serves a record from its cache for the max age at most, and afresh on refresh', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, { tags: { stage: 'one' } });
    const cached = directory(MINUTE_MS);
    await cached.find(keyId);
    await services().keys.putTags(ADMIN, keyId, { stage: 'two' });
    expect((await cached.find(keyId)).tags).toEqual({ stage: 'one' });
    expect((await cached.refresh(keyId)).tags).toEqual({ stage: 'two' });

    await services().keys.putTags(ADMIN, keyId, { stage: 'three' });
    clock.advanceDays(MINUTE_MS / 86_400_000);
    expect((await cached.find(keyId)).tags).toEqual({ stage: 'three' });
  });

  it('never serves a cached record past its key’s deletion date, whatever the max age', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    await services().keys.scheduleDeletion(ADMIN, keyId, 7);
    const cached = directory(30 * 24 * 60 * MINUTE_MS);
    expect(await cached.find(keyId)).toMatchObject({ state: 'PendingDeletion' });
    clock.advanceDays(7);
    expect(await rejection(cached.find(keyId))).toMatchObject({ code: 'KeyNotFound' });
  });
});
