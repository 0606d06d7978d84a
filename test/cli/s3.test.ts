import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { type MotoServer, startMotoServer } from '../support/moto-server.js';
import { builtCli, envelope, sha256, shell, userEnv } from './cli-support.js';

/**
 * `envelope encrypt-file … s3://bucket/key` and back, against moto_server's S3 over HTTP: the
 * endpoint from AWS_ENDPOINT_URL_S3, the credentials (the local principal's, which moto accepts
 * as any) from the environment, as a user's shell would set them.
 */
const runtime = runtimeForFile({ POWERTOOLS_METRICS_DISABLED: 'true' });
const BUCKET = 'envelope-cli-test';
let moto: MotoServer;
let s3Endpoint: string;
let s3: S3Client;
let main: string;
let dir: string;

beforeAll(async () => {
  moto = await startMotoServer();
  s3Endpoint = moto.endpoint;
  main = await builtCli();
  s3 = new S3Client({
    endpoint: s3Endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: moto.credentials,
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  dir = await mkdtemp(join(tmpdir(), 'envelope-cli-s3-'));
}, 120_000);
afterAll(() => {
  s3?.destroy();
  moto?.stop();
});

const env = () => userEnv(runtime().apiUrl, 'owner', { AWS_ENDPOINT_URL_S3: s3Endpoint });
const cli = (args: readonly string[], input?: Buffer) => envelope(main, args, { env: env(), cwd: dir, input });

async function objectBytes(key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

async function createKey(): Promise<string> {
  const { stdout } = await cli(['keys', 'create', '-o', 'json']);
  return (JSON.parse(stdout.toString()) as { keyId: string }).keyId;
}

describe('S3 locations', () => {
  it('encrypts a local file into an S3 object (multipart) in the file format, and decrypts it back', async () => {
    const keyId = await createKey();
    const plaintext = randomBytes(9 * 1024 * 1024 + 5); // more than one 8 MiB part
    await writeFile(join(dir, 'big.bin'), plaintext);

    const up = await cli(['encrypt-file', '--key', keyId, '--context', 'object=big', 'big.bin', `s3://${BUCKET}/backups/big.bin.env`]);
    expect(up.stderr).toBe(`encrypted big.bin (9.0 MiB) -> s3://${BUCKET}/backups/big.bin.env\n`);
    expect(up.code).toBe(0);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'backups/big.bin.env', PartNumber: 1 }));
    expect(head.PartsCount).toBe(2);
    const stored = await objectBytes('backups/big.bin.env');
    expect(stored.length).toBeGreaterThan(plaintext.length);
    expect(stored.includes(plaintext.subarray(0, 64))).toBe(false);

    const down = await cli(['decrypt-file', '--context', 'object=big', `s3://${BUCKET}/backups/big.bin.env`, 'big.copy']);
    expect(down.code).toBe(0);
    expect(sha256(await readFile(join(dir, 'big.copy')))).toBe(sha256(plaintext));
  });

  it('streams stdin to S3 and S3 to stdout', async () => {
    const keyId = await createKey();
    const plaintext = randomBytes(3 * 1024 * 1024 + 1);
    await writeFile(join(dir, 'stream.bin'), plaintext);
    const { code, stdout, stderr } = await shell(
      main,
      `cat stream.bin | envelope -q encrypt-file -k ${keyId} - s3://${BUCKET}/stream.env && envelope decrypt-file s3://${BUCKET}/stream.env - | sha256sum`,
      { env: env(), cwd: dir },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.toString().split(' ')[0]).toBe(sha256(plaintext));
    expect((await objectBytes('stream.env')).length).toBeGreaterThan(plaintext.length);
  });

  it('leaves no object and no multipart upload when decryption fails, and exits 3 for a missing object or bucket', async () => {
    const keyId = await createKey();
    await writeFile(join(dir, 'in.bin'), randomBytes(10 * 1024 * 1024));
    expect((await cli(['encrypt-file', '-q', '-k', keyId, 'in.bin', 'in.env'])).code).toBe(0);
    const tampered = await readFile(join(dir, 'in.env'));
    tampered[tampered.length - 100]! ^= 0x80; // in the last frame: the first parts are uploaded before it fails
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tampered.env', Body: tampered }));

    const failed = await cli(['decrypt-file', `s3://${BUCKET}/tampered.env`, `s3://${BUCKET}/tampered.out`]);
    expect(failed.code).toBe(4);
    expect(failed.stderr).toMatch(/^error: InvalidCiphertext: [^\n]+\n$/);
    const missing = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'tampered.out' })).catch((error: { name: string }) => error.name);
    expect(missing).toBe('NotFound');
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
    expect(uploads.Uploads ?? []).toEqual([]);

    const local = await cli(['decrypt-file', `s3://${BUCKET}/tampered.env`, 'tampered.out']);
    expect(local.code).toBe(4);
    expect((await readdir(dir)).filter((name) => name.startsWith('tampered') || name.includes('.partial'))).toEqual([]);

    const noObject = await cli(['decrypt-file', `s3://${BUCKET}/no-such-object`, 'x']);
    expect(noObject.code).toBe(3);
    expect(noObject.stderr).toMatch(/^error: NoSuchKey: [^\n]+\n$/);
    const noBucket = await cli(['encrypt-file', '-k', keyId, 'in.bin', 's3://no-such-bucket/x']);
    expect(noBucket.code).toBe(3);
    expect(noBucket.stderr).toMatch(/^error: NoSuchBucket: [^\n]+\n$/);
    const badLocation = await cli(['encrypt-file', '-k', keyId, 'in.bin', 's3://bucket-only']);
    expect(badLocation.code).toBe(2);
  });
});
