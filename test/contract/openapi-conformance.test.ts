import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, MAX_PLAINTEXT_BYTES, MAX_REQUEST_BYTES, type RouteName } from '../../contract/index.js';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process.js';
import { principal, type PrincipalName, signedHeaders } from '../support/principals.js';
import { committedDocument, nonConformities } from './openapi-validator.js';

// Real requests through the local runtime (gateway, SigV4, IAM, the handlers), each answer checked
// against the committed document's schema for its route and status.

interface Exchange {
  readonly as?: PrincipalName | 'anonymous';
  /** The `{key}` path parameter. */
  readonly key?: string;
  /** Other path parameters, by name. */
  readonly params?: Record<string, string>;
  readonly body?: unknown;
  /** Sent as is, for bodies that are not JSON objects. */
  readonly rawBody?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
}

interface Answer {
  readonly status: number;
  /** Undefined when the answer has no body (204). */
  readonly body: Record<string, unknown>;
}

let runtime: RuntimeProcess;
/** `METHOD /resource status` of every answer checked. */
const checked = new Set<string>();

beforeAll(async () => {
  runtime = await startRuntimeProcess({ env: { ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' } });
});
afterAll(async () => runtime?.stop());

async function send(method: string, url: URL, { as = 'owner', body, rawBody, headers = {} }: Exchange): Promise<Response> {
  const payload = rawBody ?? (body === undefined ? undefined : JSON.stringify(body));
  const unsigned = { 'content-type': 'application/json', ...headers };
  if (as === 'anonymous') return fetch(url, { method, headers: unsigned, body: payload });
  return fetch(url, { method, headers: await signedHeaders(as, method, url, { headers: unsigned, body: payload }), body: payload });
}

/** Sends a request to a route, checks the answer against the document, and returns it. */
async function call(route: RouteName, exchange: Exchange = {}): Promise<Answer> {
  const [method, resource] = route.split(' ') as [string, string];
  const params: Record<string, string | undefined> = { key: exchange.key, ...exchange.params };
  const url = new URL(
    resource.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? '')),
    runtime.apiUrl,
  );
  for (const [name, value] of Object.entries(exchange.query ?? {})) url.searchParams.set(name, value);
  const response = await send(method, url, exchange);
  const text = await response.text();
  const answer = { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as Record<string, unknown> };
  expect(nonConformities(method, resource, answer.status, answer.body), `${route} ${answer.status} ${JSON.stringify(answer.body)}`).toEqual([]);
  checked.add(`${route} ${answer.status}`);
  return answer;
}

/** Sends a request that must answer `status` (with `code`, for an error), conforming to the document. */
async function expectAnswer(route: RouteName, status: number, exchange: Exchange = {}, code?: string): Promise<Record<string, unknown>> {
  const answer = await call(route, exchange);
  expect(answer.status, `${route}: ${JSON.stringify(answer.body)}`).toBe(status);
  if (code) expect(answer.body).toMatchObject({ error: { code } });
  return answer.body;
}

const base64 = (text: string) => Buffer.from(text).toString('base64');
const UNKNOWN_KEY = '00000000-0000-4000-8000-000000000000';

async function createKey(body: object = {}): Promise<string> {
  return (await expectAnswer('POST /v1/keys', 201, { body })).keyId as string;
}

describe('public routes', () => {
  it('answer unsigned: health, and the document itself as committed', async () => {
    await expectAnswer('GET /v1/health', 200, { as: 'anonymous' });
    expect(await expectAnswer('GET /v1/openapi.json', 200, { as: 'anonymous' })).toEqual(committedDocument);
  });
});

describe('key management', () => {
  it('creates, lists and describes keys; refuses a taken alias, a bad one and an unknown key', async () => {
    const keyId = await createKey({ alias: 'conformance', description: 'd', tags: { team: 'a' } });
    await expectAnswer('POST /v1/keys', 201, { headers: { 'Idempotency-Key': 'conformance-1' } });
    await expectAnswer('POST /v1/keys', 409, { as: 'teammate', body: { alias: 'conformance' } }, 'AlreadyExists');
    await expectAnswer('POST /v1/keys', 400, { body: { alias: 'bad alias!' } }, 'ValidationError');
    await expectAnswer('POST /v1/keys', 400, { headers: { 'Idempotency-Key': 'not valid!' } }, 'ValidationError');
    await expectAnswer('GET /v1/keys', 200, { query: { limit: '1' } });
    await expectAnswer('GET /v1/keys', 400, { query: { limit: '0' } }, 'ValidationError');
    await expectAnswer('GET /v1/keys/{key}', 200, { key: keyId });
    await expectAnswer('GET /v1/keys/{key}', 200, { key: 'alias/conformance' });
    await expectAnswer('GET /v1/keys/{key}', 404, { key: UNKNOWN_KEY }, 'KeyNotFound');
    await expectAnswer('GET /v1/keys/{key}', 403, { key: keyId, as: 'teammate' }, 'AccessDenied');
  });

  it('refuses unsigned requests and callers without the caller policies at the gateway', async () => {
    await expectAnswer('GET /v1/keys', 403, { as: 'anonymous' }, 'AccessDenied');
    await expectAnswer('GET /v1/master-key', 403, { as: 'stranger' }, 'AccessDenied');
  });

  it('replaces policy and tags; lists what a user sees', async () => {
    const keyId = await createKey();
    const policy = { admins: [principal('owner').arn], users: [principal('owner').arn, principal('teammate').arn] };
    await expectAnswer('PUT /v1/keys/{key}/policy', 200, { key: keyId, body: policy });
    await expectAnswer('PUT /v1/keys/{key}/policy', 400, { key: keyId, body: { admins: [], users: [] } }, 'ValidationError');
    await expectAnswer('PUT /v1/keys/{key}/tags', 200, { key: keyId, body: { tags: { team: 'b' } } });
    await expectAnswer('PUT /v1/keys/{key}/tags', 400, { key: keyId, body: { tags: { 'aws:x': 'y' } } }, 'ValidationError');
    const { keys } = await expectAnswer('GET /v1/keys', 200, { as: 'teammate' });
    expect(keys).toContainEqual({ keyId, alias: null, state: 'Enabled', currentVersion: 1 });
  });

  it('rotates, disables, enables, schedules and cancels deletion, and refuses what a state forbids', async () => {
    const keyId = await createKey();
    expect(await expectAnswer('POST /v1/keys/{key}/rotate', 200, { key: keyId })).toMatchObject({ createdVersion: 2 });
    await expectAnswer('POST /v1/keys/{key}/disable', 200, { key: keyId });
    await expectAnswer('POST /v1/keys/{key}/rotate', 409, { key: keyId }, 'KeyDisabled');
    await expectAnswer('POST /v1/keys/{key}/enable', 200, { key: keyId, headers: { 'Idempotency-Key': 'conformance-enable' } });
    await expectAnswer('POST /v1/keys/{key}/cancel-deletion', 409, { key: keyId }, 'InvalidKeyState');
    await expectAnswer('POST /v1/keys/{key}/schedule-deletion', 400, { key: keyId, body: { pendingWindowInDays: 1 } }, 'ValidationError');
    await expectAnswer('POST /v1/keys/{key}/schedule-deletion', 200, { key: keyId, body: { pendingWindowInDays: 7 } });
    await expectAnswer('POST /v1/keys/{key}/disable', 409, { key: keyId }, 'KeyPendingDeletion');
    await expectAnswer('POST /v1/keys/{key}/enable', 409, { key: keyId }, 'KeyPendingDeletion');
    await expectAnswer('POST /v1/keys/{key}/schedule-deletion', 409, { key: keyId }, 'KeyPendingDeletion');
    await expectAnswer('POST /v1/keys/{key}/cancel-deletion', 200, { key: keyId });
  });
});

describe('key versions', () => {
  it('retires, schedules and cancels destruction, and refuses what a state forbids; a retired version answers KeyVersionRetired', async () => {
    const keyId = await createKey();
    const { ciphertext } = await expectAnswer('POST /v1/encrypt', 200, { body: { keyId, plaintext: base64('v1') } });
    await expectAnswer('POST /v1/keys/{key}/rotate', 200, { key: keyId });
    await expectAnswer('POST /v1/keys/{key}/schedule-version-destruction', 409, { key: keyId }, 'InvalidKeyState');
    await expectAnswer('POST /v1/keys/{key}/cancel-version-destruction', 409, { key: keyId }, 'InvalidKeyState');
    await expectAnswer('PUT /v1/keys/{key}/min-decryption-version', 400, { key: keyId, body: { minDecryptionVersion: 0 } }, 'ValidationError');
    await expectAnswer('PUT /v1/keys/{key}/min-decryption-version', 409, { key: keyId, body: { minDecryptionVersion: 3 } }, 'InvalidKeyState');
    await expectAnswer('PUT /v1/keys/{key}/min-decryption-version', 200, { key: keyId, body: { minDecryptionVersion: 2 } });
    await expectAnswer('POST /v1/decrypt', 409, { body: { ciphertext } }, 'KeyVersionRetired');
    await expectAnswer('POST /v1/rewrap', 409, { body: { ciphertext } }, 'KeyVersionRetired');
    await expectAnswer('POST /v1/keys/{key}/schedule-version-destruction', 200, { key: keyId, body: { pendingWindowInDays: 7 } });
    await expectAnswer('POST /v1/keys/{key}/cancel-version-destruction', 200, { key: keyId });
  });
});

describe('grants', () => {
  it('creates, lists, revokes and retires grants; the grantee lists its own', async () => {
    const keyId = await createKey();
    const grantee = principal('teammate').arn;
    const grant = await expectAnswer('POST /v1/keys/{key}/grants', 201, {
      key: keyId,
      body: { grantee, operations: ['encrypt'], constraints: { contextSubset: { a: 'b' } } },
    });
    const other = await expectAnswer('POST /v1/keys/{key}/grants', 201, { key: keyId, body: { grantee, operations: ['decrypt'], name: 'job' } });
    await expectAnswer('POST /v1/keys/{key}/grants', 400, { key: keyId, body: { grantee, operations: [] } }, 'ValidationError');
    await expectAnswer('GET /v1/keys/{key}/grants', 200, { key: keyId, query: { limit: '1' } });
    await expectAnswer('GET /v1/keys/{key}/grants', 403, { key: keyId, as: 'teammate' }, 'AccessDenied');
    const { keys } = await expectAnswer('GET /v1/keys', 200, { as: 'teammate' });
    expect(keys).toContainEqual(expect.objectContaining({ keyId, grants: expect.any(Array) }));
    await expectAnswer('DELETE /v1/keys/{key}/grants/{grantId}', 204, { key: keyId, params: { grantId: grant.grantId as string } });
    await expectAnswer('DELETE /v1/keys/{key}/grants/{grantId}', 404, { key: keyId, params: { grantId: grant.grantId as string } }, 'GrantNotFound');
    await expectAnswer('POST /v1/grants/{grantId}/retire', 403, { as: 'outsider', params: { grantId: other.grantId as string } }, 'AccessDenied');
    await expectAnswer('POST /v1/grants/{grantId}/retire', 204, { as: 'teammate', params: { grantId: other.grantId as string } });
  });
});

describe('cryptography', () => {
  it('encrypts, decrypts and rewraps one value and batches, with per-item errors', async () => {
    const keyId = await createKey();
    const { ciphertext } = await expectAnswer('POST /v1/encrypt', 200, { body: { keyId, plaintext: base64('one'), context: { a: 'b' } } });
    const batch = {
      keyId,
      items: [
        { plaintext: base64('two'), reference: 'r1' },
        { plaintext: 'not base64!', reference: 'r2' },
      ],
    };
    const { items } = await expectAnswer('POST /v1/encrypt', 200, { body: batch });
    expect(items).toMatchObject([{ reference: 'r1' }, { reference: 'r2', error: { code: 'ValidationError' } }]);
    const sealed = (items as { ciphertext: string }[])[0]!.ciphertext;

    await expectAnswer('POST /v1/decrypt', 200, { body: { ciphertext, context: { a: 'b' } } });
    await expectAnswer('POST /v1/decrypt', 200, { body: { items: [{ ciphertext: sealed, reference: 'r' }, { ciphertext }] } });
    await expectAnswer('POST /v1/decrypt', 400, { body: { ciphertext, context: { a: 'c' } } }, 'InvalidCiphertext');
    await expectAnswer('POST /v1/rewrap', 200, { body: { ciphertext: sealed } });
    await expectAnswer('POST /v1/rewrap', 200, { body: { items: [{ ciphertext: sealed }, { ciphertext: 'ev2.nope' }] } });
    await expectAnswer('POST /v1/rewrap', 403, { as: 'teammate', body: { ciphertext: sealed } }, 'AccessDenied');
  });

  it('refuses unknown and disabled keys, malformed bodies and oversized plaintexts', async () => {
    const keyId = await createKey();
    await expectAnswer('POST /v1/encrypt', 404, { body: { keyId: UNKNOWN_KEY, plaintext: base64('x') } }, 'KeyNotFound');
    await expectAnswer('POST /v1/encrypt', 400, { rawBody: '{"keyId":' }, 'ValidationError');
    await expectAnswer('POST /v1/encrypt', 413, { body: { keyId, plaintext: base64('x'.repeat(MAX_PLAINTEXT_BYTES + 1)) } }, 'PayloadTooLarge');
    // The gateway's own limit, before it looks at a signature.
    await expectAnswer('POST /v1/encrypt', 413, { as: 'anonymous', rawBody: 'x'.repeat(MAX_REQUEST_BYTES + 1) }, 'PayloadTooLarge');
    await expectAnswer('POST /v1/keys/{key}/disable', 200, { key: keyId });
    await expectAnswer('POST /v1/encrypt', 409, { body: { keyId, plaintext: base64('x') } }, 'KeyDisabled');
    await expectAnswer('POST /v1/data-keys', 409, { body: { keyId } }, 'KeyDisabled');
  });

  it('generates data keys with and without their plaintext', async () => {
    const keyId = await createKey();
    expect(await expectAnswer('POST /v1/data-keys', 200, { body: { keyId, keySpec: 'AES_256' } })).toHaveProperty('plaintextKey');
    expect(await expectAnswer('POST /v1/data-keys', 200, { body: { keyId, withoutPlaintext: true } })).not.toHaveProperty('plaintextKey');
    await expectAnswer('POST /v1/data-keys', 400, { body: { keyId, keySpec: 'AES_128' } }, 'ValidationError');
  });
});

describe('operators', () => {
  it("answer the master key's status", async () => {
    await expectAnswer('GET /v1/master-key', 200);
  });

  it('check the dependencies, and are the only ones who may', async () => {
    expect(await expectAnswer('GET /v1/health/dependencies', 200)).toMatchObject({ status: 'ok' });
    await expectAnswer('GET /v1/health/dependencies', 403, { as: 'stranger' }, 'AccessDenied');
    await expectAnswer('GET /v1/health/dependencies', 403, { as: 'anonymous' }, 'AccessDenied');
  });
});

describe('coverage', () => {
  it('checked a success of every route in the contract', () => {
    const unchecked = API_ROUTES.map((route) => `${route.method} ${route.resource}`).filter(
      (route) => ![...checked].some((answer) => answer.startsWith(`${route} 2`)),
    );
    expect(unchecked).toEqual([]);
  });
});
