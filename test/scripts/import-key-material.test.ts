import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKmsEmulator, type KmsEmulator } from '../../local/kms-emulator/server.js';
import { kmsClient } from '../kms-emulator/clients.js';

/**
 * The import script run as an operator runs it, `npx tsx scripts/import-key-material.ts`, in a child
 * process that finds the KMS emulator through the SDK's default configuration only.
 */
const run = promisify(execFile);
let emulator: KmsEmulator;
let kms: KMSClient;
let dir: string;

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function importScript(...args: string[]): Promise<Outcome> {
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL_KMS: emulator.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'operator',
    AWS_SECRET_ACCESS_KEY: 'operator',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    NPM_CONFIG_LOGLEVEL: 'error',
  };
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/import-key-material.ts', ...args], { env, cwd: process.cwd() });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** The script's own error line: exactly one. */
const errorLine = (outcome: Outcome) => {
  const lines = outcome.stderr.split('\n').filter((line) => line.startsWith('import-key-material:'));
  expect(lines).toHaveLength(1);
  return lines[0];
};

const externalKey = async (alias: string) => {
  const key = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
  await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.KeyId }));
  return key;
};
const describeKey = async (keyId: string) => (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
const roundTrip = async (keyId: string, blob?: Uint8Array) => {
  const ciphertext = blob ?? (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('imported') }))).CiphertextBlob!;
  return { ciphertext, plaintext: Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }))).Plaintext!).toString() };
};

beforeAll(async () => {
  emulator = await startKmsEmulator({ port: 0 });
  kms = kmsClient(emulator.url);
  dir = await mkdtemp(join(tmpdir(), 'import-key-material-'));
});
afterAll(async () => emulator?.close());

describe('scripts/import-key-material.ts', () => {
  it('--generate-to writes fresh material to a new 0600 file, says once that it is the only copy, and imports it; it never overwrites', async () => {
    const key = await externalKey('alias/generated');
    const file = join(dir, 'generated.bin');
    const outcome = await importScript('--key', 'alias/generated', '--generate-to', file);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout.match(/only copy/g)).toHaveLength(1);
    expect(outcome.stdout).toContain(key.Arn);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const material = await readFile(file);
    expect(material).toHaveLength(32);
    expect(await describeKey(key.KeyId!)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect((await roundTrip(key.KeyId!)).plaintext).toBe('imported');

    const again = await importScript('--key', 'alias/generated', '--generate-to', file);
    expect(again.code).toBe(1);
    expect(errorLine(again)).toBe(`import-key-material: ${file} already exists; refusing to overwrite it.`);
    expect(await readFile(file)).toEqual(material);
  });

  it('--material imports material from a file, with --valid-to and either wrapping, and brings back what the key encrypted before', async () => {
    const key = await externalKey('alias/restored');
    const file = join(dir, 'material.bin');
    await writeFile(file, Buffer.alloc(32, 7), { mode: 0o600 });
    expect((await importScript('--key', key.Arn!, '--material', file)).code).toBe(0);
    const before = await roundTrip(key.KeyId!);
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    expect((await describeKey(key.KeyId!)).KeyState).toBe('PendingImport');

    const validTo = new Date(Date.now() + 30 * 86_400_000);
    validTo.setUTCMilliseconds(0);
    const outcome = await importScript(
      '--key',
      'alias/restored',
      '--material',
      file,
      '--valid-to',
      validTo.toISOString(),
      '--wrapping',
      'RSAES_OAEP_SHA_256',
    );
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).not.toContain('only copy');
    expect(await describeKey(key.KeyId!)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo });
    expect((await roundTrip(key.KeyId!, before.ciphertext)).plaintext).toBe('imported');
  });

  it('fails with one clear line and exit code 1: absent key, wrong key, different material, bad arguments', async () => {
    const file = join(dir, 'other.bin');
    await writeFile(file, Buffer.alloc(32, 9));
    const kmsKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await externalKey('alias/taken');
    expect((await importScript('--key', 'alias/taken', '--generate-to', join(dir, 'taken.bin'))).code).toBe(0);
    const short = join(dir, 'short.bin');
    await writeFile(short, Buffer.alloc(16));

    const cases: [string[], string | RegExp][] = [
      [
        ['--key', 'alias/absent', '--material', file],
        'import-key-material: NotFoundException: Alias arn:aws:kms:us-east-1:000000000000:alias/absent is not found.',
      ],
      [
        ['--key', kmsKey.KeyId!, '--material', file],
        `import-key-material: ${kmsKey.Arn} has origin AWS_KMS; key material can be imported only into a key created with Origin EXTERNAL.`,
      ],
      [['--key', 'alias/taken', '--material', file], /^import-key-material: IncorrectKeyMaterialException: /],
      [['--key', 'alias/taken', '--material', short], `import-key-material: ${short} holds 16 bytes; key material must be exactly 32 bytes.`],
      [['--key', 'alias/taken', '--material', join(dir, 'missing.bin')], `import-key-material: Cannot read ${join(dir, 'missing.bin')}: ENOENT.`],
      [['--material', file], 'import-key-material: --key is required.'],
      [['--key', 'alias/taken'], 'import-key-material: Give exactly one of --material FILE and --generate-to FILE.'],
      [['--key', 'alias/taken', '--material', file, '--valid-to', 'soon'], 'import-key-material: --valid-to soon is not an ISO date.'],
      [['--key', 'alias/taken', '--material', file, '--wrapping', 'RSAES_PKCS1_V1_5'], /^import-key-material: --wrapping must be one of/],
    ];
    const outcomes = await Promise.all(cases.map(([args]) => importScript(...args)));
    for (const [index, [args, expected]] of cases.entries()) {
      const outcome = outcomes[index]!;
      expect(outcome.code, args.join(' ')).toBe(1);
      if (typeof expected === 'string') expect(errorLine(outcome), args.join(' ')).toBe(expected);
      else expect(errorLine(outcome), args.join(' ')).toMatch(expected);
    }
  });

  it('can be imported without running: importing it has no side effects', async () => {
    const module = await import('../../scripts/import-key-material.js');
    expect(typeof module.wrapKeyMaterial).toBe('function');
    expect(process.exitCode).toBeUndefined();
  });
});
