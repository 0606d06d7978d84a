import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type {
  BatchItemResult,
  CreateKeyRequest,
  DataKeyValue,
  DependencyHealth,
  EncryptionContext,
  KeyMetadata,
  KeyPage,
  KeyPolicy,
  MasterKeyStatus,
  OpenedValue,
  RetireVersionsRequest,
  RotatedKey,
  SealedValue,
  Tags,
  CreateGrantRequest,
  Grant,
  GrantPage,
} from '../../../contract/index.js';
import type { Readable, Transform, Writable } from 'node:stream';
import type { DataKeys, DecryptResult, GeneratedDataKey } from './data-keys.js';
import { InvalidResponseError, toApiError } from './errors.js';
import { jsonBytes } from './json-bytes.js';
import {
  decryptFile,
  decryptingStream,
  encryptFile,
  encryptingStream,
  type DecryptStreamOptions,
  type EncryptStreamOptions,
  type FileOptions,
} from './files.js';
import { withRetries, type RetryPolicy } from './retry.js';
import { operation, type RequestLine, requestLine } from './routes.js';
import { type RewrapFileOptions, type RewrapFileResult, rewrapFile } from './rewrap-file.js';
import { type RewrapS3Options, type RewrapS3Result, rewrapS3Object, type S3Object } from './rewrap-s3.js';
import { type RewrapS3PrefixOptions, type RewrapS3PrefixReport, rewrapS3Prefix, type S3Prefix } from './rewrap-s3-prefix.js';
import { resolveTarget } from './target.js';
import { exchange as send } from './transport.js';
import { packageVersion } from './version.js';

/** node:crypto's SHA-256, the hash the AWS SDK for Node signs with (pure-JS SHA-256 is several times slower). */
const Sha256Hash = Hash.bind(null, 'sha256');

export interface EnvelopeClientOptions {
  /** The API's base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod`. @default process.env.ENVELOPE_API_URL */
  readonly endpoint?: string;
  /** @default process.env.AWS_REGION, else process.env.AWS_DEFAULT_REGION */
  readonly region?: string;
  /** @default the AWS SDK's default credential provider chain */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Retries on 429 and 503. */
  readonly retry?: RetryPolicy;
  /** A product token appended to the client's own User-Agent (`envelope-client/<version>`), e.g. `my-app/1.2`. */
  readonly userAgent?: string;
  /**
   * Milliseconds added to the local clock when signing, as the AWS SDK's option of the same name:
   * where the server's clock is known to differ. Either way, a request the server refuses for its
   * signature's time is signed again, once, by the server's clock (its `Date`), and the client keeps
   * that offset, as the AWS SDKs correct clock skew. @default 0
   */
  readonly systemClockOffset?: number;
}

/** A successful answer: its status and its JSON body (undefined when it had none). */
export interface Answered<T> {
  readonly status: number;
  readonly body: T;
}

/** Per-request options: an `Idempotency-Key` makes a change safely retryable, on the routes the contract marks `idempotent`. */
export interface RequestOptions {
  /** @default on an idempotent route, a fresh key per call, reused by the client's own retries; elsewhere none */
  readonly idempotencyKey?: string;
}

export type SealedResult = SealedValue;

export interface PlaintextInput {
  readonly plaintext: Uint8Array | string;
  readonly context?: EncryptionContext;
  readonly reference?: string;
}

export interface CiphertextInput {
  readonly ciphertext: string;
  readonly context?: EncryptionContext;
  readonly reference?: string;
}

/** Typed client for the Envelope API, signing every request with SigV4 (service `execute-api`). */
export class EnvelopeClient implements DataKeys {
  private readonly signer: SignatureV4;
  readonly #credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Added to this machine's clock when signing: `systemClockOffset`, until a refusal for the signature's time corrects it. */
  #clockOffset: number;
  private readonly base: URL;
  private readonly userAgent: string;
  /** The API's base URL and the region requests are signed for, as resolved from the options and the environment. */
  readonly target: { readonly endpoint: string; readonly region: string };

  constructor(private readonly options: EnvelopeClientOptions = {}) {
    const { endpoint, region } = resolveTarget(options);
    this.base = endpoint;
    this.target = { endpoint: endpoint.href.replace(/\/$/, ''), region };
    this.userAgent = [`envelope-client/${packageVersion()}`, options.userAgent].filter(Boolean).join(' ');
    this.#credentials = options.credentials ?? defaultProvider();
    this.#clockOffset = options.systemClockOffset ?? 0;
    this.signer = new SignatureV4({ credentials: this.#credentials, region, service: 'execute-api', sha256: Sha256Hash });
  }

  /**
   * The access key id requests are signed with, resolving the credentials as a call would: it
   * rejects as a call would when there are none. Never the secret.
   */
  async accessKeyId(): Promise<string> {
    const credentials = typeof this.#credentials === 'function' ? await this.#credentials() : this.#credentials;
    return credentials.accessKeyId;
  }

  /** Creates a key; a retry with the same `idempotencyKey` answers the first outcome instead of creating another. */
  createKey(input: CreateKeyRequest = {}, options: RequestOptions = {}): Promise<KeyMetadata> {
    return this.call(operation('createKey'), input, {}, options);
  }

  /** One page of your keys; `tag: 'team:payments'` lists only keys carrying that tag. */
  listKeys(input: { limit?: number; nextToken?: string; tag?: string } = {}): Promise<KeyPage> {
    const query: Record<string, string> = {};
    if (input.limit !== undefined) query.limit = String(input.limit);
    if (input.nextToken !== undefined) query.nextToken = input.nextToken;
    if (input.tag !== undefined) query.tag = input.tag;
    return this.call<KeyPage>(operation('listKeys'), undefined, query).then((page) => listOf(page, 'keys'));
  }

  getKey(key: string): Promise<KeyMetadata> {
    return this.call(operation('getKey', { key }));
  }

  /** Replaces a key's policy; one that leaves you without admin rights needs `bypassLockoutSafetyCheck`. */
  putKeyPolicy(key: string, policy: KeyPolicy, options: { bypassLockoutSafetyCheck?: boolean } = {}): Promise<KeyMetadata> {
    return this.call(operation('putKeyPolicy', { key }), { ...policy, ...options });
  }

  /** Replaces the key's tags (admins). */
  putKeyTags(key: string, tags: Tags): Promise<KeyMetadata> {
    return this.call(operation('putKeyTags', { key }), { tags });
  }

  /** Delegates some uses of a key to one principal, for a while, without touching its policy (admins). */
  createGrant(key: string, grant: CreateGrantRequest): Promise<Grant> {
    return this.call(operation('createGrant', { key }), grant);
  }

  listGrants(key: string, input: { limit?: number; nextToken?: string } = {}): Promise<GrantPage> {
    const query: Record<string, string> = {};
    if (input.limit !== undefined) query.limit = String(input.limit);
    if (input.nextToken !== undefined) query.nextToken = input.nextToken;
    return this.call<GrantPage>(operation('listGrants', { key }), undefined, query).then((page) => listOf(page, 'grants'));
  }

  /** Ends a grant (admins). */
  async revokeGrant(key: string, grantId: string): Promise<void> {
    await this.call(operation('revokeGrant', { key, grantId }));
  }

  /** Gives up a grant you hold. */
  async retireGrant(grantId: string): Promise<void> {
    await this.call(operation('retireGrant', { grantId }));
  }

  /** Adds a version; `createdVersion` is the one this call added, `currentVersion` the newest. */
  rotateKey(key: string): Promise<RotatedKey> {
    return this.call(operation('rotateKey', { key }));
  }

  disableKey(key: string): Promise<KeyMetadata> {
    return this.call(operation('disableKey', { key }));
  }

  enableKey(key: string): Promise<KeyMetadata> {
    return this.call(operation('enableKey', { key }));
  }

  /** Schedules the key's deletion after `pendingWindowInDays` (7 to 30; the API's default 30); unusable meanwhile (admins). */
  scheduleKeyDeletion(key: string, pendingWindowInDays?: number): Promise<KeyMetadata> {
    return this.call(operation('scheduleKeyDeletion', { key }), pendingWindowInDays === undefined ? {} : { pendingWindowInDays });
  }

  /** Cancels a scheduled deletion: the key comes back `Disabled` (admins). */
  cancelKeyDeletion(key: string): Promise<KeyMetadata> {
    return this.call(operation('cancelKeyDeletion', { key }));
  }

  /**
   * Sets the key's `minDecryptionVersion`: versions below it are retired (their ciphertexts answer
   * `KeyVersionRetired`), those at or above it enabled again; at most the current version, and above
   * any destroyed or pending-destruction version (admins).
   */
  retireKeyVersions(key: string, minDecryptionVersion: number): Promise<KeyMetadata> {
    return this.call(operation('retireKeyVersions', { key }), { minDecryptionVersion } satisfies RetireVersionsRequest);
  }

  /**
   * Schedules the destruction of every retired version not destroyed yet, after `pendingWindowInDays`
   * (7 to 30; the API's default 30): then their ciphertexts can never be decrypted again (admins).
   */
  scheduleKeyVersionDestruction(key: string, pendingWindowInDays?: number): Promise<KeyMetadata> {
    return this.call(operation('scheduleKeyVersionDestruction', { key }), pendingWindowInDays === undefined ? {} : { pendingWindowInDays });
  }

  /** Cancels a scheduled destruction of versions: they are `Retired` again (admins). */
  cancelKeyVersionDestruction(key: string): Promise<KeyMetadata> {
    return this.call(operation('cancelKeyVersionDestruction', { key }));
  }

  encrypt(keyId: string, plaintext: Uint8Array | string, context?: EncryptionContext): Promise<SealedResult> {
    return this.call(operation('encrypt'), { keyId, plaintext: base64(plaintext), context });
  }

  async decrypt(ciphertext: string, context?: EncryptionContext): Promise<DecryptResult> {
    return opened(await this.call<OpenedValue>(operation('decrypt'), { ciphertext, context }));
  }

  rewrap(ciphertext: string, context?: EncryptionContext): Promise<SealedResult> {
    return this.call(operation('rewrap'), { ciphertext, context });
  }

  /** Encrypts up to 1,000 items under one key; each succeeds or fails alone, in order. */
  async encryptMany(keyId: string, items: readonly PlaintextInput[]): Promise<BatchItemResult<SealedResult>[]> {
    const body = { keyId, items: items.map(({ plaintext, ...rest }) => ({ ...rest, plaintext: base64(plaintext) })) };
    return listOf(await this.call<{ items: BatchItemResult<SealedResult>[] }>(operation('encrypt'), body), 'items').items;
  }

  async decryptMany(items: readonly CiphertextInput[]): Promise<BatchItemResult<DecryptResult>[]> {
    const out = listOf(await this.call<{ items: BatchItemResult<OpenedValue>[] }>(operation('decrypt'), { items }), 'items');
    return out.items.map((item) => ('plaintext' in item ? { ...item, ...opened(item) } : item));
  }

  async rewrapMany(items: readonly CiphertextInput[]): Promise<BatchItemResult<SealedResult>[]> {
    return listOf(await this.call<{ items: BatchItemResult<SealedResult>[] }>(operation('rewrap'), { items }), 'items').items;
  }

  /** A fresh data key for client-side encryption: its plaintext (unless `withoutPlaintext`) and its sealed form. */
  async generateDataKey(keyId: string, context?: EncryptionContext, options: { withoutPlaintext?: boolean } = {}): Promise<GeneratedDataKey> {
    const out = await this.call<DataKeyValue>(operation('generateDataKey'), { keyId, context, ...options });
    if (!isObject(out) || typeof out.encryptedKey !== 'string' || !(out.plaintextKey === undefined || typeof out.plaintextKey === 'string')) {
      throw new InvalidResponseError('no encryptedKey');
    }
    return { ...out, plaintextKey: out.plaintextKey === undefined ? undefined : Buffer.from(out.plaintextKey, 'base64') };
  }

  /** A Transform that encrypts into the file format under a fresh data key (one API call). */
  encryptStream(options: EncryptStreamOptions): Promise<Transform> {
    return encryptingStream(this, options);
  }

  /** A Transform that decrypts the file format (one API call, for the data key). */
  decryptStream(options: DecryptStreamOptions = {}): Transform {
    return decryptingStream(this, options);
  }

  /** Encrypts a file or stream of any size; a file output appears only once complete. */
  encryptFile(input: string | Readable, output: string | Writable, options: EncryptStreamOptions & FileOptions): Promise<void> {
    return encryptFile(this, input, output, options);
  }

  /** Decrypts a file or stream; a file output appears only once every frame has verified. */
  decryptFile(input: string | Readable, output: string | Writable, options: DecryptStreamOptions & FileOptions = {}): Promise<void> {
    return decryptFile(this, input, output, options);
  }

  /**
   * Moves an encrypted file to its key's current version by its header alone (two API calls, the
   * body copied unchanged); in place unless `output` is given. A file already at the current version
   * is left as it is. See docs/file-format.md.
   */
  rewrapFile(input: string, output?: string, options: RewrapFileOptions = {}): Promise<RewrapFileResult> {
    return rewrapFile(this, input, output, options);
  }

  /**
   * `rewrapFile` for an S3 object, in place: the body's parts are copied by S3 itself
   * (`UploadPartCopy`), so a few MiB cross the network whatever the size. `s3` is yours to configure.
   */
  rewrapS3Object(s3: S3Client, object: S3Object, options: RewrapS3Options = {}): Promise<RewrapS3Result> {
    return rewrapS3Object(this, s3, object, options);
  }

  /**
   * `rewrapS3Object` for every object under a prefix, a few at a time, with a checkpoint file to
   * resume from; objects at the current version already are skipped. Reports each outcome.
   */
  rewrapS3Prefix(s3: S3Client, prefix: S3Prefix, options: RewrapS3PrefixOptions = {}): Promise<RewrapS3PrefixReport> {
    return rewrapS3Prefix(this, s3, prefix, options);
  }

  masterKey(): Promise<MasterKeyStatus> {
    return this.call(operation('getMasterKeyStatus'));
  }

  /**
   * The service's dependencies, checked now (operators): the report whether they are all ok (200)
   * or one is not (503, with the same report). Never retried: a retry would hide a failing check.
   */
  async dependencyHealth(): Promise<DependencyHealth> {
    const { method, path } = operation('checkDependencies');
    const { status, headers, json } = await this.exchange(method, path, undefined, {}, undefined);
    if (status === 200 || (status === 503 && isReport(json))) return json as DependencyHealth;
    throw toApiError(status, headers, json);
  }

  /**
   * Sends a signed request to any path (relative to the endpoint), retried on 429 and 503; resolves
   * with the JSON body or throws `EnvelopeApiError`. A route the contract marks `idempotent` carries
   * one `Idempotency-Key` across the retries, so that a retry never does the work twice.
   */
  request<T>(method: string, path: string, body?: unknown, query: Record<string, string> = {}, options: RequestOptions = {}): Promise<T> {
    return this.call(requestLine(method, path), body, query, options);
  }

  /**
   * As `request`, resolving with the answer's status (200, 201 or 204) beside its JSON body: for a
   * caller that relays answers, as the console's server does.
   */
  respond<T>(method: string, path: string, body?: unknown, query: Record<string, string> = {}, options: RequestOptions = {}): Promise<Answered<T>> {
    return this.answered(requestLine(method, path), body, query, options);
  }

  private async call<T>(line: RequestLine, body?: unknown, query: Record<string, string> = {}, options: RequestOptions = {}): Promise<T> {
    return (await this.answered<T>(line, body, query, options)).body;
  }

  private answered<T>(line: RequestLine, body: unknown, query: Record<string, string>, options: RequestOptions): Promise<Answered<T>> {
    const idempotencyKey = options.idempotencyKey ?? (line.idempotent ? randomUUID() : undefined);
    return withRetries(() => this.send<T>(line.method, line.path, body, query, idempotencyKey), this.options.retry);
  }

  private async send<T>(
    method: string,
    path: string,
    body: unknown,
    query: Record<string, string>,
    idempotencyKey: string | undefined,
  ): Promise<Answered<T>> {
    let answer = await this.exchange(method, path, body, query, idempotencyKey);
    const skew = clockSkewOf(answer);
    if (skew !== undefined) {
      // As the AWS SDKs correct clock skew: the server's Date says how far off this clock is; signed again, once.
      this.#clockOffset = skew;
      answer = await this.exchange(method, path, body, query, idempotencyKey);
    }
    const { status, headers, json } = answer;
    if (status < 200 || status > 299) throw toApiError(status, headers, json);
    return { status, body: json as T };
  }

  /** One signed request and its answer, whatever its status. */
  private async exchange(
    method: string,
    path: string,
    body: unknown,
    query: Record<string, string>,
    idempotencyKey: string | undefined,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; json: unknown }> {
    const url = new URL(path, this.base);
    // Encoded once, for the signature's hash and the wire.
    const payload = body === undefined ? undefined : jsonBytes(body);
    const signed = await this.signer.sign(
      {
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
          ...(idempotencyKey !== undefined && { 'idempotency-key': idempotencyKey }),
          'user-agent': this.userAgent,
        },
        body: payload,
      },
      { ...SIGNED_USER_AGENT, signingDate: new Date(Date.now() + this.#clockOffset) },
    );
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const { status, headers, text } = await send(url, method, signed.headers, payload);
    return { status, headers, json: text ? parseJson(text) : undefined };
  }
}

/** SigV4 leaves User-Agent unsigned by default; it is signed here, so that what audit records show is what the caller sent. */
const SIGNED_USER_AGENT = { signableHeaders: new Set(['user-agent']) };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** An answer that must hold a list under `field` (a page, a batch): checked before anything iterates it. */
function listOf<T, K extends keyof T & string>(value: T, field: K): T {
  if (!isObject(value) || !Array.isArray(value[field])) throw new InvalidResponseError(`no "${field}" list`);
  return value;
}

/**
 * How far this clock is from the server's, when the server refused the signature for its time
 * (API Gateway: `Signature expired: …` or `Signature not yet current: …`, 403) and said its own in
 * `Date`; undefined otherwise.
 */
function clockSkewOf({ status, headers, json }: { status: number; headers: IncomingHttpHeaders; json: unknown }): number | undefined {
  if (status !== 403 || !isObject(json) || !isObject(json.error) || typeof json.error.message !== 'string') return undefined;
  if (!/^Signature (expired|not yet current)\b/.test(json.error.message)) return undefined;
  const server = Date.parse(headers.date ?? '');
  return Number.isNaN(server) ? undefined : server - Date.now();
}

/** A dependency report rather than an error body (a 503 answers either). */
const isReport = (value: unknown): boolean => isObject(value) && typeof value.status === 'string' && isObject(value.dependencies);

const base64 = (value: Uint8Array | string): string => Buffer.from(value).toString('base64');
function opened(value: OpenedValue): DecryptResult {
  if (!isObject(value) || typeof value.plaintext !== 'string') throw new InvalidResponseError('no plaintext');
  return { ...value, plaintext: Buffer.from(value.plaintext, 'base64') };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
