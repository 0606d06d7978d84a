import { ListKeysCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { EnvelopeClient } from '../../packages/client/src/index.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { principal } from '../support/principals.js';
import { rejection } from '../support/rejection.js';

const runtime = runtimeForFile();
const INVALID_TOKEN = 'The security token included in the request is invalid.';

const kms = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
  new KMSClient({ endpoint: runtime().kmsUrl, region: 'us-east-1', credentials, maxAttempts: 1 });

/**
 * A session token belongs to temporary credentials (IAM user guide, "Use temporary credentials with
 * AWS resources"): AWS refuses one beside long-term keys, and temporary keys without theirs, as an
 * invalid security token, before it looks at the signature.
 */
describe('session tokens, as AWS checks them', () => {
  it('KMS refuses long-term keys that carry a session token, and temporary keys without theirs or with another', async () => {
    const { accessKeyId, secretAccessKey } = principal('keyadmin');
    const refusals = [
      kms({ accessKeyId, secretAccessKey, sessionToken: 'junk' }),
      kms({ accessKeyId: runtime().deployer.accessKeyId, secretAccessKey: runtime().deployer.secretAccessKey }),
      kms({ ...runtime().deployer, sessionToken: `${runtime().deployer.sessionToken}x` }),
    ];
    for (const client of refusals) {
      const error = await rejection(client.send(new ListKeysCommand({})));
      expect(error).toMatchObject({ name: 'UnrecognizedClientException', message: INVALID_TOKEN, $metadata: { httpStatusCode: 400 } });
    }
    // Each with its own token, or none for long-term keys: authenticated (the key administrator's policy does not grant ListKeys).
    await expect(kms(runtime().deployer).send(new ListKeysCommand({}))).resolves.toMatchObject({ Keys: expect.any(Array) });
    expect(await rejection(kms({ accessKeyId, secretAccessKey }).send(new ListKeysCommand({})))).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('the API gateway answers 403 to a caller whose long-term keys come with a session token', async () => {
    const { accessKeyId, secretAccessKey } = principal('owner');
    const withToken = new EnvelopeClient({
      endpoint: runtime().apiUrl,
      region: 'us-east-1',
      credentials: { accessKeyId, secretAccessKey, sessionToken: 'junk' },
      retry: { maxAttempts: 1 },
    });
    expect(await rejection(withToken.listKeys())).toMatchObject({ status: 403, message: INVALID_TOKEN });
    const without = new EnvelopeClient({ endpoint: runtime().apiUrl, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey } });
    await expect(without.listKeys()).resolves.toBeDefined();
  });
});
