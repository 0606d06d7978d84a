import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AlreadyExistsException,
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisabledException,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  KMSInvalidStateException,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  NotFoundException,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKmsEmulator, type KmsEmulator } from '../../local/kms-emulator/server.js';

let emulator: KmsEmulator;
let kms: KMSClient;
let dataFile: string;

const clientFor = (url: string) =>
  new KMSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const newKey = async () => (await kms.send(new CreateKeyCommand({ Description: 'test key' }))).KeyMetadata!;
const text = (value: string) => Buffer.from(value);

/** Runs a call that must fail and returns what the unmodified SDK threw. */
async function rejection(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  dataFile = join(await mkdtemp(join(tmpdir(), 'kms-emulator-')), 'kms.json');
  emulator = await startKmsEmulator({ port: 0, dataFile });
  kms = clientFor(emulator.url);
});
afterAll(async () => emulator?.close());

describe('keys and aliases', () => {
  it('creates, describes and lists keys', async () => {
    const key = await newKey();
    await newKey();
    expect(key).toMatchObject({ KeyState: 'Enabled', Enabled: true, KeyManager: 'CUSTOMER', KeySpec: 'SYMMETRIC_DEFAULT', Description: 'test key' });
    expect(key.Arn).toBe(`arn:aws:kms:us-east-1:000000000000:key/${key.KeyId}`);
    expect(key.CreationDate).toBeInstanceOf(Date);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.Arn }))).KeyMetadata!.KeyId).toBe(key.KeyId);
    const { Keys } = await kms.send(new ListKeysCommand({}));
    expect(Keys!.map((k) => k.KeyId)).toContain(key.KeyId);
    const page = await kms.send(new ListKeysCommand({ Limit: 1 }));
    expect(page.Keys).toHaveLength(1);
    expect(page.Truncated).toBe(true);
  });

  it('creates, lists, resolves and deletes aliases; a taken alias is AlreadyExistsException', async () => {
    const key = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/orders', TargetKeyId: key.KeyId }));
    expect(await rejection(kms.send(new CreateAliasCommand({ AliasName: 'alias/orders', TargetKeyId: key.KeyId })))).toBeInstanceOf(
      AlreadyExistsException,
    );
    expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/orders' }))).KeyMetadata!.KeyId).toBe(key.KeyId);
    expect((await kms.send(new ListAliasesCommand({ KeyId: key.KeyId }))).Aliases).toEqual([
      expect.objectContaining({ AliasName: 'alias/orders', TargetKeyId: key.KeyId }),
    ]);
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/orders' }));
    expect(await rejection(kms.send(new DescribeKeyCommand({ KeyId: 'alias/orders' })))).toBeInstanceOf(NotFoundException);
    expect(await rejection(kms.send(new CreateAliasCommand({ AliasName: 'not-an-alias', TargetKeyId: key.KeyId })))).toMatchObject({
      name: 'ValidationException',
    });
  });

  it('answers NotFoundException for unknown keys', async () => {
    const error = await rejection(kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })));
    expect(error).toBeInstanceOf(NotFoundException);
  });

  it('gets and puts the key policy', async () => {
    const key = await newKey();
    expect(JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy!).Statement[0].Action).toBe('kms:*');
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: policy }));
    expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy).toBe(policy);
  });
});

describe('cryptographic operations', () => {
  it('encrypts and decrypts with and without KeyId, binding the encryption context', async () => {
    const key = await newKey();
    const { CiphertextBlob, KeyId } = await kms.send(
      new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('hello'), EncryptionContext: { a: '1' } }),
    );
    expect(KeyId).toBe(key.Arn);
    const out = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: '1' } }));
    expect(Buffer.from(out.Plaintext!).toString()).toBe('hello');
    expect(out).toMatchObject({ KeyId: key.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(await rejection(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { a: '2' } })))).toBeInstanceOf(
      InvalidCiphertextException,
    );
    expect(await rejection(kms.send(new DecryptCommand({ CiphertextBlob })))).toBeInstanceOf(InvalidCiphertextException);
    const tampered = Buffer.from(CiphertextBlob!);
    tampered[tampered.length - 1]! ^= 1;
    expect(await rejection(kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: { a: '1' } })))).toBeInstanceOf(
      InvalidCiphertextException,
    );
    expect(await rejection(kms.send(new DecryptCommand({ CiphertextBlob: text('garbage') })))).toBeInstanceOf(InvalidCiphertextException);
    const other = await newKey();
    expect(await rejection(kms.send(new DecryptCommand({ CiphertextBlob, KeyId: other.KeyId, EncryptionContext: { a: '1' } })))).toBeInstanceOf(
      IncorrectKeyException,
    );
  });

  it('limits Encrypt to 1..4096 bytes', async () => {
    const key = await newKey();
    await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.alloc(4096) }));
    expect(await rejection(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.alloc(4097) })))).toMatchObject({
      name: 'ValidationException',
    });
  });

  it('generates data keys with and without plaintext', async () => {
    const key = await newKey();
    const withPlaintext = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { d: 'k' } }));
    expect(withPlaintext.Plaintext).toHaveLength(32);
    const unwrapped = await kms.send(new DecryptCommand({ CiphertextBlob: withPlaintext.CiphertextBlob, EncryptionContext: { d: 'k' } }));
    expect(Buffer.from(unwrapped.Plaintext!).equals(Buffer.from(withPlaintext.Plaintext!))).toBe(true);
    const without = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, NumberOfBytes: 16 }));
    expect('Plaintext' in without).toBe(false);
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: without.CiphertextBlob }))).Plaintext).toHaveLength(16);
    expect(await rejection(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId })))).toMatchObject({ name: 'ValidationException' });
  });

  it('re-encrypts under another key and context', async () => {
    const [source, destination] = [await newKey(), await newKey()];
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: source.KeyId, Plaintext: text('move me'), EncryptionContext: { s: '1' } }));
    const moved = await kms.send(
      new ReEncryptCommand({
        CiphertextBlob,
        SourceEncryptionContext: { s: '1' },
        DestinationKeyId: destination.KeyId,
        DestinationEncryptionContext: { d: '2' },
      }),
    );
    expect(moved).toMatchObject({ SourceKeyId: source.Arn, KeyId: destination.Arn });
    const out = await kms.send(new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { d: '2' } }));
    expect(Buffer.from(out.Plaintext!).toString()).toBe('move me');
  });
});

describe('key states', () => {
  it('refuses cryptographic use of a disabled key with DisabledException, unlike moto', async () => {
    const key = await newKey();
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    for (const call of [
      () => kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') })),
      () => kms.send(new DecryptCommand({ CiphertextBlob })),
      () => kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })),
    ]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(DisabledException);
      expect(error.message).toBe(`${key.Arn} is disabled.`);
    }
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext).toBeDefined();
  });

  it('schedules deletion (7..30 days, default 30) and cancels it to Disabled', async () => {
    const key = await newKey();
    expect(await rejection(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 6 })))).toMatchObject({
      name: 'ValidationException',
    });
    const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
    expect(scheduled).toMatchObject({ KeyState: 'PendingDeletion', PendingWindowInDays: 30 });
    expect(Math.round((scheduled.DeletionDate!.getTime() - Date.now()) / 86_400_000)).toBe(30);
    const error = await rejection(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('x') })));
    expect(error).toBeInstanceOf(KMSInvalidStateException);
    expect(error.message).toBe(`${key.Arn} is pending deletion.`);
    expect(await rejection(kms.send(new EnableKeyCommand({ KeyId: key.KeyId })))).toBeInstanceOf(KMSInvalidStateException);
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Disabled');
    expect(await rejection(kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })))).toBeInstanceOf(KMSInvalidStateException);
  });
});

describe('rotation', () => {
  it('enables rotation with a period (90..2560, default 365) and reports the next date', async () => {
    const key = await newKey();
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(false);
    expect(await rejection(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 89 })))).toMatchObject({
      name: 'ValidationException',
    });
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    expect(Math.round((status.NextRotationDate!.getTime() - Date.now()) / 86_400_000)).toBe(365);
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).RotationPeriodInDays).toBe(90);
    await kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId }));
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(false);
  });

  it('rotates on demand: new material for new blobs, old blobs still decrypt', async () => {
    const key = await newKey();
    const old = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('before') }));
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const fresh = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: text('after') }));
    expect(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: old.CiphertextBlob }))).Plaintext!).toString()).toBe('before');
    expect(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: fresh.CiphertextBlob }))).Plaintext!).toString()).toBe('after');
    // The blob names its material: the two differ in the material id after the key id.
    expect(Buffer.from(old.CiphertextBlob!).subarray(37, 53).equals(Buffer.from(fresh.CiphertextBlob!).subarray(37, 53))).toBe(false);
    const { Rotations } = await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }));
    expect(Rotations).toEqual([expect.objectContaining({ KeyId: key.KeyId, RotationType: 'ON_DEMAND' })]);
  });
});

describe('persistence', () => {
  it('decrypts after a restart what was encrypted before it', async () => {
    const key = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/persisted', TargetKeyId: key.KeyId }));
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({ KeyId: 'alias/persisted', Plaintext: text('durable'), EncryptionContext: { p: '1' } }),
    );
    await emulator.close();
    emulator = await startKmsEmulator({ port: 0, dataFile });
    kms = clientFor(emulator.url);
    const out = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { p: '1' } }));
    expect(Buffer.from(out.Plaintext!).toString()).toBe('durable');
    expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/persisted' }))).KeyMetadata!.KeyId).toBe(key.KeyId);
  });

  it('counts calls per operation', async () => {
    emulator.resetCallCounts();
    await newKey();
    expect(emulator.callCounts).toEqual({ CreateKey: 1 });
  });
});
