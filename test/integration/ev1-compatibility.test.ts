import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KMS_CONTEXT_KEYS } from '../../contract/index.js';
import { LOCAL_TABLE_NAME, type LocalRuntime } from '../../local/runtime.js';
import { sealEv1 } from '../support/ev1-reference.js';
import { startInProcessRuntime } from '../support/in-process-runtime.js';
import { clientFor } from '../support/principals.js';

/**
 * Ciphertexts sealed before ev2 keep decrypting through the API, and rewrap moves them to ev2.
 * To make an ev1 token under a real stored data key, the test acts as the crypto function does
 * (its role's credentials, its reads): it unwraps the key and seals with the ev1 reference sealer.
 */
let runtime: LocalRuntime;
beforeAll(async () => {
  // Cache off, so that the rotation below shows at once (the cache's staleness has its own tests).
  runtime = await startInProcessRuntime({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' });
});
afterAll(async () => runtime?.close());

async function dataKeyOf(keyId: string, keyVersion: number): Promise<Uint8Array> {
  const { accessKeyId, secretAccessKey, sessionToken } = runtime.functionIdentities.crypto;
  const config = { region: 'us-east-1', credentials: { accessKeyId, secretAccessKey, sessionToken } };
  const db = new DynamoDBClient({ ...config, endpoint: runtime.dynamoDbUrl });
  const { Item } = await db.send(
    new GetItemCommand({ TableName: LOCAL_TABLE_NAME, Key: { pk: { S: `KEY#${keyId}` }, sk: { S: `V#${String(keyVersion).padStart(10, '0')}` } } }),
  );
  const kms = new KMSClient({ ...config, endpoint: runtime.kmsUrl });
  const context = { [KMS_CONTEXT_KEYS.dataKeyId]: keyId, [KMS_CONTEXT_KEYS.dataKeyVersion]: String(keyVersion) };
  return (await kms.send(new DecryptCommand({ KeyId: runtime.masterKeyArn, CiphertextBlob: Item!.wrappedKey!.B!, EncryptionContext: context })))
    .Plaintext!;
}

describe('ev1 ciphertexts', () => {
  it('decrypt through the API, and rewrap moves them to ev2 under the current version', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    const dataKey = await dataKeyOf(keyId, 1);
    const old = sealEv1(dataKey, keyId, 1, Buffer.from('sealed long ago'), { tenant: 'acme' });
    dataKey.fill(0);

    expect(await owner.decrypt(old, { tenant: 'acme' })).toMatchObject({ keyId, keyVersion: 1 });
    expect((await owner.decrypt(old, { tenant: 'acme' })).plaintext.toString()).toBe('sealed long ago');
    await owner.rotateKey(keyId);
    const rewrapped = await owner.rewrap(old, { tenant: 'acme' });
    expect(rewrapped).toMatchObject({ keyId, keyVersion: 2, ciphertext: expect.stringMatching(/^ev2\./) });
    expect((await owner.decrypt(rewrapped.ciphertext, { tenant: 'acme' })).plaintext.toString()).toBe('sealed long ago');
    const batch = await owner.request<{ items: { ciphertext: string }[] }>('POST', 'v1/rewrap', {
      items: [{ ciphertext: old, context: { tenant: 'acme' } }],
    });
    expect(batch.items[0]!.ciphertext).toMatch(/^ev2\./);
  });
});
