import { readFileSync } from 'node:fs';
import { KMSClient } from '@aws-sdk/client-kms';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { EnvelopeClient, type EnvelopeApiError, type RetryPolicy } from '../../packages/client/src/index.js';
import type { LocalPrincipal } from '../../local/gateway/principals.js';

export const principals = JSON.parse(readFileSync(new URL('../../local/principals.json', import.meta.url), 'utf8')) as LocalPrincipal[];

/** Callers with the caller policies (owner, teammate, outsider), without (stranger), from another account (partner), and the master key's administrator. */
export type PrincipalName = 'owner' | 'teammate' | 'outsider' | 'stranger' | 'partner' | 'keyadmin';

export function principal(name: PrincipalName): LocalPrincipal {
  return principals.find((p) => p.name === name)!;
}

/** A client acting as one local principal. No retries unless asked: the tests assert each answer. */
export function clientFor(apiUrl: string, name: PrincipalName, retry: RetryPolicy = { maxAttempts: 1 }): EnvelopeClient {
  const { accessKeyId, secretAccessKey } = principal(name);
  return new EnvelopeClient({ endpoint: apiUrl, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, retry });
}

/** A KMS client for the emulator, as the master key's administrator (or another principal) would use against AWS. */
export function kmsClientFor(kmsUrl: string, name: PrincipalName = 'keyadmin'): KMSClient {
  const { accessKeyId, secretAccessKey } = principal(name);
  return new KMSClient({ endpoint: kmsUrl, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey } });
}

/**
 * The headers that sign a request as one local principal (SigV4, for execute-api unless another
 * service is named), for requests the typed client never sends: the query is the URL's, `host` is
 * added, and a session token goes in X-Amz-Security-Token.
 */
export async function signedHeaders(
  name: PrincipalName,
  method: string,
  url: URL,
  {
    headers = {},
    body,
    service = 'execute-api',
    sessionToken,
  }: { headers?: Record<string, string>; body?: string; service?: string; sessionToken?: string } = {},
): Promise<Record<string, string>> {
  const { accessKeyId, secretAccessKey } = principal(name);
  const credentials = { accessKeyId, secretAccessKey, ...(sessionToken !== undefined && { sessionToken }) };
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, ...headers },
    body,
  });
  return signed.headers;
}

/** Runs an API call that must fail, and returns its `{status, code}`. */
export async function failure(call: Promise<unknown>): Promise<{ status: number; code: string; message: string; retryAfterSeconds?: number }> {
  try {
    await call;
  } catch (error) {
    const { status, code, message, retryAfterSeconds } = error as EnvelopeApiError;
    return { status, code, message, retryAfterSeconds };
  }
  throw new Error('expected the call to fail');
}
