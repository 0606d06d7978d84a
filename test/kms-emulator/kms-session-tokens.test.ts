import { CreateKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAccessControl } from '../../local/iam/access-control.js';
import type { LocalIdentity } from '../../local/iam/local-identities.js';
import { startKmsEmulator, type KmsEmulator } from '../../local/kms-emulator/server.js';
import { rejection } from '../support/rejection.js';

/**
 * Session tokens at the emulator itself, with the local runtime's access control and the unmodified
 * SDK: a token is valid only with the temporary credentials it was issued with ("Common Parameters",
 * AWS KMS API Reference: X-Amz-Security-Token, "If you're using temporary security credentials from
 * AWS STS, you must include the security token"). KMS answers any other as HTTP 400
 * UnrecognizedClientException, and checks it before the signature, as it finds the credentials by it.
 */
const INVALID_TOKEN = 'The security token included in the request is invalid.';
const ADMINISTRATOR = [{ name: 'kms', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } }];

const user: LocalIdentity = {
  name: 'user',
  arn: 'arn:aws:iam::111122223333:user/user',
  principalArn: 'arn:aws:iam::111122223333:user/user',
  accessKeyId: 'AKIASESSIONTOKENUSER',
  secretAccessKey: 'user-secret-000000000000000000000000',
  policies: ADMINISTRATOR,
};
const session: LocalIdentity = {
  name: 'role',
  arn: 'arn:aws:sts::111122223333:assumed-role/role/session',
  principalArn: 'arn:aws:iam::111122223333:role/role',
  accessKeyId: 'ASIASESSIONTOKENROLE',
  secretAccessKey: 'role-secret-000000000000000000000000',
  sessionToken: 'issued-with-the-role-session',
  policies: ADMINISTRATOR,
};

let emulator: KmsEmulator;

beforeAll(async () => {
  const access = new LocalAccessControl('us-east-1').register(user, session);
  emulator = await startKmsEmulator({ port: 0, accountId: '111122223333', accessControl: access.kms() });
});
afterAll(async () => emulator?.close());

const kms = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
  new KMSClient({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts: 1 });

async function refusal(credentials: Parameters<typeof kms>[0]) {
  const error = await rejection(kms(credentials).send(new ListKeysCommand({})));
  return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
}

describe('session tokens at the KMS emulator', () => {
  it('refuses long-term keys that carry a session token as an invalid security token, before the signature is checked', async () => {
    const refused = { name: 'UnrecognizedClientException', message: INVALID_TOKEN, status: 400 };
    expect(await refusal({ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, sessionToken: 'junk' })).toEqual(refused);
    // A wrong secret too: the token is refused first, so the answer is not InvalidSignatureException.
    expect(await refusal({ accessKeyId: user.accessKeyId, secretAccessKey: 'not-the-secret-0000000000000', sessionToken: 'junk' })).toEqual(refused);
    expect(await refusal({ accessKeyId: user.accessKeyId, secretAccessKey: 'not-the-secret-0000000000000' })).toMatchObject({
      name: 'InvalidSignatureException',
      status: 400,
    });
  });

  it('refuses temporary keys without their token or with another, and accepts each key with what was issued with it', async () => {
    const { accessKeyId, secretAccessKey, sessionToken } = session;
    for (const credentials of [
      { accessKeyId, secretAccessKey },
      { accessKeyId, secretAccessKey, sessionToken: `${sessionToken}x` },
    ]) {
      expect(await refusal(credentials)).toEqual({ name: 'UnrecognizedClientException', message: INVALID_TOKEN, status: 400 });
    }
    const created = await kms({ accessKeyId, secretAccessKey, sessionToken }).send(new CreateKeyCommand({}));
    const listed = await kms({ accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey }).send(new ListKeysCommand({}));
    expect(listed.Keys?.map((key) => key.KeyId)).toContain(created.KeyMetadata?.KeyId);
  });
});
