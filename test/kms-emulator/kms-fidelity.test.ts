import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EnableKeyRotationCommand,
  EncryptCommand, GetKeyRotationStatusCommand, KMSClient, ListKeyRotationsCommand, PutKeyPolicyCommand, RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKmsEmulator, type KmsAccessControl, type KmsActionRequest, type KmsEmulator } from '../../local/kms-emulator/server.js';
import { rejection } from '../support/rejection.js';

/**
 * The emulator behaves as KMS on what the service relies on, checked through the unmodified SDK
 * client: key states on the emulator's clock, ARNs of this region and account only, rotation,
 * inputs it does not implement refused rather than ignored, and malformed requests answered 400.
 */
const DAY_MS = 86_400_000;
let emulator: KmsEmulator;
let kms: KMSClient;
let clock = Date.now();

const clientFor = (url: string, accessKeyId = 'test') =>
  new KMSClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'test' }, maxAttempts: 1 });
const newKey = async () => (await kms.send(new CreateKeyCommand({ Description: 'fidelity' }))).KeyMetadata!;


/** A raw JSON 1.1 request, for what the SDK would never send. */
async function raw(target: string, body: string): Promise<{ status: number; type: string; text: string }> {
  const response = await fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body });
  const text = await response.text();
  return { status: response.status, type: (JSON.parse(text) as { __type?: string }).__type ?? '', text };
}

beforeAll(async () => {
  emulator = await startKmsEmulator({ port: 0, accountId: '111122223333', now: () => new Date(clock) });
  kms = clientFor(emulator.url);
});
afterAll(async () => emulator?.close());

describe('deletion on the emulator\'s clock', () => {
  it('reports rotation off, not an error, for a key pending deletion, and restores it on cancel', async () => {
    const key = await newKey();
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status.KeyRotationEnabled).toBe(false);
    expect(status.NextRotationDate).toBeUndefined();
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(true);
  });

  it('deletes a key, and its aliases, once its deletion date has passed: every call is then NotFoundException', async () => {
    const key = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: key.KeyId }));
    const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }))).CiphertextBlob!;
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    clock += 7 * DAY_MS + 1000;
    for (const call of [
      () => kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })), () => kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })),
      () => kms.send(new DescribeKeyCommand({ KeyId: 'alias/doomed' })), () => kms.send(new GetKeyRotationStatusCommand({ KeyId: key.Arn })),
    ]) {
      expect((await rejection(call())).name).toBe('NotFoundException');
    }
    // A ciphertext of a deleted key can never be decrypted again.
    expect((await rejection(kms.send(new DecryptCommand({ CiphertextBlob: blob })))).name).toBe('InvalidCiphertextException');
    // The alias can be taken again.
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: (await newKey()).KeyId }));
  });
});

describe('key ARNs', () => {
  it('resolves only ARNs of its own partition, region and account', async () => {
    const key = await newKey();
    expect((await kms.send(new DescribeKeyCommand({ KeyId: key.Arn }))).KeyMetadata!.KeyId).toBe(key.KeyId);
    for (const arn of [
      key.Arn!.replace(':us-east-1:', ':eu-west-1:'), key.Arn!.replace(':111122223333:', ':444455556666:'), key.Arn!.replace('arn:aws:', 'arn:aws-cn:'),
    ]) {
      expect((await rejection(kms.send(new DescribeKeyCommand({ KeyId: arn })))).name, arn).toBe('NotFoundException');
    }
  });
});

describe('rotation on the emulator\'s clock', () => {
  it('rotates automatically a period after rotation was enabled, and again each period', async () => {
    const key = await newKey();
    clock += 30 * DAY_MS;
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    const enabledAt = clock;
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    expect(status.NextRotationDate!.getTime()).toBeCloseTo(enabledAt + 90 * DAY_MS, -4);
    const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('before') }))).CiphertextBlob!;
    clock += 181 * DAY_MS;
    const { Rotations } = await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }));
    expect(Rotations!.map((r) => r.RotationType)).toEqual(['AUTOMATIC', 'AUTOMATIC']);
    expect(Rotations![0]!.RotationDate!.getTime()).toBeCloseTo(enabledAt + 90 * DAY_MS, -4);
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).NextRotationDate!.getTime()).toBeCloseTo(enabledAt + 270 * DAY_MS, -4);
    // Older material keeps decrypting.
    expect(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString()).toBe('before');
  });

  it('does not rotate a disabled key, and limits on-demand rotations to 25', async () => {
    const disabled = await newKey();
    await kms.send(new EnableKeyRotationCommand({ KeyId: disabled.KeyId, RotationPeriodInDays: 90 }));
    await kms.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    clock += 100 * DAY_MS;
    expect((await kms.send(new ListKeyRotationsCommand({ KeyId: disabled.KeyId }))).Rotations).toEqual([]);

    const key = await newKey();
    for (let i = 0; i < 25; i++) await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    expect((await rejection(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })))).name).toBe('LimitExceededException');
    expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).OnDemandRotationStartDate).toBeUndefined();
  });
});

describe('inputs it does not implement are refused, never ignored', () => {
  it('refuses imported material, multi-Region keys, long descriptions and malformed tags', async () => {
    expect((await rejection(kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' })))).name).toBe('UnsupportedOperationException');
    expect((await rejection(kms.send(new CreateKeyCommand({ MultiRegion: true })))).name).toBe('UnsupportedOperationException');
    expect((await rejection(kms.send(new CreateKeyCommand({ Description: 'x'.repeat(8193) })))).name).toBe('ValidationException');
    expect((await rejection(kms.send(new CreateKeyCommand({ Tags: [{ TagKey: '', TagValue: 'v' }] })))).name).toBe('ValidationException');
    expect((await rejection(kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'k', TagValue: 'a' }, { TagKey: 'k', TagValue: 'b' }] })))).name).toBe('TagException');
  });

  it('refuses an encryption algorithm a symmetric key cannot use, and more than 10 grant tokens', async () => {
    const key = await newKey();
    const plaintext = Buffer.from('x');
    expect((await rejection(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })))).name).toBe('InvalidKeyUsageException');
    const tokens = Array.from({ length: 11 }, (_, i) => `token-${i}`);
    expect((await rejection(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, GrantTokens: tokens })))).name).toBe('ValidationException');
    expect((await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', GrantTokens: tokens.slice(1) }))).CiphertextBlob).toBeDefined();
  });
});

describe('malformed and hostile requests', () => {
  it('answers a body that is not a JSON object with 400 SerializationException, never 500', async () => {
    for (const body of ['null', '[]', '"text"', '42', '{']) {
      const answer = await raw('TrentService.DescribeKey', body);
      expect(answer.status, body).toBe(400);
      expect(answer.type, body).toBe('SerializationException');
    }
  });

  it('knows only its own operations: inherited names are unknown and reveal nothing', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const answer = await raw(`TrentService.${name}`, '{}');
      expect(answer.status, name).toBe(400);
      expect(answer.type).toBe('UnknownOperationException');
      expect(answer.text).not.toMatch(/materials|"key"/);
    }
  });

  it('finds no key behind inherited names, and leaves Object.prototype alone', async () => {
    for (const keyId of ['key/__proto__', '__proto__', 'alias/__proto__', 'key/constructor', `arn:aws:kms:us-east-1:111122223333:key/__proto__`]) {
      expect((await rejection(kms.send(new DescribeKeyCommand({ KeyId: keyId })))).name, keyId).toBe('NotFoundException');
      if (!keyId.startsWith('alias/')) expect((await rejection(kms.send(new DisableKeyCommand({ KeyId: keyId })))).name, keyId).toBe('NotFoundException');
    }
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('state');
    expect(({} as Record<string, unknown>).state).toBeUndefined();
  });
});

describe('access control', () => {
  const calls: KmsActionRequest[] = [];
  let denyActions = new Set<string>();
  let guarded: KmsEmulator;
  /** A stand-in for the local runtime's IAM evaluation: it records what the emulator asks. */
  const control: KmsAccessControl = {
    authenticate: async ({ headers }) => {
      const accessKeyId = /Credential=([^/]+)\//.exec(headers.authorization ?? '')?.[1];
      return accessKeyId === 'known'
        ? { ok: true, principalArn: 'arn:aws:iam::111122223333:user/known' }
        : { ok: false, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };
    },
    authorize: async (request) => {
      calls.push(request);
      // A key policy without statements allows nobody anything, as in KMS.
      const lockedOut = request.key !== undefined && (JSON.parse(request.key.policy) as { Statement: unknown[] }).Statement.length === 0;
      return denyActions.has(request.action) || lockedOut ? `User: ${request.principalArn} is not authorized to perform: ${request.action}` : undefined;
    },
  };

  beforeAll(async () => {
    guarded = await startKmsEmulator({ port: 0, accountId: '111122223333', accessControl: control });
  });
  afterAll(async () => guarded?.close());

  it('refuses a request from an unknown principal', async () => {
    const error = await rejection(clientFor(guarded.url, 'stranger').send(new CreateKeyCommand({})));
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
  });

  it('asks for each action on its key, with the encryption context, and answers a denial with AccessDeniedException', async () => {
    const client = clientFor(guarded.url, 'known');
    const key = (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
    const context = { dataKeyId: 'a' };
    const blob = (await client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), EncryptionContext: context }))).CiphertextBlob!;
    calls.length = 0;
    await client.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context }));
    expect(calls).toEqual([{ principalArn: 'arn:aws:iam::111122223333:user/known', action: 'kms:Decrypt', key: { arn: key.Arn, policy: expect.stringContaining('kms:*') }, encryptionContext: context }]);

    denyActions = new Set(['kms:Decrypt']);
    const denied = await rejection(client.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: context })));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.$metadata?.httpStatusCode).toBe(400);
    expect(denied.message).toMatch(/not authorized to perform: kms:Decrypt/);
  });

  it('authorizes before it looks at the key\'s state: a disabled key refuses an unauthorized caller with AccessDeniedException', async () => {
    const client = clientFor(guarded.url, 'known');
    denyActions = new Set();
    const key = (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
    await client.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect((await rejection(client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })))).name).toBe('DisabledException');
    denyActions = new Set(['kms:Encrypt']);
    expect((await rejection(client.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })))).name).toBe('AccessDeniedException');
  });

  it('keeps the policy lockout safety check: a policy that would lock the caller out is refused unless bypassed', async () => {
    const client = clientFor(guarded.url, 'known');
    denyActions = new Set();
    const key = (await client.send(new CreateKeyCommand({}))).KeyMetadata!;
    const nobody = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    expect((await rejection(client.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: nobody })))).name).toBe('MalformedPolicyDocumentException');
    expect((await rejection(client.send(new CreateKeyCommand({ Policy: nobody })))).name).toBe('MalformedPolicyDocumentException');
    await client.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: nobody, BypassPolicyLockoutSafetyCheck: true }));
    expect((await rejection(client.send(new DescribeKeyCommand({ KeyId: key.KeyId })))).name).toBe('AccessDeniedException');
  });
});
