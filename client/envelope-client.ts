import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/** node:crypto's SHA-256, the hash the AWS SDK for Node signs with (pure-JS SHA-256 is several times slower). */
const Sha256Hash = Hash.bind(null, 'sha256');

import type { DataKeyValue, EncryptionContext, ErrorBody, ErrorCode, KeyMetadata, KeyPage, KeyPolicy, MasterKeyStatus, OpenedValue, RotatedKey, SealedValue } from '../contract/index.js';

export type { EncryptionContext, ErrorCode, KeyMetadata, KeyPolicy, KeySummary, MasterKeyStatus } from '../contract/index.js';

/** Typed client for the Envelope API, signing every request with SigV4 (service `execute-api`). */
/** Per-request options: an `Idempotency-Key` makes a state-changing request safely retryable. */
export interface RequestOptions {
  readonly idempotencyKey?: string;
}

export type SealedResult = SealedValue;

export interface GeneratedDataKey extends Omit<DataKeyValue, 'plaintextKey'> {
  /** Zero it (`fill(0)`) once used. */
  readonly plaintextKey?: Buffer;
}

export interface DecryptResult extends Omit<OpenedValue, 'plaintext'> {
  readonly plaintext: Buffer;
}

export interface EnvelopeClientOptions {
  /** The API's base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod`. */
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/** The API's `{"error": {code, message}}` answer, thrown with its HTTP status. */
export class EnvelopeApiError extends Error {
  override readonly name = 'EnvelopeApiError';
  constructor(readonly status: number, readonly code: ErrorCode, message: string, readonly retryAfterSeconds?: number) {
    super(message);
  }
}

export class EnvelopeClient {
  private readonly signer: SignatureV4;
  private readonly base: URL;

  constructor(options: EnvelopeClientOptions) {
    this.base = new URL(options.endpoint.endsWith('/') ? options.endpoint : `${options.endpoint}/`);
    this.signer = new SignatureV4({ credentials: options.credentials, region: options.region, service: 'execute-api', sha256: Sha256Hash });
  }

  /** Creates a key; with `idempotencyKey`, a retry of the same request answers the first outcome instead of creating another. */
  createKey(input: { alias?: string; description?: string } = {}, options: RequestOptions = {}): Promise<KeyMetadata> {
    return this.request('POST', 'v1/keys', input, {}, options);
  }

  listKeys(input: { limit?: number; nextToken?: string } = {}): Promise<KeyPage> {
    const query: Record<string, string> = {};
    if (input.limit !== undefined) query.limit = String(input.limit);
    if (input.nextToken !== undefined) query.nextToken = input.nextToken;
    return this.request('GET', 'v1/keys', undefined, query);
  }

  getKey(key: string): Promise<KeyMetadata> {
    return this.request('GET', keyPath(key));
  }

  /** Replaces a key's policy; one that leaves you without admin rights needs `bypassLockoutSafetyCheck`. */
  putKeyPolicy(key: string, policy: KeyPolicy, options: { bypassLockoutSafetyCheck?: boolean } = {}): Promise<KeyMetadata> {
    return this.request('PUT', `${keyPath(key)}/policy`, { ...policy, ...options });
  }

  /** Adds a version; `createdVersion` is the one this call added, `currentVersion` the newest. */
  rotateKey(key: string): Promise<RotatedKey> {
    return this.request('POST', `${keyPath(key)}/rotate`);
  }

  disableKey(key: string): Promise<KeyMetadata> {
    return this.request('POST', `${keyPath(key)}/disable`);
  }

  enableKey(key: string): Promise<KeyMetadata> {
    return this.request('POST', `${keyPath(key)}/enable`);
  }

  scheduleKeyDeletion(key: string, pendingWindowInDays?: number): Promise<KeyMetadata> {
    return this.request('POST', `${keyPath(key)}/schedule-deletion`, pendingWindowInDays === undefined ? {} : { pendingWindowInDays });
  }

  cancelKeyDeletion(key: string): Promise<KeyMetadata> {
    return this.request('POST', `${keyPath(key)}/cancel-deletion`);
  }

  encrypt(keyId: string, plaintext: Uint8Array | string, context?: EncryptionContext): Promise<SealedResult> {
    return this.request('POST', 'v1/encrypt', { keyId, plaintext: Buffer.from(plaintext).toString('base64'), context });
  }

  async decrypt(ciphertext: string, context?: EncryptionContext): Promise<DecryptResult> {
    const out = await this.request<OpenedValue>('POST', 'v1/decrypt', { ciphertext, context });
    return { ...out, plaintext: Buffer.from(out.plaintext, 'base64') };
  }

  rewrap(ciphertext: string, context?: EncryptionContext): Promise<SealedResult> {
    return this.request('POST', 'v1/rewrap', { ciphertext, context });
  }

  /** A fresh data key for client-side encryption: its plaintext (unless `withoutPlaintext`) and its sealed form. */
  async generateDataKey(keyId: string, context?: EncryptionContext, options: { withoutPlaintext?: boolean } = {}): Promise<GeneratedDataKey> {
    const out = await this.request<DataKeyValue>('POST', 'v1/data-keys', { keyId, context, ...options });
    return { ...out, plaintextKey: out.plaintextKey === undefined ? undefined : Buffer.from(out.plaintextKey, 'base64') };
  }

  masterKey(): Promise<MasterKeyStatus> {
    return this.request('GET', 'v1/master-key');
  }

  /** Sends a signed request; resolves with the JSON body or throws `EnvelopeApiError`. */
  async request<T>(method: string, path: string, body?: unknown, query: Record<string, string> = {}, options: RequestOptions = {}): Promise<T> {
    const url = new URL(path, this.base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const signed = await this.signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: {
        host: url.host,
        accept: 'application/json',
        ...(payload !== undefined && { 'content-type': 'application/json' }),
        ...(options.idempotencyKey !== undefined && { 'idempotency-key': options.idempotencyKey }),
      },
      body: payload,
    });
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const response = await fetch(url, { method, headers: signed.headers, body: payload });
    const text = await response.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) throw toApiError(response, json);
    return json as T;
  }
}

function keyPath(key: string): string {
  return `v1/keys/${encodeURIComponent(key)}`;
}

function toApiError(response: Response, json: unknown): EnvelopeApiError {
  // Anything but the contract's error shape (a proxy's page, say) is the service failing.
  const error = (json as Partial<ErrorBody> | undefined)?.error;
  const retryAfter = response.headers.get('retry-after');
  return new EnvelopeApiError(
    response.status,
    error?.code ?? 'InternalError',
    error?.message ?? response.statusText,
    retryAfter === null ? undefined : Number(retryAfter),
  );
}
