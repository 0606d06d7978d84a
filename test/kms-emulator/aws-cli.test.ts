import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKmsEmulator, type KmsEmulator } from '../../local/kms-emulator/server.js';

/** The emulator, driven by a client nobody here wrote: the AWS CLI. It must be installed. */
const run = promisify(execFile);
let emulator: KmsEmulator;
let dir: string;

const aws = async (...args: string[]) => {
  const { stdout } = await run('aws', ['kms', ...args, '--endpoint-url', emulator.url, '--region', 'us-east-1', '--output', 'json'], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'cli', AWS_SECRET_ACCESS_KEY: 'cli', AWS_PAGER: '' },
  });
  // biome-ignore lint/suspicious/noExplicitAny: the AWS CLI's JSON output, read field by field as each test needs.
  return stdout ? (JSON.parse(stdout) as Record<string, any>) : {};
};

beforeAll(async () => {
  emulator = await startKmsEmulator({ port: 0 });
  dir = await mkdtemp(join(tmpdir(), 'kms-cli-'));
});
afterAll(async () => emulator?.close());

describe('the AWS CLI against the KMS emulator', () => {
  it('creates a key, encrypts, decrypts, gets DisabledException once disabled, and works again once enabled', async () => {
    const { KeyMetadata } = await aws('create-key', '--description', 'cli key');
    expect(KeyMetadata.KeyState).toBe('Enabled');
    const keyId = KeyMetadata.KeyId as string;

    await writeFile(join(dir, 'plain.txt'), 'from the cli');
    const encrypted = await aws('encrypt', '--key-id', keyId, '--plaintext', `fileb://${join(dir, 'plain.txt')}`);
    await writeFile(join(dir, 'blob.bin'), Buffer.from(encrypted.CiphertextBlob, 'base64'));
    const decrypted = await aws('decrypt', '--ciphertext-blob', `fileb://${join(dir, 'blob.bin')}`);
    expect(Buffer.from(decrypted.Plaintext, 'base64').toString()).toBe('from the cli');
    expect(decrypted.KeyId).toBe(KeyMetadata.Arn);

    await aws('disable-key', '--key-id', keyId);
    const refused = await aws('encrypt', '--key-id', keyId, '--plaintext', `fileb://${join(dir, 'plain.txt')}`).catch(
      (error: { stderr: string }) => error,
    );
    expect((refused as { stderr: string }).stderr).toMatch(/DisabledException/);
    expect((refused as { stderr: string }).stderr).toContain(`${KeyMetadata.Arn} is disabled.`);

    await aws('enable-key', '--key-id', keyId);
    const again = await aws('decrypt', '--ciphertext-blob', `fileb://${join(dir, 'blob.bin')}`);
    expect(Buffer.from(again.Plaintext, 'base64').toString()).toBe(await readFile(join(dir, 'plain.txt'), 'utf8'));
  });
});
