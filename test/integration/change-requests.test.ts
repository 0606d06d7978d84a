import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TABLE_SCHEMA } from '../../contract/index.js';
import { ChangeRequest, changeRequestToken, keyIdFor } from '../../lambdas/domain/change-request.js';
import type { DataKeyStore } from '../../lambdas/domain/data-key-store.js';
import { GrantManagement } from '../../lambdas/domain/grant-management.js';
import { KeyManagement } from '../../lambdas/domain/key-management.js';
import { domainServicesForFile, TestClock } from '../support/domain-services.js';

/**
 * Exactly once across a crash, at every point one can happen: an attempt dies before its n-th
 * call to DynamoDB (its process killed there: nothing after it runs), then a retry of the same
 * request runs on healthy services. Whatever n, the change is made once, and the retry answers it.
 */
const ADMIN = 'arn:aws:iam::111122223333:user/admin';
const GRANTEE = 'arn:aws:iam::111122223333:role/batch-job';
const clock = new TestClock();
const services = domainServicesForFile(clock);

class Crash extends Error {}

/** The store as a process that dies before its `calls`-th call sees it. */
function dyingAfter(store: DataKeyStore, calls: number): DataKeyStore {
  let made = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (made++ >= calls) throw new Crash(`died before call ${made}`);
        return value.apply(target, args);
      };
    },
  });
}

function servicesOver(store: DataKeyStore) {
  const { masterKey } = services();
  return { keys: new KeyManagement(store, masterKey, { now: clock.now }), grants: new GrantManagement(store, clock.now) };
}

let requests = 0;
const newRequest = () => changeRequestToken([ADMIN, 'test', String(++requests)]);

/**
 * Runs `attempt` dying at every call in turn, each time retrying it healthy with the same request;
 * answers what each retry answered and whether it found the earlier attempt's change.
 */
async function everyCrashPoint<T>(
  attempt: (s: ReturnType<typeof servicesOver>, request: ChangeRequest) => Promise<T>,
  check: (retried: T, recovered: boolean) => Promise<void>,
): Promise<{ points: number; recovered: number }> {
  let recovered = 0;
  for (let calls = 0; ; calls++) {
    const token = newRequest();
    const died = await attempt(servicesOver(dyingAfter(services().store, calls)), new ChangeRequest(token)).then(
      () => false,
      (error: unknown) => {
        if (!(error instanceof Crash)) throw error;
        return true;
      },
    );
    const retry = new ChangeRequest(token);
    await check(await attempt(servicesOver(services().store), retry), retry.recovered);
    if (retry.recovered) recovered++;
    if (!died) return { points: calls + 1, recovered };
  }
}

describe('a change retried after a crash at any point', () => {
  it('creates one key, named by the request, with or without an alias', async () => {
    for (const alias of [undefined, 'crash-alias']) {
      let aliasRound = 0;
      const { points, recovered } = await everyCrashPoint(
        (s, request) => s.keys.createKey(ADMIN, { alias: alias && `${alias}-${++aliasRound}` }, request),
        async (created) => {
          expect(created.keyId).toBe(keyIdFor(new ChangeRequest(lastToken())));
          expect((await services().keys.describeKey(ADMIN, created.keyId)).currentVersion).toBe(1);
        },
      );
      expect(points).toBeGreaterThan(3);
      expect(recovered).toBeGreaterThan(0);
    }
    const listed = (await services().keys.listKeys(ADMIN, 100)).keys.map((key) => key.keyId);
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('adds one version per rotation request, and answers it', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    let expected = 1;
    const { recovered } = await everyCrashPoint(
      (s, request) => s.keys.rotateKey(ADMIN, keyId, request),
      async (rotated) => {
        expected++;
        expect(rotated.createdVersion).toBe(expected);
        expect(rotated.currentVersion).toBe(expected);
      },
    );
    expect(recovered).toBeGreaterThan(0);
    expect((await services().keys.describeKey(ADMIN, keyId)).versions.map((v) => v.version)).toEqual(
      Array.from({ length: expected }, (_, i) => i + 1),
    );
  });

  it('creates one grant per request, and answers it even once revoked', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    let grants = 0;
    await everyCrashPoint(
      (s, request) => s.grants.createGrant(ADMIN, keyId, { grantee: GRANTEE, operations: ['encrypt'] }, request),
      async (grant) => {
        grants++;
        expect((await services().grants.listGrants(ADMIN, keyId, 100)).grants.map((g) => g.grantId)).toContain(grant.grantId);
      },
    );
    const { grants: listed } = await services().grants.listGrants(ADMIN, keyId, 100);
    expect(listed).toHaveLength(grants);

    const token = newRequest();
    const first = await services().grants.createGrant(ADMIN, keyId, { grantee: GRANTEE, operations: ['decrypt'] }, new ChangeRequest(token));
    await services().grants.revokeGrant(ADMIN, keyId, first.grantId);
    const retry = new ChangeRequest(token);
    expect(await services().grants.createGrant(ADMIN, keyId, { grantee: GRANTEE, operations: ['decrypt'] }, retry)).toEqual(first);
    expect(retry.recovered).toBe(true);
  });

  it('schedules a deletion once, and a retry finishes expiring the key material', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    const { store, db, table } = services();
    let first: string | null | undefined;
    await everyCrashPoint(
      (s, request) => s.keys.scheduleDeletion(ADMIN, keyId, 7, request),
      async (scheduled) => {
        first ??= scheduled.deletionDate;
        expect(scheduled).toMatchObject({ state: 'PendingDeletion', deletionDate: first });
        const version = await db.send(
          new GetCommand({ TableName: table, Key: { [TABLE_SCHEMA.partitionKey]: `KEY#${keyId}`, [TABLE_SCHEMA.sortKey]: 'V#0000000001' } }),
        );
        expect(version.Item?.[TABLE_SCHEMA.timeToLiveAttribute]).toBe(Math.ceil(Date.parse(first!) / 1000));
        // Undo for the next crash point.
        await services().keys.cancelDeletion(ADMIN, keyId);
      },
    );
    expect(await store.getRecord(keyId)).toMatchObject({ state: 'Disabled' });
  });

  it('is remembered for its window only: past it, the same request is a new change', async () => {
    const { keyId } = await services().keys.createKey(ADMIN, {});
    const token = newRequest();
    await services().keys.putTags(ADMIN, keyId, { a: '1' }, new ChangeRequest(token));
    const revision = (await services().store.getRecord(keyId))!.revision;
    const soon = new ChangeRequest(token);
    await services().keys.putTags(ADMIN, keyId, { a: '1' }, soon);
    expect(soon.recovered).toBe(true);
    expect((await services().store.getRecord(keyId))!.revision).toBe(revision);

    clock.advanceDays(1.01);
    const late = new ChangeRequest(token);
    await services().keys.putTags(ADMIN, keyId, { a: '1' }, late);
    expect(late.recovered).toBe(false);
    const record = (await services().store.getRecord(keyId))!;
    expect(record.revision).toBe(revision + 1);
    // The expired memory was forgotten by that write, and the new one kept.
    expect(Object.keys(record.requests ?? {})).toEqual([token]);
  });
});

const lastToken = () => changeRequestToken([ADMIN, 'test', String(requests)]);
