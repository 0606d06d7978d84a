import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
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
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKmsEmulator, type KmsAccessControl, type KmsActionRequest, type KmsEmulator } from '../../local/kms-emulator/server.js';
import { rejection } from '../support/rejection.js';
import { kmsClient, rawRequest } from './clients.js';

/**
 * The access-control hook's plumbing, with a stand-in for the local runtime's IAM evaluation that
 * records what the emulator asks: who signed, which action, on which key and policy, with which
 * encryption context, and in what order relative to the key's state.
 */
const PRINCIPAL = 'arn:aws:iam::111122223333:user/known';
const ALLOW_ALL = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }],
});
const NOBODY = JSON.stringify({ Version: '2012-10-17', Statement: [] });

const asked: KmsActionRequest[] = [];
let refuse: (request: KmsActionRequest) => boolean = () => false;

const control: KmsAccessControl = {
  authenticate: async ({ headers }) => {
    const accessKeyId = /Credential=([^/]+)\//.exec(headers.authorization ?? '')?.[1];
    if (accessKeyId === undefined) return { ok: false, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
    if (accessKeyId === 'forger')
      return {
        ok: false,
        type: 'InvalidSignatureException',
        message: 'The request signature we calculated does not match the signature you provided.',
      };
    if (accessKeyId !== 'known')
      return { ok: false, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    return { ok: true, principalArn: PRINCIPAL };
  },
  authorize: async (request) => {
    asked.push(request);
    // A key policy that allows nothing allows nobody anything, as in KMS.
    const lockedOut = request.key !== undefined && !request.key.policy.includes('kms:*');
    return refuse(request) || lockedOut
      ? `User: ${request.principalArn} is not authorized to perform: ${request.action} on resource: ${request.key?.arn ?? '*'}`
      : undefined;
  },
};

let emulator: KmsEmulator;
let kms: KMSClient;

const failure = async (call: Promise<unknown>) => {
  const error = await rejection(call);
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
};
/** The authorization requests one call makes. */
async function asksOf(call: () => Promise<unknown>): Promise<KmsActionRequest[]> {
  asked.length = 0;
  await call();
  return [...asked];
}

beforeAll(async () => {
  emulator = await startKmsEmulator({ port: 0, accountId: '111122223333', accessControl: control });
  kms = kmsClient(emulator.url, 'known');
});
afterAll(async () => emulator?.close());
beforeEach(() => {
  refuse = () => false;
});

describe('authentication', () => {
  it('refuses every request that is not signed by a known principal, before anything else, with the status AWS gives', async () => {
    expect(await failure(kmsClient(emulator.url, 'stranger').send(new ListKeysCommand({})))).toEqual({
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
      status: 400,
    });
    expect(await failure(kmsClient(emulator.url, 'forger').send(new ListKeysCommand({})))).toMatchObject({
      name: 'InvalidSignatureException',
      status: 400,
    });
    for (const target of ['TrentService.ListKeys', 'TrentService.constructor', 'TrentService.Nonsense']) {
      expect(await rawRequest(emulator.url, target, 'null')).toMatchObject({ status: 403, type: 'MissingAuthenticationTokenException' });
    }
    expect(asked).toEqual([]);
  });
});

describe('authorization', () => {
  it("asks for each operation's action on its key, with its policy and the encryption context", async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const policy = (await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy!;
    const onKey = (action: string, encryptionContext?: Record<string, string>, arn = key.Arn!) => ({
      principalArn: PRINCIPAL,
      action,
      key: { arn, policy },
      ...(encryptionContext && { encryptionContext }),
    });
    const withoutKey = (action: string) => ({ principalArn: PRINCIPAL, action });
    const context = { dataKeyId: 'k1', dataKeyVersion: '1' };
    const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), EncryptionContext: context }))).CiphertextBlob!;

    const cases: [() => Promise<unknown>, KmsActionRequest[]][] = [
      [() => kms.send(new CreateKeyCommand({})), [withoutKey('kms:CreateKey')]],
      [
        () => kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'team', TagValue: 'a' }] })),
        [withoutKey('kms:CreateKey'), withoutKey('kms:TagResource')],
      ],
      [() => kms.send(new ListKeysCommand({})), [withoutKey('kms:ListKeys')]],
      [() => kms.send(new ListAliasesCommand({ KeyId: key.KeyId })), [withoutKey('kms:ListAliases')]],
      [() => kms.send(new CreateAliasCommand({ AliasName: 'alias/asked', TargetKeyId: key.KeyId })), [onKey('kms:CreateAlias')]],
      [() => kms.send(new DescribeKeyCommand({ KeyId: 'alias/asked' })), [onKey('kms:DescribeKey')]],
      [() => kms.send(new DeleteAliasCommand({ AliasName: 'alias/asked' })), [onKey('kms:DeleteAlias')]],
      [
        () => kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: Buffer.from('x'), EncryptionContext: context })),
        [onKey('kms:Encrypt', context)],
      ],
      [() => kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: Buffer.from('x') })), [onKey('kms:Encrypt', {})]],
      [() => kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context })), [onKey('kms:Decrypt', context)]],
      [
        () => kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: context })),
        [onKey('kms:GenerateDataKey', context)],
      ],
      [
        () => kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: context })),
        [onKey('kms:GenerateDataKeyWithoutPlaintext', context)],
      ],
      [
        () =>
          kms.send(
            new ReEncryptCommand({
              CiphertextBlob: blob,
              SourceEncryptionContext: context,
              DestinationKeyId: other.KeyId,
              DestinationEncryptionContext: { to: 'other' },
            }),
          ),
        [onKey('kms:ReEncryptFrom', context), onKey('kms:ReEncryptTo', { to: 'other' }, other.Arn!)],
      ],
      [() => kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), [onKey('kms:EnableKeyRotation')]],
      [() => kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId })), [onKey('kms:GetKeyRotationStatus')]],
      [() => kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId })), [onKey('kms:DisableKeyRotation')]],
      [() => kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), [onKey('kms:RotateKeyOnDemand')]],
      [() => kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId })), [onKey('kms:ListKeyRotations')]],
      [() => kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId })), [onKey('kms:GetKeyPolicy')]],
      // The lockout safety check asks again, with the new policy as the key's.
      [() => kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: policy })), [onKey('kms:PutKeyPolicy'), onKey('kms:PutKeyPolicy')]],
      [
        () => kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: policy, BypassPolicyLockoutSafetyCheck: true })),
        [onKey('kms:PutKeyPolicy')],
      ],
      [() => kms.send(new DisableKeyCommand({ KeyId: key.KeyId })), [onKey('kms:DisableKey')]],
      [() => kms.send(new EnableKeyCommand({ KeyId: key.KeyId })), [onKey('kms:EnableKey')]],
      [() => kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId })), [onKey('kms:ScheduleKeyDeletion')]],
      [() => kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })), [onKey('kms:CancelKeyDeletion')]],
    ];
    for (const [call, expected] of cases) expect(await asksOf(call), expected[0]!.action).toEqual(expected);
  });

  it("asks the lockout safety check with the new key's ARN and policy on CreateKey", async () => {
    const requests = await asksOf(() => kms.send(new CreateKeyCommand({ Policy: ALLOW_ALL })));
    const { Keys } = await kms.send(new ListKeysCommand({}));
    expect(requests).toEqual([
      { principalArn: PRINCIPAL, action: 'kms:CreateKey' },
      { principalArn: PRINCIPAL, action: 'kms:PutKeyPolicy', key: { arn: Keys!.at(-1)!.KeyArn, policy: ALLOW_ALL } },
    ]);
  });

  it("answers a denial with AccessDeniedException (HTTP 400) and the evaluator's message, and changes nothing", async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    refuse = ({ action }) => action === 'kms:DisableKey';
    expect(await failure(kms.send(new DisableKeyCommand({ KeyId: key.KeyId })))).toEqual({
      name: 'AccessDeniedException',
      message: `User: ${PRINCIPAL} is not authorized to perform: kms:DisableKey on resource: ${key.Arn}`,
      status: 400,
    });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Enabled');
  });

  it('resolves the key first, then authorizes, then looks at its state', async () => {
    expect(await asksOf(() => failure(kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' }))))).toEqual([]);

    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }))).CiphertextBlob!;
    const encrypt = () => kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    const decrypt = () => kms.send(new DecryptCommand({ CiphertextBlob: blob }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect((await failure(encrypt())).name).toBe('DisabledException');
    refuse = ({ action }) => action === 'kms:Encrypt' || action === 'kms:Decrypt';
    expect((await failure(encrypt())).name).toBe('AccessDeniedException');
    expect((await failure(decrypt())).name).toBe('AccessDeniedException');

    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
    expect((await failure(decrypt())).name).toBe('AccessDeniedException');
    refuse = () => false;
    expect(await failure(decrypt())).toMatchObject({ name: 'KMSInvalidStateException', message: `${key.Arn} is pending deletion.` });
  });

  it("keeps KMS's policy lockout safety check on PutKeyPolicy and CreateKey, unless it is bypassed", async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const lockout = {
      name: 'MalformedPolicyDocumentException',
      message: 'The new key policy will not allow you to update the key policy in the future.',
      status: 400,
    };
    expect(await failure(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: NOBODY })))).toEqual(lockout);
    expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy).toContain('kms:*');

    const keys = async () => (await kms.send(new ListKeysCommand({}))).Keys!.length;
    const before = await keys();
    expect(await failure(kms.send(new CreateKeyCommand({ Policy: NOBODY })))).toEqual(lockout);
    expect(await keys()).toBe(before);
    await kms.send(new CreateKeyCommand({ Policy: NOBODY, BypassPolicyLockoutSafetyCheck: true }));
    expect(await keys()).toBe(before + 1);

    await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: NOBODY, BypassPolicyLockoutSafetyCheck: true }));
    expect((await failure(kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })))).name).toBe('AccessDeniedException');
  });
});
