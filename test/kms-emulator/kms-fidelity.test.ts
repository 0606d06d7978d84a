import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKmsEmulator, type KmsEmulator } from '../../local/kms-emulator/server.js';
import { rejection } from '../support/rejection.js';
import { DAY_MS, kmsClient, TestClock } from './clients.js';

/**
 * The emulator behaves as KMS on what the service relies on, checked through the unmodified SDK
 * client: key states and rotation on the emulator's clock, ARNs of its own Region, account and
 * partition only, and inputs it does not implement refused rather than ignored.
 */
const ACCOUNT = '111122223333';
const clock = new TestClock();
let emulator: KmsEmulator;
let kms: KMSClient;

const newKey = async (client = kms) => (await client.send(new CreateKeyCommand({ Description: 'fidelity' }))).KeyMetadata!;
const failure = async (call: Promise<unknown>) => {
  const error = await rejection(call);
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
};
const encrypt = async (keyId: string, text = 'x') =>
  (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(text) }))).CiphertextBlob!;
const decrypt = async (blob: Uint8Array, client = kms) =>
  Buffer.from((await client.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString();
const rotationStatus = (keyId: string) => kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
const rotations = async (keyId: string) => (await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations!;

beforeAll(async () => {
  emulator = await startKmsEmulator({ port: 0, accountId: ACCOUNT, now: clock.now });
  kms = kmsClient(emulator.url);
});
afterAll(async () => emulator?.close());

describe("the emulator's clock", () => {
  it('dates keys and deletions by it', async () => {
    const key = await newKey();
    expect(key.CreationDate).toEqual(clock.now());
    const { DeletionDate } = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect(DeletionDate!.getTime()).toBe(clock.now().getTime() + 7 * DAY_MS);
  });
});

describe('a key pending deletion', () => {
  it('answers GetKeyRotationStatus with rotation off, not an error, and gets its status back when deletion is cancelled', async () => {
    const key = await newKey();
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const status = await rotationStatus(key.KeyId!);
    expect(status).toMatchObject({ KeyId: key.Arn, KeyRotationEnabled: false });
    expect(status.NextRotationDate).toBeUndefined();
    expect(status.RotationPeriodInDays).toBeUndefined();
    // Its material is not rotated while deletion is pending either.
    clock.advanceDays(6);
    expect(await rotations(key.KeyId!)).toEqual([]);
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect(await rotationStatus(key.KeyId!)).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Disabled');
  });

  it('is gone once its deletion date has passed: every call naming it, or its alias, is NotFoundException', async () => {
    const key = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: key.KeyId }));
    const blob = await encrypt(key.KeyId!);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    clock.advanceDays(7);
    clock.advanceDays(-1 / 86_400);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('PendingDeletion');
    clock.advanceDays(1 / 86_400);

    const missing = { name: 'NotFoundException', message: `Key '${key.Arn}' does not exist`, status: 400 };
    for (const call of [
      () => kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })),
      () => kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })),
      () => kms.send(new GetKeyRotationStatusCommand({ KeyId: key.Arn })),
      () => kms.send(new EnableKeyCommand({ KeyId: key.KeyId })),
      () => kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId })),
      () => kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId })),
      () => kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: Buffer.from('x') })),
      () => kms.send(new DecryptCommand({ KeyId: key.Arn, CiphertextBlob: blob })),
    ]) {
      expect(await failure(call())).toEqual(missing);
    }
    expect(await failure(kms.send(new DescribeKeyCommand({ KeyId: 'alias/doomed' })))).toEqual({
      name: 'NotFoundException',
      message: `Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/doomed is not found.`,
      status: 400,
    });
    expect((await kms.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).not.toContain(key.KeyId);
    expect((await kms.send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasName)).not.toContain('alias/doomed');
    // A ciphertext of a deleted key can never be decrypted again, and the alias can be taken again.
    expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: blob })))).name).toBe('InvalidCiphertextException');
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: (await newKey()).KeyId }));
  });

  it('stays deleted across a restart, as does every change made while reading', async () => {
    const dataFile = join(await mkdtemp(join(tmpdir(), 'kms-fidelity-')), 'kms.json');
    const persistent = await startKmsEmulator({ port: 0, accountId: ACCOUNT, now: clock.now, dataFile });
    const client = kmsClient(persistent.url);
    const [doomed, rotating] = [await newKey(client), await newKey(client)];
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    await client.send(new EnableKeyRotationCommand({ KeyId: rotating.KeyId, RotationPeriodInDays: 90 }));
    clock.advanceDays(91);
    // Listing reads every key: it deletes one and rotates the other, whose new material must survive a restart.
    await client.send(new ListKeysCommand({}));
    const blob = (await client.send(new EncryptCommand({ KeyId: rotating.KeyId, Plaintext: Buffer.from('after rotation') }))).CiphertextBlob!;
    await persistent.close();
    const restarted = await startKmsEmulator({ port: 0, accountId: ACCOUNT, now: clock.now, dataFile });
    const again = kmsClient(restarted.url);
    expect(await decrypt(blob, again)).toBe('after rotation');
    expect((await failure(again.send(new DescribeKeyCommand({ KeyId: doomed.KeyId })))).name).toBe('NotFoundException');
    await restarted.close();
  });
});

describe('state files', () => {
  it('of the previous version keep their rotation schedule: a period after rotation was enabled', async () => {
    const dataFile = join(await mkdtemp(join(tmpdir(), 'kms-upgrade-')), 'kms.json');
    const keyId = '6f1c2b9e-8c61-4a8e-9d3a-0a4f7b5e2c11';
    const enabledAt = clock.now().getTime() / 1000 - 10 * 86_400;
    const material = { id: 'ab'.repeat(16), key: Buffer.alloc(32, 1).toString('base64'), createdAt: enabledAt - 100 };
    const key = {
      keyId,
      arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`,
      description: '',
      state: 'Enabled',
      creationDate: enabledAt - 100,
      materials: [material],
      rotationEnabled: true,
      rotationPeriodInDays: 90,
      rotationEnabledAt: enabledAt,
      policy: '{"Statement":[]}',
      tags: [],
    };
    await writeFile(dataFile, JSON.stringify({ keys: { [keyId]: key }, aliases: {} }));
    const previous = await startKmsEmulator({ port: 0, accountId: ACCOUNT, now: clock.now, dataFile });
    const status = await kmsClient(previous.url).send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    expect(status.NextRotationDate).toEqual(new Date((enabledAt + 90 * 86_400) * 1000));
    await previous.close();
  });
});

describe('key ARNs', () => {
  it("resolve only in the emulator's own Region, account and partition, and answer as KMS does otherwise", async () => {
    const key = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/arn-check', TargetKeyId: key.KeyId }));
    const aliasArn = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/arn-check`;
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.Arn }))).KeyMetadata!.KeyId).toBe(key.KeyId);
    expect((await kms.send(new DescribeKeyCommand({ KeyId: aliasArn }))).KeyMetadata!.KeyId).toBe(key.KeyId);

    for (const arn of [key.Arn!, aliasArn]) {
      const otherRegion = arn.replace(':us-east-1:', ':eu-west-1:');
      expect(await failure(kms.send(new DescribeKeyCommand({ KeyId: otherRegion })))).toEqual({
        name: 'NotFoundException',
        message: 'Invalid arn eu-west-1',
        status: 400,
      });
    }
    for (const arn of [key.Arn!.replace(`:${ACCOUNT}:`, ':444455556666:'), key.Arn!.replace('arn:aws:', 'arn:aws-cn:')]) {
      expect(await failure(kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('x') })))).toEqual({
        name: 'NotFoundException',
        message: `Key '${arn}' does not exist`,
        status: 400,
      });
    }
    const foreignAlias = aliasArn.replace(`:${ACCOUNT}:`, ':444455556666:');
    expect((await failure(kms.send(new DescribeKeyCommand({ KeyId: foreignAlias })))).message).toBe(`Alias ${foreignAlias} is not found.`);
    expect(await failure(kms.send(new DescribeKeyCommand({ KeyId: 'not-a-key-id' })))).toEqual({
      name: 'NotFoundException',
      message: "Invalid keyId 'not-a-key-id'",
      status: 400,
    });
  });

  it("are of the Region's partition", async () => {
    const china = await startKmsEmulator({ port: 0, region: 'cn-north-1', accountId: ACCOUNT });
    const key = await newKey(kmsClient(china.url, 'test', 'cn-north-1'));
    expect(key.Arn).toBe(`arn:aws-cn:kms:cn-north-1:${ACCOUNT}:key/${key.KeyId}`);
    await china.close();
  });

  it('key management operations take a key id or key ARN, not an alias', async () => {
    const key = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/managed', TargetKeyId: key.KeyId }));
    expect(await failure(kms.send(new DisableKeyCommand({ KeyId: 'alias/managed' })))).toEqual({
      name: 'NotFoundException',
      message: "Invalid keyId 'alias/managed'",
      status: 400,
    });
  });
});

describe("automatic rotation on the emulator's clock", () => {
  it('is due a period after it is enabled, not after the key was created, and then every period', async () => {
    const key = await newKey();
    clock.advanceDays(30);
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    const enabledAt = clock.now().getTime();
    expect(await rotationStatus(key.KeyId!)).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 90,
      NextRotationDate: new Date(enabledAt + 90 * DAY_MS),
    });
    const before = await encrypt(key.KeyId!, 'before');

    clock.advanceDays(181);
    expect(await rotations(key.KeyId!)).toEqual([
      expect.objectContaining({ KeyId: key.KeyId, RotationType: 'AUTOMATIC', RotationDate: new Date(enabledAt + 90 * DAY_MS) }),
      expect.objectContaining({ KeyId: key.KeyId, RotationType: 'AUTOMATIC', RotationDate: new Date(enabledAt + 180 * DAY_MS) }),
    ]);
    expect((await rotationStatus(key.KeyId!)).NextRotationDate).toEqual(new Date(enabledAt + 270 * DAY_MS));
    expect(await decrypt(before)).toBe('before');
  });

  it('counts again from the day it is re-enabled, and a new period from the last scheduled rotation', async () => {
    const key = await newKey();
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 100 }));
    const enabledAt = clock.now().getTime();
    clock.advanceDays(50);
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    expect((await rotationStatus(key.KeyId!)).NextRotationDate).toEqual(new Date(enabledAt + 90 * DAY_MS));
    await kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId }));
    expect(await rotationStatus(key.KeyId!)).toEqual(expect.objectContaining({ KeyRotationEnabled: false }));
    clock.advanceDays(60);
    expect(await rotations(key.KeyId!)).toEqual([]);
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
    const reenabled = clock.now().getTime();
    expect(await rotationStatus(key.KeyId!)).toMatchObject({ RotationPeriodInDays: 365, NextRotationDate: new Date(reenabled + 365 * DAY_MS) });
  });

  it('skips a disabled key, and rotates it when enabled again if its material is older than the period', async () => {
    const key = await newKey();
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    clock.advanceDays(100);
    expect(await rotations(key.KeyId!)).toEqual([]);
    expect(await failure(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })))).toMatchObject({ name: 'DisabledException' });
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    const enabledAt = clock.now().getTime();
    expect(await rotations(key.KeyId!)).toEqual([expect.objectContaining({ RotationType: 'AUTOMATIC', RotationDate: new Date(enabledAt) })]);
    expect((await rotationStatus(key.KeyId!)).NextRotationDate).toEqual(new Date(enabledAt + 90 * DAY_MS));
  });

  it('resumes the prior schedule of a re-enabled key whose material is younger than the period', async () => {
    const key = await newKey();
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    const enabledAt = clock.now().getTime();
    clock.advanceDays(80);
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    clock.advanceDays(20);
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect((await rotations(key.KeyId!)).map((r) => r.RotationType)).toEqual(['ON_DEMAND']);
    expect((await rotationStatus(key.KeyId!)).NextRotationDate).toEqual(new Date(enabledAt + 180 * DAY_MS));
  });
});

describe('on-demand rotation', () => {
  it('rotates at once, leaves the automatic schedule alone, answers the key ARN, and stops at 25 rotations', async () => {
    const key = await newKey();
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    const { NextRotationDate } = await rotationStatus(key.KeyId!);
    expect((await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }))).KeyId).toBe(key.Arn);
    const status = await rotationStatus(key.KeyId!);
    expect(status.NextRotationDate).toEqual(NextRotationDate);
    expect(status.OnDemandRotationStartDate).toBeUndefined();
    for (let i = 1; i < 25; i++) await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    expect(await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })))).toEqual({
      name: 'LimitExceededException',
      status: 400,
      message: `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.Arn}`,
    });
    expect((await rotations(key.KeyId!)).every((r) => r.RotationType === 'ON_DEMAND')).toBe(true);
  });

  it('is refused on a disabled key, and lists every key material with its state on request', async () => {
    const key = await newKey();
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const all = (await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ KeyId: key.KeyId, KeyMaterialState: 'NON_CURRENT' });
    expect(all[0]!.RotationType).toBeUndefined();
    expect(all[1]).toMatchObject({ KeyMaterialState: 'CURRENT', RotationType: 'ON_DEMAND' });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.CurrentKeyMaterialId).toBe(all[1]!.KeyMaterialId);
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect(await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })))).toEqual({
      name: 'DisabledException',
      message: `${key.Arn} is disabled.`,
      status: 400,
    });
  });
});

describe('inputs the emulator does not implement are refused, never ignored', () => {
  it('refuses CloudHSM key stores, custom key stores, multi-Region and asymmetric keys as unsupported, and invalid values as KMS does', async () => {
    for (const input of [
      { Origin: 'AWS_CLOUDHSM' as const },
      { MultiRegion: true },
      { CustomKeyStoreId: 'cks-1234567890abcdef0' },
      { KeySpec: 'RSA_2048' as const, KeyUsage: 'ENCRYPT_DECRYPT' as const },
    ]) {
      expect((await failure(kms.send(new CreateKeyCommand(input)))).name, JSON.stringify(input)).toBe('UnsupportedOperationException');
    }
    expect(await failure(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048' })))).toMatchObject({
      name: 'ValidationException',
      message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    });
    expect(await failure(kms.send(new CreateKeyCommand({ KeyUsage: 'SIGN_VERIFY' })))).toMatchObject({
      name: 'ValidationException',
      message: 'KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT',
    });
    expect((await failure(kms.send(new CreateKeyCommand({ Origin: 'ELSEWHERE' as never })))).message).toMatch(
      /^1 validation error detected: Value 'ELSEWHERE' at 'origin' failed to satisfy constraint: Member must satisfy enum value set/,
    );
    expect(
      (await kms.send(new CreateKeyCommand({ Origin: 'AWS_KMS', MultiRegion: false, KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' })))
        .KeyMetadata!.MultiRegion,
    ).toBe(false);
  });

  it('limits descriptions to 8192 characters and checks tags as KMS does', async () => {
    await kms.send(new CreateKeyCommand({ Description: 'x'.repeat(8192), Tags: [{ TagKey: 'team', TagValue: '' }] }));
    expect(await failure(kms.send(new CreateKeyCommand({ Description: 'x'.repeat(8193) })))).toMatchObject({
      name: 'ValidationException',
      message: `1 validation error detected: Value '${'x'.repeat(8193)}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192`,
    });
    const tagged = (tags: { TagKey: string; TagValue: string }[]) => failure(kms.send(new CreateKeyCommand({ Tags: tags })));
    expect(await tagged([{ TagKey: 'k'.repeat(129), TagValue: 'v' }])).toMatchObject({
      name: 'ValidationException',
      message: `1 validation error detected: Value '${'k'.repeat(129)}' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128`,
    });
    expect(
      await tagged([
        { TagKey: 'k', TagValue: 'v' },
        { TagKey: '', TagValue: 'v'.repeat(257) },
      ]),
    ).toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/^2 validation errors detected: .*'tags.2.member.tagKey'.*; .*'tags.2.member.tagValue'/),
    });
    expect(
      await tagged([
        { TagKey: 'k', TagValue: 'a' },
        { TagKey: 'k', TagValue: 'b' },
      ]),
    ).toMatchObject({ name: 'TagException', message: 'Duplicate tag keys' });
    expect(await tagged([{ TagKey: 'AWS:owner', TagValue: 'me' }])).toMatchObject({
      name: 'TagException',
      message: 'Tags beginning with aws: are reserved',
    });
    expect(await tagged(Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' })))).toMatchObject({
      name: 'TagException',
      message: 'Too many tags',
    });
    expect(await tagged([{ TagKey: 'k' } as never])).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value null at 'tags.1.member.tagValue' failed to satisfy constraint: Member must not be null",
    });
  });

  it('refuses an encryption algorithm a symmetric key cannot use', async () => {
    const key = await newKey();
    const blob = await encrypt(key.KeyId!);
    for (const call of [
      () => kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })),
      () => kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })),
      () => kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: key.KeyId, DestinationEncryptionAlgorithm: 'SM2PKE' })),
    ]) {
      expect(await failure(call())).toMatchObject({ name: 'InvalidKeyUsageException', status: 400 });
    }
    await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }));
  });

  it('refuses more than 10 grant tokens, and any grant token, since no grant exists', async () => {
    const key = await newKey();
    const tokens = Array.from({ length: 11 }, (_, i) => `token-${i}`);
    expect(await failure(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), GrantTokens: tokens })))).toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10"),
    });
    expect((await failure(kms.send(new DescribeKeyCommand({ KeyId: key.KeyId, GrantTokens: ['token-0'] })))).name).toBe('InvalidGrantTokenException');
    await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), GrantTokens: [] }));
  });

  it('implements DryRun: every check, then DryRunOperationException instead of the work', async () => {
    const [key, other] = [await newKey(), await newKey()];
    const blob = await encrypt(key.KeyId!);
    const dryRun = { name: 'DryRunOperationException', message: 'The request would have succeeded, but the DryRun option is set.', status: 400 };
    for (const call of [
      () => kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), DryRun: true })),
      () => kms.send(new DecryptCommand({ CiphertextBlob: blob, DryRun: true })),
      () => kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', DryRun: true })),
      () => kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', DryRun: true })),
      () => kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: other.KeyId, DryRun: true })),
    ]) {
      expect(await failure(call())).toEqual(dryRun);
    }
    expect((await failure(kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { wrong: 'context' }, DryRun: true })))).name).toBe(
      'InvalidCiphertextException',
    );
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect((await failure(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), DryRun: true })))).name).toBe(
      'DisabledException',
    );
  });

  it('refuses Nitro Enclave recipients and dry-run modifiers as unsupported', async () => {
    const key = await newKey();
    const blob = await encrypt(key.KeyId!);
    const recipient = { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const, AttestationDocument: Buffer.from('attestation') };
    for (const call of [
      () => kms.send(new DecryptCommand({ CiphertextBlob: blob, Recipient: recipient })),
      () => kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', Recipient: recipient })),
      () => kms.send(new DecryptCommand({ CiphertextBlob: blob, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })),
    ]) {
      expect((await failure(call())).name).toBe('UnsupportedOperationException');
    }
  });

  it('checks key policies as KMS does: JSON with statements, at most 32 KB (LimitExceededException), policy name default', async () => {
    const key = await newKey();
    const put = (Policy: string, PolicyName?: string) => failure(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy, PolicyName })));
    expect((await put('not json')).name).toBe('MalformedPolicyDocumentException');
    expect((await put(JSON.stringify({ Version: '2012-10-17', Statement: [], Padding: 'x'.repeat(32_768) }))).name).toBe('LimitExceededException');
    expect((await put('{"Statement":[]}', 'other')).name).toBe('ValidationException');
    expect((await put('{"Statement":[]}\u0100')).message).toMatch(
      /at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    );
  });

  it('pages lists as KMS does: ListAliases at most 100 at a time, and an invalid marker refused', async () => {
    const key = await newKey();
    for (let i = 0; i < 101; i++) await kms.send(new CreateAliasCommand({ AliasName: `alias/page-${i}`, TargetKeyId: key.KeyId }));
    expect((await kms.send(new ListAliasesCommand({ Limit: 1000 }))).Aliases).toHaveLength(100);
    expect((await kms.send(new ListAliasesCommand({}))).Aliases).toHaveLength(50);
    expect((await failure(kms.send(new ListKeysCommand({ Marker: 'not-a-marker' })))).name).toBe('InvalidMarkerException');
  });

  it('validates alias names as KMS does', async () => {
    const key = await newKey();
    expect(await failure(kms.send(new CreateAliasCommand({ AliasName: 'orders', TargetKeyId: key.KeyId })))).toMatchObject({
      name: 'ValidationException',
      message: 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    });
    expect((await failure(kms.send(new CreateAliasCommand({ AliasName: 'alias/a:b', TargetKeyId: key.KeyId })))).name).toBe(
      'InvalidAliasNameException',
    );
    expect((await failure(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 31 })))).message).toBe(
      "1 validation error detected: Value '31' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value less than or equal to 30",
    );
  });
});
