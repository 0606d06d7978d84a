import { ListKeysCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { EnvelopeClient } from '../../packages/client/src/index.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { principal, signedHeaders } from '../support/principals.js';
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

  /*
   * A token counts wherever it travels: the X-Amz-Security-Token header or the query parameter of
   * that name ("Elements of an AWS API request signature", IAM user guide). Raw requests signed
   * with @smithy/signature-v4, as the SDKs sign them, sent over HTTP.
   */
  const signedRequest = async (
    base: string,
    service: 'execute-api' | 'kms',
    { method = 'GET', path = '/', query = {}, headers = {}, body, sessionToken }: SignedRequestOptions = {},
  ) => {
    const url = new URL(path, base);
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const signed = await signedHeaders(service === 'kms' ? 'keyadmin' : 'owner', method, url, { headers, body, service, sessionToken });
    const response = await fetch(url, { method, headers: signed, body });
    return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), body: (await response.json()) as Record<string, unknown> };
  };

  // The deployed API's gateway responses wrap AWS's message ($context.error.messageString) in the contract's error body.
  it("the API gateway answers 403 with AWS's message to long-term keys with a token in the header or the query", async () => {
    const inHeader = await signedRequest(runtime().apiUrl, 'execute-api', { path: '/v1/keys', sessionToken: 'junk' });
    const inQuery = await signedRequest(runtime().apiUrl, 'execute-api', { path: '/v1/keys', query: { 'X-Amz-Security-Token': 'junk' } });
    for (const refused of [inHeader, inQuery]) {
      expect(refused).toMatchObject({ status: 403, body: { error: { message: INVALID_TOKEN } } });
    }
    expect(await signedRequest(runtime().apiUrl, 'execute-api', { path: '/v1/keys' })).toMatchObject({
      status: 200,
      body: { keys: expect.any(Array) },
    });
  });

  it('KMS answers 400 UnrecognizedClientException to long-term keys with a token in the query', async () => {
    const listKeys = {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
      body: '{}',
    };
    const refused = await signedRequest(runtime().kmsUrl, 'kms', { ...listKeys, query: { 'X-Amz-Security-Token': 'junk' } });
    expect(refused).toMatchObject({ status: 400, body: { __type: expect.stringContaining('UnrecognizedClientException'), message: INVALID_TOKEN } });
    // Without it, the same keys are authenticated (the key administrator's policy does not grant ListKeys).
    expect(await signedRequest(runtime().kmsUrl, 'kms', listKeys)).toMatchObject({
      body: { __type: expect.stringContaining('AccessDeniedException') },
    });
  });
});

interface SignedRequestOptions {
  readonly method?: string;
  readonly path?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly sessionToken?: string;
}
