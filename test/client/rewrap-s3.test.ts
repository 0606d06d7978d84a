import { randomBytes } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWholeHeader } from '../../packages/client/src/index.js';
import type { KeyResealing } from '../../packages/client/src/rewrap-file.js';
import { rewrapS3Object } from '../../packages/client/src/rewrap-s3.js';
import { type MotoServer, startMotoServer } from '../support/moto-server.js';
import { DATA_KEY, decrypt, encrypt, encryptOptions } from './file-format-support.js';

/** rewrapS3Object against moto_server's S3, the API's resealing played by a fake (the CLI's tests use the real one). */
const BUCKET = 'rewrap-s3-client';
const MIB = 1024 * 1024;
let moto: MotoServer;
let s3: S3Client;

beforeAll(async () => {
  moto = await startMotoServer();
  s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: moto.credentials });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
}, 60_000);
afterAll(() => {
  s3?.destroy();
  moto?.stop();
});

const keys: KeyResealing = {
  rewrap: async () => ({ ciphertext: 'ev2.resealed', keyId: encryptOptions().keyId, keyVersion: 2 }),
  decrypt: async () => ({ plaintext: Buffer.from(DATA_KEY), keyId: encryptOptions().keyId, keyVersion: 2 }),
};

async function objectBytes(key: string): Promise<Buffer> {
  return Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray());
}

describe('rewrapS3Object', () => {
  it('copies the body in several server-side parts, the new object decrypting to the same plaintext', async () => {
    const plaintext = randomBytes(23 * MIB + 3);
    const file = await encrypt(plaintext);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a/b c.env', Body: file, ServerSideEncryption: 'AES256', Tagging: 'team=a' }));
    const result = await rewrapS3Object(keys, s3, { bucket: BUCKET, key: 'a/b c.env' }, { copyPartSize: 5 * MIB });
    expect(result).toMatchObject({ keyVersion: 2, previousKeyVersion: 1, rewritten: true });
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'a/b c.env', PartNumber: 1 }));
    expect(head.PartsCount).toBe(5); // the header and 5 MiB, then 18 MiB in four copies
    expect(head.ServerSideEncryption).toBe('AES256');
    const after = await objectBytes('a/b c.env');
    expect(parseWholeHeader(after).header).toMatchObject({ encryptedKey: 'ev2.resealed', keyVersion: 2 });
    expect(await decrypt(after)).toEqual(plaintext);
    expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).toEqual([]);
  });

  it('refuses a copy part size S3 would not take, before anything is read', async () => {
    await expect(rewrapS3Object(keys, s3, { bucket: BUCKET, key: 'absent' }, { copyPartSize: MIB })).rejects.toMatchObject({
      code: 'InvalidArgument',
    });
  });
});
