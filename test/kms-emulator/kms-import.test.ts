import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
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
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListKeyRotationsCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  type ImportKeyMaterialCommandInput,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKmsEmulator, type KmsActionRequest, type KmsEmulator } from '../../local/kms-emulator/server.js';
import { wrapKeyMaterial, type WrappingAlgorithm } from '../../scripts/import-key-material.js';
import { rejection } from '../support/rejection.js';
import { DAY_MS, kmsClient, rawRequest, TestClock } from './clients.js';

/**
 * Imported key material (BYOK) in the emulator, through the unmodified SDK client, as the AWS KMS
 * documentation describes it: a key made without material is PendingImport and refuses every
 * cryptographic use; only the material first imported can ever be imported again; deleting or
 * expiring it loses nothing but its use until it is imported again.
 */
const clock = new TestClock();
let emulator: KmsEmulator;
let kms: KMSClient;

const failure = async (call: Promise<unknown>) => {
  const error = await rejection(call);
  return { name: error.name, message: error.message };
};
const newExternalKey = async (client = kms) => (await client.send(new CreateKeyCommand({ Origin: 'EXTERNAL', Description: 'byok' }))).KeyMetadata!;
const describeKey = async (keyId: string, client = kms) => (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
const parametersFor = (keyId: string, WrappingAlgorithm: WrappingAlgorithm | 'RSAES_OAEP_SHA_1' = 'RSA_AES_KEY_WRAP_SHA_256', client = kms) =>
  client.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm, WrappingKeySpec: 'RSA_2048' }));
const neverExpires = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } as const;
const encrypt = async (keyId: string, text = 'secret') =>
  (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(text) }))).CiphertextBlob!;
const decrypt = async (blob: Uint8Array, client = kms) =>
  Buffer.from((await client.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString();

/** GetParametersForImport, the material wrapped as the import script wraps it, then ImportKeyMaterial. */
async function importMaterial(
  keyId: string,
  material: Buffer,
  options: Partial<ImportKeyMaterialCommandInput> = neverExpires,
  wrapping: WrappingAlgorithm = 'RSA_AES_KEY_WRAP_SHA_256',
  client = kms,
) {
  const { ImportToken, PublicKey } = await parametersFor(keyId, wrapping, client);
  return client.send(
    new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken, EncryptedKeyMaterial: wrapKeyMaterial(material, PublicKey!, wrapping), ...options }),
  );
}

beforeAll(async () => {
  emulator = await startKmsEmulator({ port: 0, accountId: '111122223333', now: clock.now });
  kms = kmsClient(emulator.url);
});
afterAll(async () => emulator?.close());

describe('a key for imported material', () => {
  it('the whole lesson: pending import, imported, deleted (nothing lost), the same material again, different material refused', async () => {
    const key = await newExternalKey();
    const pendingImport = { name: 'KMSInvalidStateException', message: `${key.Arn} is pending import.` };
    expect(key).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false });
    expect(key.CurrentKeyMaterialId).toBeUndefined();
    expect(await failure(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })))).toEqual(pendingImport);

    const material = randomBytes(32);
    const first = await importMaterial(key.KeyId!, material);
    expect(first.KeyId).toBe(key.Arn);
    expect(await describeKey(key.KeyId!)).toMatchObject({
      KeyState: 'Enabled',
      Enabled: true,
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      CurrentKeyMaterialId: first.KeyMaterialId,
    });
    const blob = await encrypt(key.KeyId!, 'before the deletion');
    expect(await decrypt(blob)).toBe('before the deletion');
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));

    expect(await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }))).toMatchObject({
      KeyId: key.Arn,
      KeyMaterialId: first.KeyMaterialId,
    });
    expect(await describeKey(key.KeyId!)).toMatchObject({ KeyState: 'PendingImport', Enabled: false });
    for (const call of [
      () => kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })),
      () => kms.send(new DecryptCommand({ CiphertextBlob: blob })),
      () => kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob })),
      () => kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })),
      () => kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })),
      () => kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: key.KeyId })),
      () => kms.send(new EnableKeyCommand({ KeyId: key.KeyId })),
      () => kms.send(new DisableKeyCommand({ KeyId: key.KeyId })),
    ]) {
      expect(await failure(call())).toEqual(pendingImport);
    }
    // Nothing else is lost: the key, its policy, its aliases and its material's record stay.
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/byok-lesson', TargetKeyId: key.KeyId }));
    expect((await describeKey('alias/byok-lesson')).KeyId).toBe(key.KeyId);
    await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }));
    expect((await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations).toEqual([
      expect.objectContaining({
        KeyMaterialId: first.KeyMaterialId,
        KeyMaterialState: 'CURRENT',
        ImportState: 'PENDING_IMPORT',
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    ]);

    // The same material, wrapped another way under a new wrapping key, brings everything back.
    const again = await importMaterial(key.KeyId!, Buffer.from(material), neverExpires, 'RSAES_OAEP_SHA_256');
    expect(again.KeyMaterialId).toBe(first.KeyMaterialId);
    expect((await describeKey(key.KeyId!)).KeyState).toBe('Enabled');
    expect(await decrypt(blob)).toBe('before the deletion');
    expect(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }))).Plaintext!)).toEqual(
      Buffer.from(dataKey.Plaintext!),
    );

    expect(await failure(importMaterial(key.KeyId!, randomBytes(32)))).toEqual({
      name: 'IncorrectKeyMaterialException',
      message: 'The key material is not the same key material that was previously imported into this KMS key.',
    });
    expect((await describeKey(key.KeyId!)).KeyState).toBe('Enabled');
    expect(await decrypt(blob)).toBe('before the deletion');
  });

  it('unwraps RSAES_OAEP_SHA_1 as the OpenSSL example of "Step 3: Encrypt the key material" wraps it', async () => {
    const key = await newExternalKey();
    const { ImportToken, PublicKey } = await parametersFor(key.KeyId!, 'RSAES_OAEP_SHA_1');
    const publicKey = createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
    const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, randomBytes(32));
    await kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken, EncryptedKeyMaterial: wrapped, ...neverExpires }));
    expect(await decrypt(await encrypt(key.KeyId!))).toBe('secret');
  });

  it('keeps a disabled key disabled when material is imported again, and is Enabled after an import into a key pending import', async () => {
    const key = await newExternalKey();
    const material = randomBytes(32);
    await importMaterial(key.KeyId!, material);
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await importMaterial(key.KeyId!, material);
    expect((await describeKey(key.KeyId!)).KeyState).toBe('Disabled');
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    expect((await describeKey(key.KeyId!)).KeyState).toBe('PendingImport');
    await importMaterial(key.KeyId!, material);
    expect((await describeKey(key.KeyId!)).KeyState).toBe('Enabled');
  });

  it('while pending deletion: material can be deleted (the state stays), not imported; cancelling leaves it pending import', async () => {
    const key = await newExternalKey();
    const material = randomBytes(32);
    await importMaterial(key.KeyId!, material);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    expect((await describeKey(key.KeyId!)).KeyState).toBe('PendingDeletion');
    expect(await failure(parametersFor(key.KeyId!))).toEqual({ name: 'KMSInvalidStateException', message: `${key.Arn} is pending deletion.` });
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect((await describeKey(key.KeyId!)).KeyState).toBe('PendingImport');
    await importMaterial(key.KeyId!, material);
    expect((await describeKey(key.KeyId!)).KeyState).toBe('Enabled');
  });

  it('deleting material from a key pending import has no effect', async () => {
    const key = await newExternalKey();
    expect(await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }))).toMatchObject({ KeyId: key.Arn });
    expect((await describeKey(key.KeyId!)).KeyState).toBe('PendingImport');
  });
});

describe('GetParametersForImport', () => {
  it("returns a DER public key of the wrapping key spec and an import token valid for 24 hours on the emulator's clock", async () => {
    const key = await newExternalKey();
    for (const [spec, bits] of [
      ['RSA_2048', 2048],
      ['RSA_3072', 3072],
      ['RSA_4096', 4096],
    ] as const) {
      const answer = await kms.send(
        new GetParametersForImportCommand({ KeyId: key.Arn, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: spec }),
      );
      expect(answer.KeyId).toBe(key.Arn);
      expect(createPublicKey({ key: Buffer.from(answer.PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength).toBe(bits);
      expect(answer.ImportToken!.length).toBeGreaterThan(0);
      expect(answer.ParametersValidTo).toEqual(new Date(clock.now().getTime() + DAY_MS));
    }
  });

  it('is for keys with Origin EXTERNAL, named by key id or ARN, with a wrapping algorithm KMS still supports', async () => {
    const kmsKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const wrongOrigin = { name: 'UnsupportedOperationException', message: `${kmsKey.Arn} origin is AWS_KMS which is not valid for this operation.` };
    expect(await failure(parametersFor(kmsKey.KeyId!))).toEqual(wrongOrigin);
    expect(await failure(kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: kmsKey.KeyId })))).toEqual(wrongOrigin);

    const key = await newExternalKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/byok-params', TargetKeyId: key.KeyId }));
    expect(await failure(parametersFor('alias/byok-params'))).toEqual({ name: 'NotFoundException', message: "Invalid keyId 'alias/byok-params'" });
    expect(
      (
        await failure(
          kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_PKCS1_V1_5', WrappingKeySpec: 'RSA_2048' })),
        )
      ).name,
    ).toBe('ValidationException');
    expect(
      await failure(kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256' } as never))),
    ).toEqual({
      name: 'ValidationException',
      message: "1 validation error detected: Value null at 'wrappingKeySpec' failed to satisfy constraint: Member must not be null",
    });
  });
});

describe('ImportKeyMaterial', () => {
  it('refuses an expired token, a token of another key, a used token and a made-up one', async () => {
    const [key, other] = [await newExternalKey(), await newExternalKey()];
    const material = randomBytes(32);
    const withToken = async (keyId: string, parameters: { ImportToken?: Uint8Array; PublicKey?: Uint8Array }) =>
      kms.send(
        new ImportKeyMaterialCommand({
          KeyId: keyId,
          ImportToken: parameters.ImportToken,
          EncryptedKeyMaterial: wrapKeyMaterial(material, parameters.PublicKey!, 'RSA_AES_KEY_WRAP_SHA_256'),
          ...neverExpires,
        }),
      );
    const invalid = { name: 'InvalidImportTokenException', message: 'The import token is invalid or is associated with a different KMS key.' };

    const expiring = await parametersFor(key.KeyId!);
    clock.advanceDays(1);
    expect((await failure(withToken(key.KeyId!, expiring))).name).toBe('ExpiredImportTokenException');
    expect(await failure(withToken(other.KeyId!, await parametersFor(key.KeyId!)))).toEqual(invalid);
    expect(await failure(withToken(key.KeyId!, { ImportToken: randomBytes(48), PublicKey: expiring.PublicKey }))).toEqual(invalid);

    const once = await parametersFor(key.KeyId!);
    await withToken(key.KeyId!, once);
    expect(await failure(withToken(key.KeyId!, once))).toEqual(invalid);
  });

  it('refuses material it cannot unwrap, and material that is not 256 bits', async () => {
    const key = await newExternalKey();
    const [first, second] = [await parametersFor(key.KeyId!), await parametersFor(key.KeyId!)];
    const underOtherKey = wrapKeyMaterial(randomBytes(32), second.PublicKey!, 'RSA_AES_KEY_WRAP_SHA_256');
    expect(
      (
        await failure(
          kms.send(
            new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: first.ImportToken, EncryptedKeyMaterial: underOtherKey, ...neverExpires }),
          ),
        )
      ).name,
    ).toBe('InvalidCiphertextException');
    expect(await failure(importMaterial(key.KeyId!, randomBytes(16)))).toEqual({
      name: 'IncorrectKeyMaterialException',
      message: 'The key material of a SYMMETRIC_DEFAULT KMS key must be a 256-bit symmetric key.',
    });
    expect((await describeKey(key.KeyId!)).KeyState).toBe('PendingImport');
  });

  it('checks the expiration: ValidTo needed by default, in the future, at most 365 days away, and none when the material does not expire', async () => {
    const key = await newExternalKey();
    const now = clock.now().getTime();
    const refusals = [
      {},
      { ValidTo: new Date(now - 1000) },
      { ValidTo: new Date(now + 366 * DAY_MS) },
      { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const, ValidTo: new Date(now + DAY_MS) },
    ];
    for (const options of refusals)
      expect((await failure(importMaterial(key.KeyId!, randomBytes(32), options))).name, JSON.stringify(options)).toBe('ValidationException');
    expect((await describeKey(key.KeyId!)).KeyState).toBe('PendingImport');
  });

  it("lets material expire on the emulator's clock: the key is pending import until the same material is imported again", async () => {
    const key = await newExternalKey();
    const material = randomBytes(32);
    const validTo = new Date(clock.now().getTime() + 10 * DAY_MS);
    await importMaterial(key.KeyId!, material, { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo });
    expect(await describeKey(key.KeyId!)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo });
    const blob = await encrypt(key.KeyId!, 'expiring');

    clock.advanceDays(10 - 1 / 86_400);
    expect(await decrypt(blob)).toBe('expiring');
    clock.advanceDays(1 / 86_400);
    expect(await describeKey(key.KeyId!)).toMatchObject({ KeyState: 'PendingImport', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo });
    expect(await failure(kms.send(new DecryptCommand({ CiphertextBlob: blob })))).toEqual({
      name: 'KMSInvalidStateException',
      message: `${key.Arn} is pending import.`,
    });

    await importMaterial(key.KeyId!, material);
    const described = await describeKey(key.KeyId!);
    expect(described).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    expect(described.ValidTo).toBeUndefined();
    expect(await decrypt(blob)).toBe('expiring');
  });

  it('takes the optional KeyMaterialId and ImportType as KMS does, and does not emulate importing new material for rotation', async () => {
    const key = await newExternalKey();
    const material = randomBytes(32);
    const { KeyMaterialId } = await importMaterial(key.KeyId!, material, {
      ...neverExpires,
      ImportType: 'NEW_KEY_MATERIAL',
      KeyMaterialDescription: 'from the HSM',
    });
    await importMaterial(key.KeyId!, material, { ...neverExpires, ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId });
    expect((await failure(importMaterial(key.KeyId!, material, { ...neverExpires, KeyMaterialId: 'ab'.repeat(32) }))).name).toBe(
      'IncorrectKeyMaterialException',
    );
    expect((await failure(importMaterial(key.KeyId!, material, { ...neverExpires, KeyMaterialId: 'abc' }))).message).toMatch(
      /at 'keyMaterialId' failed to satisfy constraint: Member must have length greater than or equal to 64/,
    );
    expect(await failure(importMaterial(key.KeyId!, material, { ...neverExpires, ImportType: 'NEW_KEY_MATERIAL' }))).toEqual({
      name: 'IncorrectKeyMaterialException',
      message: 'KMS expected new key material, but the key material being imported is already associated with the KMS key.',
    });
    expect((await failure(importMaterial(key.KeyId!, randomBytes(32), { ...neverExpires, ImportType: 'NEW_KEY_MATERIAL' }))).name).toBe(
      'UnsupportedOperationException',
    );
    expect((await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations).toEqual([
      expect.objectContaining({ KeyMaterialId, ImportState: 'IMPORTED', KeyMaterialDescription: 'from the HSM' }),
    ]);
  });

  it('reads ValidTo as a JSON timestamp (epoch seconds), as the service does', async () => {
    const key = await newExternalKey();
    const body = JSON.stringify({ KeyId: key.KeyId, ImportToken: 'AAAA', EncryptedKeyMaterial: 'AAAA', ValidTo: 'tomorrow' });
    expect(await rawRequest(emulator.url, 'TrentService.ImportKeyMaterial', body)).toMatchObject({ status: 400, type: 'SerializationException' });
  });
});

describe('rotation of a key with imported material', () => {
  it('automatic rotation is refused in every state (UnsupportedOperationException), and on-demand rotation is not emulated', async () => {
    const key = await newExternalKey();
    const wrongOrigin = { name: 'UnsupportedOperationException', message: `${key.Arn} origin is EXTERNAL which is not valid for this operation.` };
    const automatic = [
      () => kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })),
      () => kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId })),
      () => kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId })),
    ];
    for (const call of automatic) expect(await failure(call())).toEqual(wrongOrigin);
    await importMaterial(key.KeyId!, randomBytes(32));
    for (const call of automatic) expect(await failure(call())).toEqual(wrongOrigin);
    expect((await failure(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })))).name).toBe('UnsupportedOperationException');
  });
});

describe('state files and access control', () => {
  it('persist the origin, the expiration, the material and unused import parameters across a restart', async () => {
    const dataFile = join(await mkdtemp(join(tmpdir(), 'kms-import-')), 'kms.json');
    const first = await startKmsEmulator({ port: 0, now: clock.now, dataFile });
    const client = kmsClient(first.url);
    const key = await newExternalKey(client);
    const material = randomBytes(32);
    const validTo = new Date(clock.now().getTime() + 30 * DAY_MS);
    await importMaterial(key.KeyId!, material, { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo }, 'RSA_AES_KEY_WRAP_SHA_256', client);
    const blob = (await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('kept') }))).CiphertextBlob!;
    const unused = await parametersFor(key.KeyId!, 'RSA_AES_KEY_WRAP_SHA_256', client);
    await first.close();

    const restarted = await startKmsEmulator({ port: 0, now: clock.now, dataFile });
    const again = kmsClient(restarted.url);
    expect(await describeKey(key.KeyId!, again)).toMatchObject({
      Origin: 'EXTERNAL',
      KeyState: 'Enabled',
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: validTo,
    });
    expect(await decrypt(blob, again)).toBe('kept');
    await again.send(
      new ImportKeyMaterialCommand({
        KeyId: key.KeyId,
        ImportToken: unused.ImportToken,
        EncryptedKeyMaterial: wrapKeyMaterial(material, unused.PublicKey!, 'RSA_AES_KEY_WRAP_SHA_256'),
        ...neverExpires,
      }),
    );
    await restarted.close();
  });

  it('asks the access-control hook for the import actions on the key, before its state is looked at', async () => {
    const asked: KmsActionRequest[] = [];
    const controlled = await startKmsEmulator({
      port: 0,
      now: clock.now,
      accessControl: {
        authenticate: async () => ({ ok: true, principalArn: 'arn:aws:iam::000000000000:user/admin' }),
        authorize: async (request) => {
          asked.push(request);
          return request.action === 'kms:DeleteImportedKeyMaterial' ? 'denied' : undefined;
        },
      },
    });
    const client = kmsClient(controlled.url);
    const key = await newExternalKey(client);
    await importMaterial(key.KeyId!, randomBytes(32), neverExpires, 'RSA_AES_KEY_WRAP_SHA_256', client);
    expect(await failure(client.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId })))).toEqual({
      name: 'AccessDeniedException',
      message: 'denied',
    });
    const policy = (await client.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy!;
    expect(asked.filter((request) => request.key).map(({ action, key: onKey }) => ({ action, key: onKey }))).toEqual(
      ['kms:GetParametersForImport', 'kms:ImportKeyMaterial', 'kms:DeleteImportedKeyMaterial', 'kms:GetKeyPolicy'].map((action) => ({
        action,
        key: { arn: key.Arn, policy },
      })),
    );
    expect((await describeKey(key.KeyId!, client)).KeyState).toBe('Enabled');
    await controlled.close();
  });
});
