import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CACHE_LIMITS, DataKeyProvider } from '../../lambdas/domain/data-key-provider.js';
import { DataKeyStore } from '../../lambdas/domain/data-key-store.js';
import { EnvelopeEncryption, storedDataKeys } from '../../lambdas/domain/envelope-encryption.js';
import { KeyDirectory } from '../../lambdas/domain/key-directory.js';
import { KeyManagement } from '../../lambdas/domain/key-management.js';
import { MasterKey } from '../../lambdas/domain/master-key.js';
import { ensureTable, startDynamoDb, type LocalDynamoDb } from '../../local/dynamodb.js';
import { startKmsEmulator, type KmsEmulator } from '../../local/kms-emulator/server.js';
import { kmsClient, TestClock } from '../kms-emulator/clients.js';
import { rejection } from '../support/rejection.js';

/**
 * Deletion as crypto-shredding, with the clock moved past the deletion date: the domain services over
 * real dynalite and the KMS emulator, all on one test clock, the table read through DynamoDB's Scan.
 */
const TABLE = 'shredding';
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';

let dynamoDb: LocalDynamoDb;
let kms: KmsEmulator;
let db: DynamoDBClient;
let keys: KeyManagement;
let crypto: EnvelopeEncryption;
const clock = new TestClock();

beforeAll(async () => {
  dynamoDb = await startDynamoDb('dynalite', 0, await mkdtemp(join(tmpdir(), 'shredding-')));
  db = new DynamoDBClient({ endpoint: dynamoDb.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await ensureTable(db, TABLE);
  kms = await startKmsEmulator({ port: 0, now: clock.now });
  const { KeyMetadata } = await kmsClient(kms.url).send(new CreateKeyCommand({}));
  const store = new DataKeyStore(DynamoDBDocumentClient.from(db, { marshallOptions: { removeUndefinedValues: true } }), TABLE);
  const masterKey = new MasterKey(kmsClient(kms.url), KeyMetadata!.Arn!);
  keys = new KeyManagement(store, masterKey, { now: clock.now });
  // The crypto side caches records and data keys as deployed; the deletion date still holds.
  crypto = new EnvelopeEncryption(new KeyDirectory(store, { maxAgeMs: 60_000, now: clock.now }), new DataKeyProvider(storedDataKeys(store, masterKey), DEFAULT_CACHE_LIMITS));
});
afterAll(async () => Promise.all([dynamoDb?.close(), kms?.close()]));

/** Every item of the key (or pointing to it), with its time-to-live, as a Scan returns them. */
async function itemsOf(keyId: string, alias: string) {
  const { Items = [] } = await db.send(new ScanCommand({ TableName: TABLE, ConsistentRead: true }));
  return Items.filter((item) => JSON.stringify(item).includes(keyId) || item.pk?.S === `ALIAS#${alias}`)
    .map((item) => ({ item: `${item.pk!.S} ${item.sk!.S}`, expiresAt: item.expiresAt?.N === undefined ? null : Number(item.expiresAt.N) }));
}

describe('scheduling deletion', () => {
  it('expires every item of the key at its date, cancelling clears them, and from the date on the key is gone', async () => {
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
    expect((await crypto.decrypt(BOB, { ciphertext: sealed.ciphertext.toBytes(), context: { order: '7' } })).plaintext.toString()).toBe('to be shredded');

    await keys.scheduleDeletion(ALICE, key.keyId, 7);
    clock.advanceDays(7);
    // Past the date every item has expired (DynamoDB's TTL sweep removes them within days; nothing waits for it).
    const now = clock.now().getTime() / 1000;
    expect((await itemsOf(key.keyId, 'shredded')).filter((i) => i.expiresAt === null || i.expiresAt > now)).toEqual([]);
    expect(await rejection(crypto.decrypt(BOB, { ciphertext: sealed.ciphertext.toBytes(), context: { order: '7' } }))).toMatchObject({ code: 'InvalidCiphertext' });
    expect(await rejection(crypto.encrypt(BOB, key.keyId, { plaintext: Buffer.from('x') }))).toMatchObject({ code: 'KeyNotFound' });
    expect(await rejection(keys.describeKey(ALICE, 'alias/shredded'))).toMatchObject({ code: 'KeyNotFound' });
    expect(await rejection(keys.cancelDeletion(ALICE, key.keyId))).toMatchObject({ code: 'KeyNotFound' });
    expect((await keys.listKeys(ALICE, 50)).keys.map((k) => k.keyId)).not.toContain(key.keyId);
    // The alias is free for a new key.
    const successor = await keys.createKey(ALICE, { alias: 'shredded' });
    expect(successor.keyId).not.toBe(key.keyId);
  });
});
