import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DataKeyStore, ITEM_KEYS } from '../../lambdas/domain/data-key-store.js';
import { addNextVersion, advanceTo, firstVersion } from '../../lambdas/domain/key-versions.js';
import { domainServicesForFile, TestClock } from '../support/domain-services.js';
import { rejection } from '../support/rejection.js';
import { expiryOf, storedItem } from './table.js';

/**
 * Versions are claimed with a conditional put of their item, then the record advanced to them:
 * rotations racing from one read each get a version or help the one that did; a rotation that
 * died between the two is finished by the next.
 */
const ADMIN = 'arn:aws:iam::111122223333:user/admin';
const clock = new TestClock();
const services = domainServicesForFile(clock);

const recordOf = async (keyId: string) => (await services().store.getRecord(keyId))!;
const wrapped = (keyId: string, keyVersion: number) => services().masterKey.generateWrappedDataKey({ keyId, keyVersion });

/** A version claimed by a rotation that died before it advanced the record. */
async function claimedAndAbandoned(keyId: string, version: number): Promise<Uint8Array> {
  const wrappedKey = await wrapped(keyId, version);
  expect(await services().store.putVersion(keyId, version, { wrappedKey, createdAt: clock.now().toISOString() })).toBe(true);
  return wrappedKey;
}

describe('addNextVersion', () => {
  it('gives the version to the first of two rotations from one read; the second helps it advance and reports false', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    const read = await recordOf(keyId);
    const { store, masterKey } = services();
    expect(await addNextVersion(store, masterKey, read, clock.now())).toBe(true);
    const winner = await storedItem(services(), ITEM_KEYS.version(keyId, 2));
    expect(await addNextVersion(store, masterKey, read, clock.now())).toBe(false);

    expect(await storedItem(services(), ITEM_KEYS.version(keyId, 2))).toEqual(winner);
    expect(await storedItem(services(), ITEM_KEYS.version(keyId, 3))).toBeUndefined();
    const record = await recordOf(keyId);
    expect(record.currentVersion).toBe(2);
    expect(record.currentWrappedKey).toEqual(winner?.wrappedKey);
  });

  it('finishes a rotation that died after claiming its version, then claims the next', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    const abandoned = await claimedAndAbandoned(keyId, 2);
    const { store, masterKey } = services();
    expect(await addNextVersion(store, masterKey, await recordOf(keyId), clock.now())).toBe(false);
    expect(await recordOf(keyId)).toMatchObject({ currentVersion: 2, currentWrappedKey: abandoned });
    expect(await addNextVersion(store, masterKey, await recordOf(keyId), clock.now())).toBe(true);
    expect((await recordOf(keyId)).versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });
});

describe('advanceTo', () => {
  it('advances the record through every version claimed before the one named', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    await claimedAndAbandoned(keyId, 2);
    const third = await claimedAndAbandoned(keyId, 3);
    await advanceTo(services().store, await recordOf(keyId), 3);
    expect(await recordOf(keyId)).toMatchObject({ currentVersion: 3, currentWrappedKey: third });
    expect((await recordOf(keyId)).versions.map((v) => v.version)).toEqual([1, 2, 3]);
  });
});

describe('firstVersion', () => {
  it('gives a retried create the version its earlier attempt stored, kept from expiring', async () => {
    const { store, masterKey } = services();
    const keyId = randomUUID();
    const earlier = await firstVersion(store, masterKey, keyId, clock.now(), 'request-token');
    // A rival create aborted the attempt: its version expires.
    await store.expireKeyItems(keyId, clock.now().toISOString(), { alias: null, principals: [] });
    expect(expiryOf(await storedItem(services(), ITEM_KEYS.version(keyId, 1)))).toBeDefined();

    expect(await firstVersion(store, masterKey, keyId, clock.now(), 'request-token')).toEqual(earlier);
    const kept = await storedItem(services(), ITEM_KEYS.version(keyId, 1));
    expect(kept).toMatchObject({ wrappedKey: earlier.wrappedKey, request: 'request-token' });
    expect(expiryOf(kept)).toBeUndefined();
  });

  it('answers 409 Conflict when a create without a request finds its version taken', async () => {
    const { store, masterKey } = services();
    const { keyId } = await services().keys.createKey(ADMIN, {});
    expect(await rejection(firstVersion(store, masterKey, keyId, clock.now()))).toMatchObject({ code: 'Conflict', status: 409 });
  });
});

describe('findVersionByRequest', () => {
  it('finds the version a request created on any page of the query, not only the first', async () => {
    const { db, table, store } = services();
    const { keyId } = await services().keys.createKey(ADMIN, {});
    const wrappedKey = await wrapped(keyId, 3);
    await claimedAndAbandoned(keyId, 2);
    expect(await store.putVersion(keyId, 3, { wrappedKey, createdAt: clock.now().toISOString() }, 'rotation-token')).toBe(true);
    // One item per page, as a table whose versions outgrow DynamoDB's 1 MB page reads them: the
    // filter applies after each page is read, so versions 1 and 2 come back as empty pages.
    const onePerPage = DynamoDBDocumentClient.from(db);
    let queries = 0;
    onePerPage.middlewareStack.add(
      (next) => (args) => {
        if (args.input && typeof args.input === 'object' && 'KeyConditionExpression' in args.input) {
          queries++;
          Object.assign(args.input, { Limit: 1 });
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    expect(await new DataKeyStore(onePerPage, table).findVersionByRequest(keyId, 'rotation-token')).toBe(3);
    expect(queries).toBeGreaterThanOrEqual(3);
    expect(await new DataKeyStore(onePerPage, table).findVersionByRequest(keyId, 'another-token')).toBeUndefined();
  });
});
