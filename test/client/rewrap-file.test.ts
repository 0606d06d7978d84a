import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type KeyResealing, parseWholeHeader } from '../../packages/client/src/index.js';
import { rewrapFile } from '../../packages/client/src/rewrap-file.js';
import { DATA_KEY, decrypt, encrypt, encryptOptions, OTHER_DATA_KEY } from './file-format-support.js';

/** The API as rewrapFile sees it: a resealing under version 2, which opens to `opensTo`. */
function resealing({ opensTo = DATA_KEY, keyId = encryptOptions().keyId, ciphertext = 'ev2.resealed' } = {}): KeyResealing & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    rewrap: async () => {
      calls.push('rewrap');
      return { ciphertext, keyId, keyVersion: 2 };
    },
    decrypt: async () => {
      calls.push('decrypt');
      return { plaintext: Buffer.from(opensTo), keyId, keyVersion: 2 };
    },
  };
}

async function encryptedFile(): Promise<{ dir: string; path: string; file: Buffer }> {
  const dir = await mkdtemp(join(tmpdir(), 'envelope-rewrap-'));
  const file = await encrypt(Buffer.from('a file to move to version 2'));
  await writeFile(join(dir, 'in.env'), file);
  return { dir, path: join(dir, 'in.env'), file };
}

describe('rewrapFile', () => {
  it('writes the new header and the body as it was, whether the header keeps its length (a kernel copy) or not (a stream)', async () => {
    for (const ciphertext of ['ev2.resealed', `ev2.${'y'.repeat(encryptOptions().encryptedKey.length - 4)}`]) {
      const { dir, path, file } = await encryptedFile();
      const result = await rewrapFile(resealing({ ciphertext }), path, join(dir, 'out.env'));
      expect(result).toEqual({ keyId: encryptOptions().keyId, keyVersion: 2, previousKeyVersion: 1, rewritten: true });
      const out = await readFile(join(dir, 'out.env'));
      const [before, after] = [parseWholeHeader(file), parseWholeHeader(out)];
      expect(after.header).toMatchObject({ encryptedKey: ciphertext, keyVersion: 2, messageId: before.header.messageId });
      expect(out.subarray(after.length)).toEqual(file.subarray(before.length));
      expect(await decrypt(out)).toEqual(Buffer.from('a file to move to version 2'));
    }
  });

  it('refuses a resealing that opens to another data key, or names another key, as InvalidCiphertext, writing nothing', async () => {
    for (const keys of [resealing({ opensTo: OTHER_DATA_KEY }), resealing({ keyId: 'another-key' })]) {
      const { dir, path, file } = await encryptedFile();
      await expect(rewrapFile(keys, path)).rejects.toMatchObject({ code: 'InvalidCiphertext' });
      expect(await readFile(path)).toEqual(file);
      expect(await readdir(dir)).toEqual(['in.env']);
    }
  });

  it('refuses another context before any API call', async () => {
    const { path } = await encryptedFile();
    const keys = resealing();
    await expect(rewrapFile(keys, path, path, { expectedContext: { tenant: 'other' } })).rejects.toMatchObject({ code: 'ContextMismatch' });
    expect(keys.calls).toEqual([]);
  });

  it('stops with the signal’s reason, the file untouched, when aborted while the API answers', async () => {
    const { dir, path, file } = await encryptedFile();
    const stop = new AbortController();
    const slow: KeyResealing = { ...resealing(), rewrap: () => new Promise(() => stop.abort(new Error('stopped'))) };
    await expect(rewrapFile(slow, path, join(dir, 'out.env'), { signal: stop.signal })).rejects.toThrow('stopped');
    expect(await readFile(path)).toEqual(file);
    expect(await readdir(dir)).toEqual(['in.env']);
  });
});
