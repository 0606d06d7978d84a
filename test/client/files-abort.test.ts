import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DataKeys } from '../../packages/client/src/data-keys.js';
import { decryptFile, encryptFile } from '../../packages/client/src/files.js';

/**
 * The file functions' own behaviour around their one API call, with a stand-in for the client's
 * data keys (the real client and service are in files.test.ts): what an abort, a stalled input or
 * a pipe does.
 */
function standInClient(answer: 'now' | 'later' | 'never' = 'now') {
  const dataKey = randomBytes(32);
  const handedOut: Buffer[] = [];
  const key = () => {
    const copy = Buffer.from(dataKey);
    handedOut.push(copy);
    return copy;
  };
  const client: DataKeys = {
    generateDataKey: async () => {
      if (answer === 'never') await new Promise(() => {});
      if (answer === 'later') await new Promise((resolve) => setTimeout(resolve, 50));
      return { plaintextKey: key(), encryptedKey: 'ev2.stand-in', keyId: 'k', keyVersion: 1 };
    },
    decrypt: () => Promise.resolve({ plaintext: key(), keyId: 'k', keyVersion: 1 }),
  };
  return { client, handedOut };
}

const directory = () => mkdtemp(join(tmpdir(), 'envelope-files-abort-'));

describe('encryptFile and decryptFile around their API call', () => {
  it('reject with the reason as soon as the signal aborts, while the data key is still being asked for', async () => {
    const dir = await directory();
    await writeFile(join(dir, 'in'), randomBytes(1000));
    const { client } = standInClient('never');
    for (const output of [join(dir, 'out.enc'), new PassThrough()]) {
      const reason = new Error('stopped');
      const stop = new AbortController();
      setTimeout(() => stop.abort(reason), 20);
      await expect(encryptFile(client, join(dir, 'in'), output, { keyId: 'k', signal: stop.signal })).rejects.toBe(reason);
    }
    expect(await readdir(dir)).toEqual(['in']);
  });

  it('stop a stream input that sends nothing when the signal aborts, and let go of a stream input they fail before reading', async () => {
    const dir = await directory();
    const { client } = standInClient();
    const stalled = new PassThrough();
    stalled.write(randomBytes(100));
    const stop = new AbortController();
    const reason = new Error('stopped');
    setTimeout(() => stop.abort(reason), 20);
    await expect(encryptFile(client, stalled, join(dir, 'out.enc'), { keyId: 'k', signal: stop.signal })).rejects.toBe(reason);
    expect(stalled.destroyed).toBe(true);
    expect(await readdir(dir)).toEqual([]);

    const unread = Readable.from([randomBytes(100)]);
    await expect(encryptFile(client, unread, join(dir, 'missing', 'out.enc'), { keyId: 'k' })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(unread.destroyed).toBe(true);
  });

  it('ask for no data key when the output cannot be created', async () => {
    const dir = await directory();
    await writeFile(join(dir, 'in'), randomBytes(1000));
    const { client, handedOut } = standInClient();
    await expect(encryptFile(client, join(dir, 'in'), join(dir, 'missing', 'out.enc'), { keyId: 'k' })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(handedOut).toEqual([]);
  });

  it('wipe the data key handed to them, and one that comes after an abort', async () => {
    const dir = await directory();
    await writeFile(join(dir, 'in'), randomBytes(100_000));
    const { client, handedOut } = standInClient();
    await encryptFile(client, join(dir, 'in'), join(dir, 'out.enc'), { keyId: 'k' });
    await decryptFile(client, join(dir, 'out.enc'), join(dir, 'out'));
    expect(await readFile(join(dir, 'out'))).toEqual(await readFile(join(dir, 'in')));
    expect(handedOut).toHaveLength(2);
    for (const key of handedOut) expect(key.every((byte) => byte === 0)).toBe(true);

    const late = standInClient('later');
    await expect(
      encryptFile(late.client, join(dir, 'in'), join(dir, 'late.enc'), { keyId: 'k', signal: AbortSignal.timeout(10) }),
    ).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(late.handedOut).toHaveLength(1);
    expect(late.handedOut[0]!.every((byte) => byte === 0)).toBe(true);
  });

  it('read a FIFO input in order, and count progress in bytes for string chunks', async () => {
    const dir = await directory();
    const { client } = standInClient();
    const plaintext = randomBytes(3 * 1024 * 1024 + 1);
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const writer = createWriteStream(join(dir, 'fifo'));
    writer.end(plaintext);
    await encryptFile(client, join(dir, 'fifo'), join(dir, 'fifo.enc'), { keyId: 'k' });
    const decrypted = new PassThrough();
    const chunks: Buffer[] = [];
    decrypted.on('data', (chunk: Buffer) => chunks.push(chunk));
    await decryptFile(client, join(dir, 'fifo.enc'), decrypted);
    expect(Buffer.concat(chunks)).toEqual(plaintext);

    const progress: number[] = [];
    await encryptFile(client, Readable.from(['é'.repeat(1000)]), join(dir, 'text.enc'), { keyId: 'k', onProgress: (done) => progress.push(done) });
    expect(progress.at(-1)).toBe(2000);
  });
});
