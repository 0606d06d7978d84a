import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { startInProcessRuntime } from '../support/in-process-runtime.js';
import { clientFor, failure, kmsClientFor, principal } from '../support/principals.js';

/** One item of a batch answer, as the tests read it. */
type BatchAnswer = { readonly ciphertext?: string; readonly plaintext?: string; readonly reference?: string; readonly error?: { code: string } };

/** The warm path through the real gateway and handlers, with the emulators counting the cost. */
const MAX_AGE_SECONDS = 2;
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startInProcessRuntime({ ENVELOPE_CACHE_MAX_AGE_SECONDS: String(MAX_AGE_SECONDS) });
});
afterAll(async () => runtime?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const writes = () =>
  ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'].reduce((sum, op) => sum + (runtime.calls.dynamoDb[op] ?? 0), 0);
const reads = () => (runtime.calls.dynamoDb.GetItem ?? 0) + (runtime.calls.dynamoDb.BatchGetItem ?? 0) + (runtime.calls.dynamoDb.Query ?? 0);

describe('data-key cache', () => {
  it('makes one KMS call and one DynamoDB read for 50 concurrent cold encrypts and 200 warm ones', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    await sleep(MAX_AGE_SECONDS * 1000);
    runtime.resetCalls();
    const cold = await Promise.all(Array.from({ length: 50 }, (_, i) => owner.encrypt(keyId, `cold ${i}`)));
    const warm = [];
    for (let i = 0; i < 200; i++) warm.push(await owner.encrypt(keyId, `warm ${i}`));
    expect(runtime.calls.kms).toEqual({ Decrypt: 1 });
    expect(reads()).toBe(1);
    // Nonce safety needs no coordination: an encrypt writes nothing.
    expect(writes()).toBe(0);
    for (const { ciphertext } of [...cold, ...warm]) expect(ciphertext).toMatch(/^ev2\.[A-Za-z0-9_-]+$/);
  });

  it('decrypts 100 distinct ciphertexts repeatedly with one unwrap', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    const sealed = await Promise.all(Array.from({ length: 100 }, (_, i) => owner.encrypt(keyId, `message ${i}`)));
    await sleep(MAX_AGE_SECONDS * 1000);
    runtime.resetCalls();
    for (let round = 0; round < 3; round++) {
      for (const [i, { ciphertext }] of sealed.entries()) expect((await owner.decrypt(ciphertext)).plaintext.toString()).toBe(`message ${i}`);
    }
    expect(runtime.calls.kms).toEqual({ Decrypt: 1 });
    expect(reads()).toBe(1);
  });

  it('notices a disabled master key within the max age', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    const { ciphertext } = await owner.encrypt(keyId, 'x');
    const kms = kmsClientFor(runtime.kmsUrl);
    await kms.send(new DisableKeyCommand({ KeyId: runtime.masterKeyArn }));
    try {
      await sleep(MAX_AGE_SECONDS * 1000 + 100);
      expect(await failure(owner.decrypt(ciphertext))).toMatchObject({ status: 409, code: 'MasterKeyDisabled' });
    } finally {
      await kms.send(new EnableKeyCommand({ KeyId: runtime.masterKeyArn }));
    }
  });

  it('applies a revoked grant within the max age, and a new grant at once', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const teammate = clientFor(runtime.apiUrl, 'teammate');
    const { keyId } = await owner.createKey();
    const { ciphertext } = await owner.encrypt(keyId, 'shared');
    expect(await failure(teammate.decrypt(ciphertext))).toMatchObject({ code: 'AccessDenied' });
    await owner.putKeyPolicy(keyId, { admins: [principal('owner').arn], users: [principal('owner').arn, principal('teammate').arn] });
    // A cached refusal is checked again against a fresh read: the grant works at once.
    expect((await teammate.decrypt(ciphertext)).plaintext.toString()).toBe('shared');
    await owner.putKeyPolicy(keyId, { admins: [principal('owner').arn], users: [principal('owner').arn] });
    await sleep(MAX_AGE_SECONDS * 1000 + 100);
    expect(await failure(teammate.decrypt(ciphertext))).toMatchObject({ code: 'AccessDenied' });
  });

  it('applies a disabled data key within the max age', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    await owner.encrypt(keyId, 'x');
    await owner.disableKey(keyId);
    await sleep(MAX_AGE_SECONDS * 1000 + 100);
    expect(await failure(owner.encrypt(keyId, 'x'))).toMatchObject({ status: 409, code: 'KeyDisabled' });
  });
});

describe('batches over HTTP', () => {
  it('encrypts, decrypts and rewraps items in order, each failing alone, echoing references', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    const encrypted = await owner.request<{ items: BatchAnswer[] }>('POST', 'v1/encrypt', {
      keyId,
      items: [
        { plaintext: Buffer.from('one').toString('base64'), reference: 'a' },
        { plaintext: 'not base64!', reference: 'b' },
        { plaintext: Buffer.from('three').toString('base64'), context: { t: '3' } },
      ],
    });
    expect(encrypted.items).toMatchObject([
      { reference: 'a', keyId, keyVersion: 1, ciphertext: expect.stringMatching(/^ev2\./) },
      { reference: 'b', error: { code: 'ValidationError' } },
      { keyId, ciphertext: expect.stringMatching(/^ev2\./) },
    ]);
    const decrypted = await owner.request<{ items: BatchAnswer[] }>('POST', 'v1/decrypt', {
      items: [
        { ciphertext: encrypted.items[2]!.ciphertext, context: { t: '3' }, reference: 'x' },
        { ciphertext: encrypted.items[2]!.ciphertext, reference: 'wrong context' },
        { ciphertext: 'garbage' },
        { ciphertext: encrypted.items[0]!.ciphertext },
      ],
    });
    expect(decrypted.items).toMatchObject([
      { reference: 'x', plaintext: Buffer.from('three').toString('base64') },
      { reference: 'wrong context', error: { code: 'InvalidCiphertext' } },
      { error: { code: 'InvalidCiphertext' } },
      { plaintext: Buffer.from('one').toString('base64') },
    ]);
    await owner.rotateKey(keyId);
    // Warm functions pick the new version up within the cache's max age.
    await sleep(MAX_AGE_SECONDS * 1000 + 100);
    const rewrapped = await owner.request<{ items: BatchAnswer[] }>('POST', 'v1/rewrap', { items: [{ ciphertext: encrypted.items[0]!.ciphertext }] });
    expect(rewrapped.items).toMatchObject([{ keyId, keyVersion: 2 }]);
  });

  it('looks each key up once per batch, cold: one record read and one unwrap per key version, one message key for a batch', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const [a, b] = [await owner.createKey(), await owner.createKey()];
    const encryptBatch = (keyId: string) =>
      owner.request<{ items: { ciphertext: string }[] }>('POST', 'v1/encrypt', {
        keyId,
        items: Array.from({ length: 100 }, (_, i) => ({ plaintext: Buffer.from(`item ${i}`).toString('base64') })),
      });
    await sleep(MAX_AGE_SECONDS * 1000);
    runtime.resetCalls();
    const sealed = await encryptBatch(a.keyId);
    expect(runtime.calls.kms).toEqual({ Decrypt: 1 });
    expect(reads()).toBe(1);
    // The salt (bytes 20..52 of the body) names the message key: the whole batch took one.
    const salts = sealed.items.map(({ ciphertext }) => Buffer.from(ciphertext.slice(4), 'base64url').subarray(20, 52).toString('hex'));
    expect(new Set(salts).size).toBe(1);
    const tokens = [...sealed.items, ...(await encryptBatch(b.keyId)).items].map(({ ciphertext }) => ({ ciphertext }));
    await sleep(MAX_AGE_SECONDS * 1000);
    runtime.resetCalls();
    const opened = await owner.request<{ items: BatchAnswer[] }>('POST', 'v1/decrypt', { items: tokens });
    expect(opened.items.filter((item) => item.plaintext !== undefined)).toHaveLength(200);
    expect(runtime.calls.kms).toEqual({ Decrypt: 2 });
    expect(reads()).toBe(2);
  });

  it('refuses more than 1,000 items or 4 MiB in all, and answers key-level errors for the whole batch', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    const item = { plaintext: 'AA==' };
    expect(await failure(owner.request('POST', 'v1/encrypt', { keyId, items: Array(1001).fill(item) }))).toMatchObject({
      status: 400,
      code: 'ValidationError',
    });
    expect(await failure(owner.request('POST', 'v1/encrypt', { keyId, items: [] }))).toMatchObject({ status: 400, code: 'ValidationError' });
    const big = { plaintext: Buffer.alloc(1024 * 1024 + 1).toString('base64') };
    expect(await failure(owner.request('POST', 'v1/encrypt', { keyId, items: [big, big, big, big] }))).toMatchObject({
      status: 413,
      code: 'PayloadTooLarge',
    });
    const outsider = clientFor(runtime.apiUrl, 'outsider');
    expect(await failure(outsider.request('POST', 'v1/encrypt', { keyId, items: [item] }))).toMatchObject({ status: 403, code: 'AccessDenied' });
    const full = await owner.request<{ items: unknown[] }>('POST', 'v1/encrypt', { keyId, items: Array(1000).fill(item) });
    expect(full.items).toHaveLength(1000);
  });

  it('refuses a decrypt or rewrap batch naming more than 20 distinct key versions, before any unwrap', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const keys = await Promise.all(Array.from({ length: 21 }, () => owner.createKey()));
    const ciphertexts = await Promise.all(keys.map(async ({ keyId }) => (await owner.encrypt(keyId, 'x')).ciphertext));
    await sleep(MAX_AGE_SECONDS * 1000);
    runtime.resetCalls();
    for (const route of ['v1/decrypt', 'v1/rewrap']) {
      const error = await failure(owner.request('POST', route, { items: ciphertexts.map((ciphertext) => ({ ciphertext })) }));
      expect(error).toMatchObject({ status: 400, code: 'ValidationError' });
      expect(error.message).toMatch(/at most 20 distinct key versions/);
    }
    expect(runtime.calls.kms).toEqual({});
    const twenty = await owner.request<{ items: { plaintext?: string }[] }>('POST', 'v1/decrypt', {
      items: ciphertexts.slice(1).map((ciphertext) => ({ ciphertext })),
    });
    expect(twenty.items.filter((i) => i.plaintext !== undefined)).toHaveLength(20);
  });
});

describe('with the cache off', () => {
  // A runtime of its own: the functions read their cache settings when they start.
  let uncached: LocalRuntime;
  beforeAll(async () => {
    uncached = await startInProcessRuntime({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' });
  });
  afterAll(async () => uncached?.close());

  it('encrypts writing nothing to DynamoDB: one read and one KMS unwrap per encrypt, ev2 tokens under a fresh salt each', async () => {
    const owner = clientFor(uncached.apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    uncached.resetCalls();
    const sealed = [];
    for (let i = 0; i < 20; i++) sealed.push(await owner.encrypt(keyId, `message ${i}`));
    const batch = await owner.request<{ items: { ciphertext: string }[] }>('POST', 'v1/encrypt', {
      keyId,
      items: Array(5).fill({ plaintext: 'AA==' }),
    });
    const counted = uncached.calls.dynamoDb;
    expect(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'].reduce((sum, op) => sum + (counted[op] ?? 0), 0)).toBe(0);
    expect(Object.keys(counted)).toEqual(['GetItem']);
    expect(uncached.calls.kms).toEqual({ Decrypt: 20 + 5 });
    const tokens = [...sealed.map((s) => s.ciphertext), ...batch.items.map((i) => i.ciphertext)];
    for (const token of tokens) expect(token).toMatch(/^ev2\.[A-Za-z0-9_-]+$/);
    // The salt (bytes 20..52 of the body) is drawn afresh for every uncached encrypt.
    const salts = tokens.map((token) => Buffer.from(token.slice(4), 'base64url').subarray(20, 52).toString('hex'));
    expect(new Set(salts).size).toBe(tokens.length);
    expect((await owner.decrypt(sealed[7]!.ciphertext)).plaintext.toString()).toBe('message 7');
  });
});
