import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { domainServicesForFile, TestClock } from '../support/domain-services.js';
import { rejection } from '../support/rejection.js';

/**
 * Deletion as crypto-shredding, with the clock moved past the deletion date: the domain services over
 * real dynalite and the KMS emulator, all on one test clock, the table read through DynamoDB's Scan.
 */
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';
const clock = new TestClock();
const services = domainServicesForFile(clock);

/** Every item of the key (or pointing to it), with its time-to-live, as a Scan returns them. */
async function itemsOf(keyId: string, alias: string) {
  const { db, table } = services();
  const { Items = [] } = await db.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return Items.filter((item) => JSON.stringify(item).includes(keyId) || item.pk?.S === `ALIAS#${alias}`).map((item) => ({
    item: `${item.pk!.S} ${item.sk!.S}`,
    expiresAt: item.expiresAt?.N === undefined ? null : Number(item.expiresAt.N),
  }));
}

describe('scheduling deletion', () => {
  it('expires every item of the key at its date, cancelling clears them, and from the date on the key is gone', async () => {
    const { keys, crypto } = services();
    const key = await keys.createKey(ALICE, { alias: 'shredded' });
    await keys.rotateKey(ALICE, key.keyId);
    await keys.putPolicy(ALICE, key.keyId, { admins: [ALICE], users: [BOB] });
    const sealed = await crypto.encrypt(BOB, key.keyId, { plaintext: Buffer.from('to be shredded'), context: { order: '7' } });
    // Metadata, two versions, the alias claim, and the index entries of alice and bob.
    expect(await itemsOf(key.keyId, 'shredded')).toHaveLength(6);

    const { deletionDate } = await keys.scheduleDeletion(ALICE, key.keyId, 7);
    const expiresAt = Math.ceil(Date.parse(deletionDate!) / 1000);
    expect((await itemsOf(key.keyId, 'shredded')).filter((i) => i.expiresAt !== expiresAt)).toEqual([]);
    await keys.cancelDeletion(ALICE, key.keyId);
    expect((await itemsOf(key.keyId, 'shredded')).filter((i) => i.expiresAt !== null)).toEqual([]);
    await keys.enableKey(ALICE, key.keyId);
    expect((await crypto.decrypt(BOB, { ciphertext: sealed.ciphertext.toBytes(), context: { order: '7' } })).plaintext.toString()).toBe(
      'to be shredded',
    );

    await keys.scheduleDeletion(ALICE, key.keyId, 7);
    clock.advanceDays(7);
    // Past the date every item has expired (DynamoDB's TTL sweep removes them within days; nothing waits for it).
    const now = clock.now().getTime() / 1000;
    expect((await itemsOf(key.keyId, 'shredded')).filter((i) => i.expiresAt === null || i.expiresAt > now)).toEqual([]);
    expect(await rejection(crypto.decrypt(BOB, { ciphertext: sealed.ciphertext.toBytes(), context: { order: '7' } }))).toMatchObject({
      code: 'InvalidCiphertext',
    });
    expect(await rejection(crypto.encrypt(BOB, key.keyId, { plaintext: Buffer.from('x') }))).toMatchObject({ code: 'KeyNotFound' });
    expect(await rejection(keys.describeKey(ALICE, 'alias/shredded'))).toMatchObject({ code: 'KeyNotFound' });
    expect(await rejection(keys.cancelDeletion(ALICE, key.keyId))).toMatchObject({ code: 'KeyNotFound' });
    expect((await keys.listKeys(ALICE, 50)).keys.map((k) => k.keyId)).not.toContain(key.keyId);
    // The alias is free for a new key.
    const successor = await keys.createKey(ALICE, { alias: 'shredded' });
    expect(successor.keyId).not.toBe(key.keyId);
  });
});
