import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { KeyManagement } from '../../lambdas/domain/key-management.js';
import { pausedBefore } from '../domain/paused-store.js';
import { domainServicesForFile, TestClock } from '../support/domain-services.js';
import { rejection } from '../support/rejection.js';

/**
 * Retiring and destroying versions, with the clock moved: the domain services over real dynalite
 * and the KMS emulator on one test clock, the table read through DynamoDB's Scan.
 */
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';
const CAROL = 'arn:aws:iam::111122223333:role/carol';
const clock = new TestClock();
const services = domainServicesForFile(clock);
const context = { order: '7' };

/** Each version item's time-to-live (seconds) and last-use hour, by version. */
async function versionItems(keyId: string) {
  const { db, table } = services();
  const { Items = [] } = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return Object.fromEntries(
    Items.filter((item) => item.pk?.S === `KEY#${keyId}` && item.sk?.S?.startsWith('V#')).map((item) => [
      Number(item.sk!.S!.slice(2)),
      { expiresAt: item.expiresAt?.N === undefined ? null : Number(item.expiresAt.N), lastUsedAt: item.lastUsedAt?.S ?? null },
    ]),
  );
}

/** A key with three versions, and a ciphertext under each, for bob. */
async function keyWithThreeVersions() {
  const { keys, crypto } = services();
  const key = await keys.createKey(ALICE, {});
  await keys.putPolicy(ALICE, key.keyId, { admins: [ALICE], users: [BOB] });
  const sealed = [];
  for (let version = 1; version <= 3; version++) {
    if (version > 1) {
      await keys.rotateKey(ALICE, key.keyId);
      // Encrypting uses the new version once the functions' cached record (60 s) has expired.
      clock.advanceDays(61 / 86_400);
    }
    sealed.push((await crypto.encrypt(BOB, key.keyId, { plaintext: Buffer.from(`v${version}`), context })).ciphertext.toBytes());
  }
  return { keyId: key.keyId, sealed };
}

/** Counts the DynamoDB calls of one command the services make, until stopped. */
function counted(db: ReturnType<typeof services>['db'], command: string): { readonly count: number; stop(): void } {
  const name = `count-${command}`;
  let count = 0;
  db.middlewareStack.add(
    (next, { commandName }) =>
      async (args) => {
        if (commandName === command) count++;
        return next(args);
      },
    { step: 'initialize', name },
  );
  return {
    get count() {
      return count;
    },
    stop: () => db.middlewareStack.remove(name),
  };
}

const states = async (keyId: string) => (await services().keys.describeKey(ALICE, keyId)).versions.map((v) => v.state);

describe('retiring versions', () => {
  it('refuses decrypt and rewrap under a retired version with KeyVersionRetired, at once and reversibly, for users and grantees alike', async () => {
    const { keys, grants, crypto } = services();
    const { keyId, sealed } = await keyWithThreeVersions();
    await grants.createGrant(ALICE, keyId, { grantee: CAROL, operations: ['decrypt', 'rewrap'] });

    const retired = await keys.retireVersions(ALICE, keyId, 3);
    // The crypto functions see it within their cache's age (60 s, as deployed).
    clock.advanceDays(61 / 86_400);
    expect(retired.minDecryptionVersion).toBe(3);
    expect(retired.versions.map((v) => v.state)).toEqual(['Retired', 'Retired', 'Enabled']);
    for (const caller of [BOB, CAROL]) {
      const refused = await rejection(crypto.decrypt(caller, { ciphertext: sealed[0]!, context }));
      expect(refused).toMatchObject({ code: 'KeyVersionRetired', status: 409 });
      expect(refused.message).toContain('Version 1 of key');
      expect(await rejection(crypto.rewrap(caller, { ciphertext: sealed[1]!, context }))).toMatchObject({ code: 'KeyVersionRetired' });
      expect((await crypto.decrypt(caller, { ciphertext: sealed[2]!, context })).plaintext.toString()).toBe('v3');
    }
    // A batch fails the retired items alone.
    const batch = await crypto.decryptMany(
      BOB,
      sealed.map((ciphertext) => ({ ciphertext, context })),
    );
    expect(batch.map((item) => (item.ok ? 'ok' : item.error.code))).toEqual(['KeyVersionRetired', 'KeyVersionRetired', 'ok']);

    await keys.retireVersions(ALICE, keyId, 1);
    // A refusal is checked again against a fresh read while the key's budget lasts (five, and five a
    // second): the refusals above spent it, and this clock stands still unless moved.
    clock.advanceDays(1 / 86_400);
    expect((await crypto.decrypt(BOB, { ciphertext: sealed[0]!, context })).plaintext.toString()).toBe('v1');
    expect(await states(keyId)).toEqual(['Enabled', 'Enabled', 'Enabled']);
  });

  it('reads the key a few times, not once per item, to refuse a thousand retired ciphertexts', async () => {
    const { keys, crypto, db } = services();
    const { keyId, sealed } = await keyWithThreeVersions();
    await keys.retireVersions(ALICE, keyId, 2);
    clock.advanceDays(61 / 86_400);
    const reads = counted(db, 'GetItemCommand');
    const batch = await crypto.decryptMany(
      BOB,
      Array.from({ length: 1000 }, () => ({ ciphertext: sealed[0]!, context })),
    );
    reads.stop();
    expect(new Set(batch.map((item) => (item.ok ? 'ok' : item.error.code)))).toEqual(new Set(['KeyVersionRetired']));
    // The cached record's expiry, then the budget of fresh reads a refusal may make (five at once).
    expect(reads.count).toBeLessThanOrEqual(6);
  });

  it('never retires the current version, and only admins retire', async () => {
    const { keys } = services();
    const { keyId } = await keyWithThreeVersions();
    expect(await rejection(keys.retireVersions(ALICE, keyId, 4))).toMatchObject({ code: 'InvalidKeyState' });
    expect(await rejection(keys.retireVersions(BOB, keyId, 2))).toMatchObject({ code: 'AccessDenied' });
    expect(await rejection(keys.scheduleVersionDestruction(ALICE, keyId, 7))).toMatchObject({ code: 'InvalidKeyState' });
  });
});

describe('destroying retired versions', () => {
  it('expires their items at the date, a cancel clears them, and from the date on nothing opens under them, for good', async () => {
    const { keys, crypto } = services();
    const { keyId, sealed } = await keyWithThreeVersions();
    await keys.retireVersions(ALICE, keyId, 3);
    clock.advanceDays(61 / 86_400);

    const scheduled = await keys.scheduleVersionDestruction(ALICE, keyId, 7);
    const date = scheduled.versionDestruction!.destructionDate;
    expect(scheduled.versionDestruction).toEqual({ throughVersion: 2, destructionDate: date });
    expect(scheduled.versions.map((v) => v.state)).toEqual(['PendingDestruction', 'PendingDestruction', 'Enabled']);
    const ttl = Math.ceil(Date.parse(date) / 1000);
    expect(Object.values(await versionItems(keyId)).map((item) => item.expiresAt)).toEqual([ttl, ttl, null]);
    // Neither lowered below a version to be destroyed, nor scheduled twice.
    expect(await rejection(keys.retireVersions(ALICE, keyId, 2))).toMatchObject({ code: 'InvalidKeyState' });
    expect(await rejection(keys.scheduleVersionDestruction(ALICE, keyId, 7))).toMatchObject({ code: 'InvalidKeyState' });
    expect(await rejection(crypto.decrypt(BOB, { ciphertext: sealed[0]!, context }))).toMatchObject({ code: 'KeyVersionRetired' });

    const cancelled = await keys.cancelVersionDestruction(ALICE, keyId);
    expect(cancelled.versionDestruction).toBeNull();
    expect(cancelled.versions.map((v) => v.state)).toEqual(['Retired', 'Retired', 'Enabled']);
    expect(Object.values(await versionItems(keyId)).map((item) => item.expiresAt)).toEqual([null, null, null]);
    await keys.retireVersions(ALICE, keyId, 1);
    clock.advanceDays(1 / 86_400);
    expect((await crypto.decrypt(BOB, { ciphertext: sealed[0]!, context })).plaintext.toString()).toBe('v1');

    await keys.retireVersions(ALICE, keyId, 2);
    await keys.scheduleVersionDestruction(ALICE, keyId, 7);
    clock.advanceDays(7);
    // Destroyed at the date for every reader, cached or not.
    const now = clock.now().getTime() / 1000;
    const items = await versionItems(keyId);
    expect(items[1]!.expiresAt).toBeLessThanOrEqual(now);
    expect([items[2]!.expiresAt, items[3]!.expiresAt]).toEqual([null, null]);
    const destroyed = await keys.describeKey(ALICE, keyId);
    expect(destroyed).toMatchObject({ destroyedThroughVersion: 1, versionDestruction: null, minDecryptionVersion: 2 });
    expect(destroyed.versions.map((v) => v.state)).toEqual(['Destroyed', 'Enabled', 'Enabled']);
    const gone = await rejection(crypto.decrypt(BOB, { ciphertext: sealed[0]!, context }));
    expect(gone).toMatchObject({ code: 'InvalidCiphertext', status: 400 });
    expect(gone.message).toContain('destroyed');
    expect(await rejection(keys.cancelVersionDestruction(ALICE, keyId))).toMatchObject({ code: 'InvalidKeyState' });
    expect(await rejection(keys.retireVersions(ALICE, keyId, 1))).toMatchObject({ code: 'InvalidKeyState' });
    expect((await crypto.decrypt(BOB, { ciphertext: sealed[1]!, context })).plaintext.toString()).toBe('v2');

    // A second destruction reaches further, and the first stays done.
    await keys.retireVersions(ALICE, keyId, 3);
    const second = await keys.scheduleVersionDestruction(ALICE, keyId, 30);
    expect(second).toMatchObject({ destroyedThroughVersion: 1, versionDestruction: { throughVersion: 2 } });
    expect(second.versions.map((v) => v.state)).toEqual(['Destroyed', 'PendingDestruction', 'Enabled']);
  });

  it("keeps a version's destruction through the key's deletion being scheduled and cancelled", async () => {
    const { keys } = services();
    const { keyId } = await keyWithThreeVersions();
    await keys.retireVersions(ALICE, keyId, 2);
    const { versionDestruction } = await keys.scheduleVersionDestruction(ALICE, keyId, 7);
    const destruction = Math.ceil(Date.parse(versionDestruction!.destructionDate) / 1000);
    const { deletionDate } = await keys.scheduleDeletion(ALICE, keyId, 30);
    const deletion = Math.ceil(Date.parse(deletionDate!) / 1000);
    expect(Object.values(await versionItems(keyId)).map((item) => item.expiresAt)).toEqual([destruction, deletion, deletion]);
    await keys.cancelDeletion(ALICE, keyId);
    expect(Object.values(await versionItems(keyId)).map((item) => item.expiresAt)).toEqual([destruction, null, null]);
  });
});

describe('racing changes of the versions', () => {
  it("end with the newest record's expiries: a schedule's late writes do not outlive a cancel", async () => {
    const { keys, store, masterKey } = services();
    const { keyId } = await keyWithThreeVersions();
    await keys.retireVersions(ALICE, keyId, 3);
    // The schedule has written its record, then stalls before setting the versions' time-to-live.
    const paused = pausedBefore(store, 'stampVersionExpiry');
    const slow = new KeyManagement(paused.store, masterKey, { now: clock.now });
    const scheduling = slow.scheduleVersionDestruction(ALICE, keyId, 7);
    await paused.reached;
    await keys.cancelVersionDestruction(ALICE, keyId);
    paused.resume();
    await scheduling;
    expect((await keys.describeKey(ALICE, keyId)).versions.map((v) => v.state)).toEqual(['Retired', 'Retired', 'Enabled']);
    expect(Object.values(await versionItems(keyId)).map((item) => item.expiresAt)).toEqual([null, null, null]);
  });

  it("make good a cancel that died between clearing the versions' time-to-live and its record", async () => {
    const { keys, store, masterKey } = services();
    const { keyId } = await keyWithThreeVersions();
    await keys.retireVersions(ALICE, keyId, 3);
    const { versionDestruction } = await keys.scheduleVersionDestruction(ALICE, keyId, 7);
    const paused = pausedBefore(store, 'updateRecord');
    void new KeyManagement(paused.store, masterKey, { now: clock.now }).cancelVersionDestruction(ALICE, keyId).catch(() => {});
    await paused.reached;
    // It dies here: the destruction is still on, its versions' items no longer expire.
    expect(Object.values(await versionItems(keyId)).map((item) => item.expiresAt)).toEqual([null, null, null]);
    // The key's next change of versions writes what the record calls for.
    await keys.retireVersions(ALICE, keyId, 3);
    const ttl = Math.ceil(Date.parse(versionDestruction!.destructionDate) / 1000);
    expect(Object.values(await versionItems(keyId)).map((item) => item.expiresAt)).toEqual([ttl, ttl, null]);
  });

  it('refuse a cancel in the last minute before the date, when its write could land after the sweep', async () => {
    const { keys } = services();
    const { keyId } = await keyWithThreeVersions();
    await keys.retireVersions(ALICE, keyId, 2);
    await keys.scheduleVersionDestruction(ALICE, keyId, 7);
    clock.advanceDays(7 - 30 / 86_400);
    expect(await rejection(keys.cancelVersionDestruction(ALICE, keyId))).toMatchObject({ code: 'InvalidKeyState' });
  });
});

describe("a version's last use", () => {
  it('is kept to the hour, written at most once per version per hour by a function instance', async () => {
    const { keys, crypto, db } = services();
    const { keyId, sealed } = await keyWithThreeVersions();
    expect((await keys.describeKey(ALICE, keyId)).versions.map((v) => v.lastUsedAt)).toEqual([null, null, null]);
    const hour = new Date(Math.floor(clock.now().getTime() / 3_600_000) * 3_600_000).toISOString();

    let updates = counted(db, 'UpdateItemCommand');
    for (let i = 0; i < 20; i++) await crypto.decrypt(BOB, { ciphertext: sealed[0]!, context });
    await crypto.rewrap(BOB, { ciphertext: sealed[1]!, context });
    updates.stop();
    expect(updates.count).toBe(2);
    expect((await keys.describeKey(ALICE, keyId)).versions.map((v) => v.lastUsedAt)).toEqual([hour, hour, null]);

    clock.advanceDays(1 / 24);
    updates = counted(db, 'UpdateItemCommand');
    for (let i = 0; i < 5; i++) await crypto.decrypt(BOB, { ciphertext: sealed[0]!, context });
    updates.stop();
    expect(updates.count).toBe(1);
    const later = new Date(Date.parse(hour) + 3_600_000).toISOString();
    expect((await keys.describeKey(ALICE, keyId)).versions[0]!.lastUsedAt).toBe(later);
  });
});
