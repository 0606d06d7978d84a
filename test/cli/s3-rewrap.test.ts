import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWholeHeader } from '../../packages/client/src/index.js';
import { countingProxy } from '../support/counting-proxy.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { type MotoServer, startMotoServer } from '../support/moto-server.js';
import { builtCli, envelope, sha256, userEnv } from './cli-support.js';

/**
 * `envelope rewrap-file s3://…` against moto_server's S3, through a proxy that counts the bytes of
 * every request and answer body: the body of a rewrapped object must be copied by S3, not through here.
 */
const runtime = runtimeForFile({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0', POWERTOOLS_METRICS_DISABLED: 'true' });
const BUCKET = 'envelope-rewrap-test';
const MIB = 1024 * 1024;
let moto: MotoServer;
let proxy: Server;
let proxied = 0;
let s3: S3Client;
let main: string;
let dir: string;

beforeAll(async () => {
  moto = await startMotoServer();
  proxy = countingProxy(new URL(moto.endpoint), (bytes) => (proxied += bytes));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  main = await builtCli();
  s3 = new S3Client({ endpoint: moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: moto.credentials });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  dir = await mkdtemp(join(tmpdir(), 'envelope-s3-rewrap-'));
}, 120_000);
afterAll(() => {
  s3?.destroy();
  proxy?.close();
  moto?.stop();
});

const proxyEndpoint = () => `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
const cli = (args: readonly string[]) =>
  envelope(main, args, { env: userEnv(runtime().apiUrl, 'owner', { AWS_ENDPOINT_URL_S3: proxyEndpoint() }), cwd: dir });

async function objectBytes(key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

/** An object in the file format under version 1 of a key since rotated twice, with metadata of its own. */
async function objectUnderAnOldVersion(key: string, size: number): Promise<{ keyId: string; plaintext: Buffer; stored: Buffer }> {
  const { stdout } = await cli(['keys', 'create', '-o', 'json']);
  const { keyId } = JSON.parse(stdout.toString()) as { keyId: string };
  const plaintext = randomBytes(size);
  await writeFile(join(dir, 'plain.bin'), plaintext);
  expect((await cli(['-q', 'encrypt-file', '-k', keyId, 'plain.bin', 'plain.env'])).code).toBe(0);
  const stored = await readFile(join(dir, 'plain.env'));
  await s3.send(
    new PutObjectCommand({
      ...{ Bucket: BUCKET, Key: key, Body: stored, ContentType: 'application/x-envelope', Metadata: { owner: 'team-a' } },
      ...{ ServerSideEncryption: 'AES256', Tagging: 'team=a&class=backup copy' },
    }),
  );
  for (let i = 0; i < 2; i++) expect((await cli(['keys', 'rotate', keyId])).code).toBe(0);
  return { keyId, plaintext, stored };
}

const body = (file: Buffer) => file.subarray(parseWholeHeader(file).length);
const noUploadsLeft = async () => expect((await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads ?? []).toEqual([]);

describe('envelope rewrap-file s3://…', () => {
  it('rewraps a large object in place with server-side copies of its body, moving a few MiB, its metadata, encryption and tags kept', async () => {
    const { keyId, plaintext, stored } = await objectUnderAnOldVersion('rewrap/big.env', 24 * MIB + 7);
    proxied = 0;
    const rewrapped = await cli(['rewrap-file', `s3://${BUCKET}/rewrap/big.env`, '-o', 'json']);
    expect(rewrapped.stderr).toBe('');
    expect(rewrapped.code).toBe(0);
    const summary = JSON.parse(rewrapped.stdout.toString()) as { bytesTransferred: number };
    expect(summary).toMatchObject({ keyId, keyVersion: 3, previousKeyVersion: 1, rewritten: true });
    // The header read, the first part's body range downloaded and uploaded again: about 2 × 5 MiB of 24 MiB.
    expect(summary.bytesTransferred).toBeLessThan(11 * MIB);
    expect(proxied).toBeLessThan(11 * MIB);
    expect(proxied).toBeGreaterThanOrEqual(summary.bytesTransferred);

    const after = await objectBytes('rewrap/big.env');
    expect(parseWholeHeader(after).header).toMatchObject({ keyId, keyVersion: 3 });
    expect(body(after).equals(body(stored))).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'rewrap/big.env' }));
    expect(head).toMatchObject({ ContentType: 'application/x-envelope', Metadata: { owner: 'team-a' }, ServerSideEncryption: 'AES256' });
    const { TagSet } = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'rewrap/big.env' }));
    expect(TagSet).toEqual(
      expect.arrayContaining([
        { Key: 'team', Value: 'a' },
        { Key: 'class', Value: 'backup copy' },
      ]),
    );
    await noUploadsLeft();
    expect((await cli(['-q', 'decrypt-file', `s3://${BUCKET}/rewrap/big.env`, 'big.out'])).code).toBe(0);
    expect(sha256(await readFile(join(dir, 'big.out')))).toBe(sha256(plaintext));

    const again = await cli(['rewrap-file', `s3://${BUCKET}/rewrap/big.env`]);
    expect(again).toMatchObject({ code: 0, stderr: `s3://${BUCKET}/rewrap/big.env: already at version 3 of key ${keyId}, left as it is\n` });
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'rewrap/big.env' }))).ETag).toBe(head.ETag);
  });

  it('rewraps an object smaller than a part with one conditional put', async () => {
    const { plaintext, stored } = await objectUnderAnOldVersion('rewrap/small.env', 100_000);
    const rewrapped = await cli(['rewrap-file', `s3://${BUCKET}/rewrap/small.env`]);
    expect(rewrapped.code).toBe(0);
    const after = await objectBytes('rewrap/small.env');
    expect(parseWholeHeader(after).header.keyVersion).toBe(3);
    expect(body(after).equals(body(stored))).toBe(true);
    expect((await cli(['-q', 'decrypt-file', `s3://${BUCKET}/rewrap/small.env`, 'small.out'])).code).toBe(0);
    expect((await readFile(join(dir, 'small.out'))).equals(plaintext)).toBe(true);
  });

  it('leaves an object whose header was changed as it was, with no multipart upload behind (exit 4)', async () => {
    const { stored } = await objectUnderAnOldVersion('rewrap/changed.env', 12 * MIB);
    const changed = Buffer.from(stored);
    changed[parseWholeHeader(stored).length - 16 - 32 - 1]! ^= 1; // the frame size, under the header auth tag
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'rewrap/changed.env', Body: changed }));
    const refused = await cli(['rewrap-file', `s3://${BUCKET}/rewrap/changed.env`]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/^error: InvalidCiphertext: [^\n]+\n$/);
    expect((await objectBytes('rewrap/changed.env')).equals(changed)).toBe(true);
    await noUploadsLeft();
  });
});

describe('envelope rewrap-s3 s3://bucket/prefix', () => {
  const COUNT = 150;

  it('rewraps every object under a prefix, resumes an interrupted run from its checkpoint, skips current ones and reports failures', async () => {
    const { keyId, stored } = await objectUnderAnOldVersion('fleet/0000.env', 2_000);
    await Promise.all(
      Array.from({ length: COUNT - 1 }, (_, i) =>
        s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `fleet/${String(i + 1).padStart(4, '0')}.env`, Body: stored })),
      ),
    );
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'fleet/notes.txt', Body: 'not an encrypted file' }));
    const env = userEnv(runtime().apiUrl, 'owner', { AWS_ENDPOINT_URL_S3: proxyEndpoint() });
    const checkpoint = join(dir, 'fleet.checkpoint');
    const args = [main, 'rewrap-s3', '--checkpoint', checkpoint, '--concurrency', '1', `s3://${BUCKET}/fleet/`];

    // Interrupted (Ctrl-C) once a few objects are done: the checkpoint has them.
    const first = spawn(process.execPath, args, { env, cwd: dir, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    while ((await readFile(checkpoint, 'utf8').catch(() => '')).split('\n').length < 20) await sleep(20);
    first.kill('SIGINT');
    expect(await exited).toBe(130);
    const recorded = (await readFile(checkpoint, 'utf8')).trim().split('\n').length;
    expect(recorded).toBeGreaterThanOrEqual(19);
    expect(recorded).toBeLessThan(COUNT);

    const resumed = await cli(['rewrap-s3', '--checkpoint', checkpoint, `s3://${BUCKET}/fleet/`, '-o', 'json']);
    expect(resumed.code).toBe(4); // notes.txt: not in the file format
    const report = JSON.parse(resumed.stdout.toString()) as {
      objects: number;
      rewrapped: number;
      resumed: number;
      skipped: number;
      failed: { key: string; code: string }[];
    };
    expect(report.objects).toBe(COUNT + 1);
    expect(report.resumed).toBe(recorded);
    expect(report.rewrapped + report.resumed + report.skipped).toBe(COUNT);
    expect(report.failed).toEqual([{ key: 'fleet/notes.txt', code: 'InvalidCiphertext', message: expect.any(String) }]);
    expect(resumed.stderr).toMatch(
      /^failed s3:\/\/envelope-rewrap-test\/fleet\/notes\.txt: InvalidCiphertext: [^\n]+\nerror: SomeFailed: 1 of 151 objects could not be rewrapped/,
    );

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'fleet/' }));
    const encrypted = (listed.Contents ?? []).filter((object) => object.Key!.endsWith('.env'));
    expect(encrypted).toHaveLength(COUNT);
    for (const object of encrypted) expect(parseWholeHeader(await objectBytes(object.Key!)).header).toMatchObject({ keyId, keyVersion: 3 });
    await noUploadsLeft();

    // Without the checkpoint, every object is read again and found current.
    const again = await cli(['rewrap-s3', `s3://${BUCKET}/fleet/0`]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`^s3://${BUCKET}/fleet/0: ${COUNT} objects, 0 rewrapped, ${COUNT} already current, 0 failed; `));
  }, 120_000);
});
