import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it, vi } from 'vitest';
import { EnvelopeApiError, EnvelopeClient, FileFormatError } from '../../packages/client/src/index.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor } from '../support/principals.js';

const runtime = runtimeForFile();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('files and streams through the client', () => {
  it('encrypts a file larger than a request may carry with one data-key call, reports progress, and decrypts it', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const key = await owner.createKey();
    const dir = await mkdtemp(join(tmpdir(), 'envelope-files-'));
    const plaintext = randomBytes(9 * 1024 * 1024 + 17);
    await writeFile(join(dir, 'in'), plaintext);
    const seen: number[] = [];
    runtime().resetCalls();
    await owner.encryptFile(join(dir, 'in'), join(dir, 'in.enc'), {
      keyId: key.keyId,
      context: { file: 'in' },
      onProgress: (done, total) => {
        expect(total).toBe(plaintext.length);
        seen.push(done);
      },
    });
    expect(seen.at(-1)).toBe(plaintext.length);
    await owner.decryptFile(join(dir, 'in.enc'), join(dir, 'out'), { expectedContext: { file: 'in' } });
    expect(sha256(await readFile(join(dir, 'out')))).toBe(sha256(plaintext));
    // One KMS call per file each way at most (the data key), none per frame.
    expect(runtime().calls.kms.Decrypt ?? 0).toBeLessThanOrEqual(2);
  });

  it('decrypts file to file whatever its frames against its reads: smaller, one byte over, several times larger, and from a stream', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const key = await owner.createKey();
    const dir = await mkdtemp(join(tmpdir(), 'envelope-files-'));
    const plaintext = randomBytes(7 * 1024 * 1024 + 3);
    await writeFile(join(dir, 'in'), plaintext);
    // A file is read 256 KiB at a time (a stream as it comes): these frames are read whole in one read, across
    // five or six, over a dozen, and the largest frame allowed, whose final frame here spans 29 reads.
    for (const frameSize of [4096, 1024 * 1024 + 1, 3 * 1024 * 1024 + 5, 16 * 1024 * 1024]) {
      await owner.encryptFile(join(dir, 'in'), join(dir, 'in.enc'), { keyId: key.keyId, frameSize });
      await owner.decryptFile(join(dir, 'in.enc'), join(dir, 'out'));
      expect(sha256(await readFile(join(dir, 'out'))), `frame size ${frameSize}`).toBe(sha256(plaintext));
      const encrypted = await readFile(join(dir, 'in.enc'));
      await owner.decryptFile(Readable.from([encrypted.subarray(0, 100), encrypted.subarray(100)]), join(dir, 'out2'));
      expect(sha256(await readFile(join(dir, 'out2'))), `frame size ${frameSize}, from a stream`).toBe(sha256(plaintext));
    }
  });

  it('leaves no output behind when a file fails to verify, and names nothing of its internals', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const key = await owner.createKey();
    const dir = await mkdtemp(join(tmpdir(), 'envelope-files-'));
    await writeFile(join(dir, 'in'), randomBytes(200_000));
    await owner.encryptFile(join(dir, 'in'), join(dir, 'in.enc'), { keyId: key.keyId, frameSize: 4096 });
    const tampered = await readFile(join(dir, 'in.enc'));
    tampered[tampered.length - 5_000]! ^= 1;
    await writeFile(join(dir, 'in.enc'), tampered);
    const error = await owner.decryptFile(join(dir, 'in.enc'), join(dir, 'out')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileFormatError);
    expect(error).toMatchObject({ code: 'InvalidCiphertext' });
    expect((await readdir(dir)).sort()).toEqual(['in', 'in.enc']);
  });

  it('encrypts a stream into a file, and a file into a stream, in the same format', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const key = await owner.createKey();
    const dir = await mkdtemp(join(tmpdir(), 'envelope-files-'));
    const plaintext = randomBytes(3 * 1024 * 1024 + 5);
    // Chunks of every kind a Readable may hand out, of sizes that do not line up with frames.
    const pieces = [plaintext.subarray(0, 70_000), new Uint8Array(plaintext.subarray(70_000, 2_000_000)), plaintext.subarray(2_000_000)];
    await owner.encryptFile(Readable.from(pieces), join(dir, 'from-stream.enc'), { keyId: key.keyId });
    const decrypted = new PassThrough();
    const [, output] = await Promise.all([owner.decryptFile(join(dir, 'from-stream.enc'), decrypted), buffer(decrypted)]);
    expect(output).toEqual(plaintext);

    await writeFile(join(dir, 'in'), plaintext);
    const encrypted = new PassThrough();
    const [, file] = await Promise.all([owner.encryptFile(join(dir, 'in'), encrypted, { keyId: key.keyId }), buffer(encrypted)]);
    expect(await buffer(Readable.from([file]).pipe(owner.decryptStream()))).toEqual(plaintext);
  });

  it('stops when its signal aborts, leaving no output, and fails first for an input it cannot read', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const key = await owner.createKey();
    const dir = await mkdtemp(join(tmpdir(), 'envelope-files-'));
    await writeFile(join(dir, 'in'), randomBytes(5 * 1024 * 1024));
    const stop = new AbortController();
    const reason = new Error('stopped by the caller');
    const progress: number[] = [];
    const onProgress = (done: number) => {
      progress.push(done);
      stop.abort(reason);
    };
    await expect(owner.encryptFile(join(dir, 'in'), join(dir, 'in.enc'), { keyId: key.keyId, onProgress, signal: stop.signal })).rejects.toBe(reason);
    expect(progress).toHaveLength(1);
    await owner.encryptFile(join(dir, 'in'), join(dir, 'in.enc'), { keyId: key.keyId });
    await expect(owner.decryptFile(join(dir, 'in.enc'), join(dir, 'out'), { signal: stop.signal })).rejects.toBe(reason);
    expect((await readdir(dir)).sort()).toEqual(['in', 'in.enc']);

    const requests = vi.spyOn(owner, 'request');
    for (const missing of [join(dir, 'missing'), dir]) {
      await expect(owner.encryptFile(missing, join(dir, 'out.enc'), { keyId: key.keyId })).rejects.toMatchObject({
        code: expect.stringMatching(/^(ENOENT|EISDIR)$/),
      });
      await expect(owner.decryptFile(missing, join(dir, 'out'))).rejects.toMatchObject({ code: expect.stringMatching(/^(ENOENT|EISDIR)$/) });
    }
    expect(requests).not.toHaveBeenCalled();
    expect((await readdir(dir)).sort()).toEqual(['in', 'in.enc']);
  });

  it('pipes streams both ways, and refuses another principal the data key', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const key = await owner.createKey();
    const plaintext = randomBytes(300_000);
    const encrypted = await buffer(Readable.from([plaintext]).pipe(await owner.encryptStream({ keyId: key.keyId })));
    expect(await buffer(Readable.from([encrypted]).pipe(owner.decryptStream()))).toEqual(plaintext);
    const teammate = clientFor(runtime().apiUrl, 'teammate');
    const out = new PassThrough();
    const error = await teammate.decryptFile(Readable.from([encrypted]), out).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'KeyUnwrapFailed', cause: { code: 'AccessDenied' } });
  });
});

describe('retries', () => {
  it('retry 429 and 503 after the Retry-After the service asks, with one idempotency key, and give up after the attempts', async () => {
    const answers = [503, 429, 200];
    const seen: { at: number; key: string | undefined }[] = [];
    const server = createServer((req, res) => {
      seen.push({ at: Date.now(), key: req.headers['idempotency-key'] as string | undefined });
      const status = answers.shift() ?? 503;
      res.writeHead(status, { 'content-type': 'application/json', ...(status !== 200 && { 'retry-after': '1' }) });
      res.end(
        JSON.stringify(
          status === 200 ? { keyId: 'k' } : { error: { code: status === 429 ? 'Throttled' : 'DependencyUnavailable', message: 'later' } },
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const client = new EnvelopeClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    expect(await client.createKey()).toEqual({ keyId: 'k' });
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.key)).size).toBe(1);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);

    answers.push(503, 503, 503);
    const error = await client.disableKey('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvelopeApiError);
    expect(error).toMatchObject({ status: 503, code: 'DependencyUnavailable', retryAfterSeconds: 1 });
    server.close();
  });
});
