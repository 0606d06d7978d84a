import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type KeyMetadata, parseWholeHeader } from '../../packages/client/src/index.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import type { PrincipalName } from '../support/principals.js';
import { builtCli, envelope, sha256, userEnv } from './cli-support.js';

/** `envelope rewrap-file` as a user runs it after a rotation: the built CLI against the local runtime. */
const runtime = runtimeForFile({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0', POWERTOOLS_METRICS_DISABLED: 'true' });
let main: string;
let dir: string;

beforeAll(async () => {
  main = await builtCli();
  dir = await mkdtemp(join(tmpdir(), 'envelope-rewrap-file-'));
}, 120_000);

const as = (name: PrincipalName, args: readonly string[]) => envelope(main, args, { env: userEnv(runtime().apiUrl, name), cwd: dir });
const read = (name: string) => readFile(join(dir, name));
const headerOf = (file: Buffer) => parseWholeHeader(file);
const body = (file: Buffer) => file.subarray(headerOf(file).length);
const oneLineError = (stderr: string, code: string) => expect(stderr).toMatch(new RegExp(`^error: ${code}: \\S[^\\n]*\\n$`));

/** A key rotated twice after a file was encrypted under its first version. */
async function fileUnderAnOldVersion(name: string, size = 3 * 1024 * 1024 + 17): Promise<{ key: KeyMetadata; plaintext: Buffer }> {
  const created = await as('owner', ['keys', 'create', '-o', 'json']);
  const key = JSON.parse(created.stdout.toString()) as KeyMetadata;
  const plaintext = randomBytes(size);
  await writeFile(join(dir, `${name}.bin`), plaintext);
  expect((await as('owner', ['-q', 'encrypt-file', '-k', key.keyId, '-c', `file=${name}`, `${name}.bin`, `${name}.env`])).code).toBe(0);
  for (let i = 0; i < 2; i++) expect((await as('owner', ['keys', 'rotate', key.keyId])).code).toBe(0);
  return { key, plaintext };
}

describe('envelope rewrap-file', () => {
  it('moves a file to the current version in place by its header: the body unchanged, the content and permissions kept', async () => {
    const { key, plaintext } = await fileUnderAnOldVersion('big');
    await chmod(join(dir, 'big.env'), 0o640);
    const before = await read('big.env');
    expect(headerOf(before).header.keyVersion).toBe(1);

    const rewrapped = await as('owner', ['rewrap-file', 'big.env']);
    expect(rewrapped).toMatchObject({ code: 0, stderr: `rewrapped big.env: key ${key.keyId}, version 1 -> 3\n` });
    const after = await read('big.env');
    expect(headerOf(after).header).toMatchObject({ keyId: key.keyId, keyVersion: 3, context: { file: 'big' } });
    expect(headerOf(after).header.messageId).toEqual(headerOf(before).header.messageId);
    expect(headerOf(after).length).toBe(headerOf(before).length); // the service's tokens keep their length: the kernel copied the file
    expect(body(after).equals(body(before))).toBe(true);
    expect((await stat(join(dir, 'big.env'))).mode & 0o777).toBe(0o640);
    expect((await as('owner', ['-q', 'decrypt-file', 'big.env', 'big.out'])).code).toBe(0);
    expect(sha256(await read('big.out'))).toBe(sha256(plaintext));
    expect((await readdir(dir)).filter((name) => name.includes('.partial'))).toEqual([]);

    const again = await as('owner', ['rewrap-file', 'big.env']);
    expect(again).toMatchObject({ code: 0, stderr: `big.env: already at version 3 of key ${key.keyId}, left as it is\n` });
    expect((await read('big.env')).equals(after)).toBe(true);
  });

  it('writes to OUT when given, leaving IN as it was, and answers JSON with -o json', async () => {
    const { key, plaintext } = await fileUnderAnOldVersion('copy', 1000);
    const before = await read('copy.env');
    const rewrapped = await as('owner', ['rewrap-file', '-c', 'file=copy', 'copy.env', 'copy.v3.env', '-o', 'json']);
    expect(rewrapped.code).toBe(0);
    expect(JSON.parse(rewrapped.stdout.toString())).toEqual({
      input: 'copy.env',
      output: 'copy.v3.env',
      keyId: key.keyId,
      keyVersion: 3,
      previousKeyVersion: 1,
      rewritten: true,
    });
    expect((await read('copy.env')).equals(before)).toBe(true);
    expect((await as('owner', ['-q', 'decrypt-file', 'copy.v3.env', 'copy.out'])).code).toBe(0);
    expect((await read('copy.out')).equals(plaintext)).toBe(true);
  });

  it('refuses a changed header (exit 4, InvalidCiphertext), another context (exit 4, ContextMismatch) and a caller who may not use the key (exit 1), writing nothing', async () => {
    await fileUnderAnOldVersion('guarded', 5000);
    const original = await read('guarded.env');
    const changed = Buffer.from(original);
    changed[headerOf(original).length - 16 - 32 - 1]! ^= 1; // the frame size, which the header auth tag covers
    await writeFile(join(dir, 'changed.env'), changed);

    const tampered = await as('owner', ['rewrap-file', 'changed.env', 'changed.out']);
    expect(tampered.code).toBe(4);
    oneLineError(tampered.stderr, 'InvalidCiphertext');
    const otherContext = await as('owner', ['rewrap-file', '-c', 'file=other', 'guarded.env']);
    expect(otherContext.code).toBe(4);
    oneLineError(otherContext.stderr, 'ContextMismatch');
    const outsider = await as('outsider', ['rewrap-file', 'guarded.env']);
    expect(outsider.code).toBe(1);
    oneLineError(outsider.stderr, 'AccessDenied');

    expect((await read('guarded.env')).equals(original)).toBe(true);
    expect((await readdir(dir)).filter((name) => name.startsWith('changed.out') || name.includes('.partial'))).toEqual([]);
  });

  it('refuses a directory as OUT (exit 3), and stdin or a local file rewrapped into S3 as usage errors (exit 2)', async () => {
    await mkdir(join(dir, 'a-directory'), { recursive: true });
    await writeFile(join(dir, 'exists.env'), 'checked before its header');
    const intoDirectory = await as('owner', ['rewrap-file', 'exists.env', 'a-directory']);
    expect(intoDirectory.code).toBe(3);
    oneLineError(intoDirectory.stderr, 'EISDIR');
    for (const args of [
      ['rewrap-file', '-'],
      ['rewrap-file', 'a.env', 's3://bucket/key.env'],
      ['rewrap-file', 'a.env', '-'],
    ]) {
      const refused = await as('owner', args);
      expect(refused.code, args.join(' ')).toBe(2);
      oneLineError(refused.stderr, 'UsageError');
    }
  });
});
