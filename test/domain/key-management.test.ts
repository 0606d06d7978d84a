import { describe, expect, it } from 'vitest';
import { ChangeRequest, changeRequestToken, keyIdFor } from '../../lambdas/domain/change-request.js';
import { ITEM_KEYS, type DataKeyStore } from '../../lambdas/domain/data-key-store.js';
import { KeyManagement } from '../../lambdas/domain/key-management.js';
import { domainServicesForFile, TestClock } from '../support/domain-services.js';
import { rejection } from '../support/rejection.js';
import { pausedBefore } from './paused-store.js';
import { expiryOf, storedItem } from './table.js';

/**
 * Key management's own protocols over the real table: an alias is claimed by a provisional record
 * that the claim then confirms, and a claim is taken over only from a create that cannot finish;
 * the member index follows the policy.
 */
const ADMIN = 'arn:aws:iam::111122223333:user/admin';
const RIVAL = 'arn:aws:iam::111122223333:user/rival';
const USER = 'arn:aws:iam::111122223333:role/reporting';
const clock = new TestClock();
const services = domainServicesForFile(clock);

const keysOver = (store: DataKeyStore) => new KeyManagement(store, services().masterKey, { now: clock.now });
const item = (key: Record<string, string>) => storedItem(services(), key);
const nowSeconds = () => Math.ceil(clock.now().getTime() / 1000);

/** A create request whose key id is known before it runs (as every retry of it computes it). */
function createRequest(name: string): { request: ChangeRequest; keyId: string } {
  const request = new ChangeRequest(changeRequestToken([RIVAL, 'POST /v1/keys', name]));
  return { request, keyId: keyIdFor(request) };
}

/** What a failed create left behind: no record, and its version and index entry expiring now. */
async function expectNothingLeftOf(keyId: string, creator: string): Promise<void> {
  expect(await item(ITEM_KEYS.metadata(keyId))).toBeUndefined();
  expect(expiryOf(await item(ITEM_KEYS.version(keyId, 1)))).toBeLessThanOrEqual(nowSeconds());
  expect(expiryOf(await item(ITEM_KEYS.member(creator, keyId)))).toBeLessThanOrEqual(nowSeconds());
}

describe('creating a key with an alias', () => {
  it('writes the record, claims the alias for it, and confirms the record', async () => {
    const key = await services().keys.createKey(ADMIN, { alias: 'claimed' });
    expect(await item(ITEM_KEYS.alias('claimed'))).toMatchObject({ keyId: key.keyId, claimedAt: clock.now().toISOString() });
    const record = await item(ITEM_KEYS.metadata(key.keyId));
    expect(record).toMatchObject({ alias: 'claimed', revision: 1 });
    expect(record).not.toHaveProperty('provisional');
  });

  it('is refused an alias a live key holds, pending deletion or not, and leaves nothing of its attempt', async () => {
    const holder = await services().keys.createKey(ADMIN, { alias: 'held' });
    const pending = await services().keys.createKey(ADMIN, { alias: 'held-pending-deletion' });
    await services().keys.scheduleDeletion(ADMIN, pending.keyId, 7);
    for (const [alias, owner] of [
      ['held', holder.keyId],
      ['held-pending-deletion', pending.keyId],
    ] as const) {
      const { request, keyId } = createRequest(alias);
      expect(await rejection(services().keys.createKey(RIVAL, { alias }, request))).toMatchObject({ code: 'AlreadyExists', status: 409 });
      expect(await item(ITEM_KEYS.alias(alias))).toMatchObject({ keyId: owner });
      await expectNothingLeftOf(keyId, RIVAL);
    }
  });

  it('loses its alias to a rival while provisional: the rival aborts it, and it answers AlreadyExists', async () => {
    const slow = pausedBefore(services().store, 'confirmRecord');
    const { request, keyId: slowKeyId } = createRequest('overtaken');
    const slowCreate = keysOver(slow.store).createKey(RIVAL, { alias: 'overtaken' }, request);
    await slow.reached;

    const rival = await services().keys.createKey(ADMIN, { alias: 'overtaken' });
    slow.resume();
    expect(await rejection(slowCreate)).toMatchObject({ code: 'AlreadyExists' });
    expect(await item(ITEM_KEYS.alias('overtaken'))).toMatchObject({ keyId: rival.keyId });
    expect(await services().keys.describeKey(ADMIN, 'alias/overtaken')).toEqual(rival);
    await expectNothingLeftOf(slowKeyId, RIVAL);
  });

  it('keeps its alias when it confirms before the rival can abort it: the rival answers AlreadyExists', async () => {
    const first = pausedBefore(services().store, 'confirmRecord');
    const firstCreate = keysOver(first.store).createKey(ADMIN, { alias: 'kept' });
    await first.reached;
    const rival = pausedBefore(services().store, 'abortRecord');
    const { request, keyId: rivalKeyId } = createRequest('kept');
    const rivalCreate = keysOver(rival.store).createKey(RIVAL, { alias: 'kept' }, request);
    await rival.reached;

    first.resume();
    const kept = await firstCreate;
    rival.resume();
    expect(await rejection(rivalCreate)).toMatchObject({ code: 'AlreadyExists' });
    expect(await services().keys.describeKey(ADMIN, 'alias/kept')).toEqual(kept);
    expect(await item(ITEM_KEYS.alias('kept'))).toMatchObject({ keyId: kept.keyId });
    await expectNothingLeftOf(rivalKeyId, RIVAL);
  });
});

describe('the member index', () => {
  it('follows the policy: newcomers indexed, the dropped removed, a grantee kept while its grant lasts', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    await services().keys.putPolicy(ADMIN, keyId, { admins: [ADMIN], users: [USER, RIVAL] });
    expect(await item(ITEM_KEYS.member(USER, keyId))).toMatchObject({ keyId });
    await services().grants.createGrant(ADMIN, keyId, { grantee: USER, operations: ['decrypt'] });

    await services().keys.putPolicy(ADMIN, keyId, { admins: [ADMIN], users: [] });
    expect(await item(ITEM_KEYS.member(RIVAL, keyId))).toBeUndefined();
    expect(await item(ITEM_KEYS.member(USER, keyId))).toMatchObject({ keyId });
  });

  it('may list more than the policies name, and listing answers only what they do', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    // An index entry written ahead of a policy change that then lost its race.
    await services().store.addMembers(keyId, [RIVAL]);
    expect((await services().keys.listKeys(RIVAL, 100)).keys.map((key) => key.keyId)).not.toContain(keyId);
    expect((await services().keys.listKeys(ADMIN, 100)).keys.map((key) => key.keyId)).toContain(keyId);
  });
});
