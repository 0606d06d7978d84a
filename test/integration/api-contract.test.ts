import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ScheduleKeyDeletionCommand, CancelKeyDeletionCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_ERRORS } from '../../contract/index.js';
import { LOCAL_TABLE_NAME } from '../../local/runtime.js';
import { EnvelopeClient } from '../../packages/client/src/index.js';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process.js';
import { clientFor, failure, kmsClientFor, principal, signedHeaders } from '../support/principals.js';

const run = promisify(execFile);

let runtime: RuntimeProcess;
let owner: EnvelopeClient;
let teammate: EnvelopeClient;

beforeAll(async () => {
  // Cache off: master-key state changes must show on the next call here.
  runtime = await startRuntimeProcess({ env: { ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' } });
  owner = clientFor(runtime.apiUrl, 'owner');
  teammate = clientFor(runtime.apiUrl, 'teammate');
});
afterAll(async () => runtime?.stop());

/** A request signed by the owner, for bodies the typed client never sends. */
async function raw(method: string, path: string, body?: string) {
  const url = new URL(path, runtime.apiUrl);
  const headers = await signedHeaders('owner', method, url, { headers: { 'content-type': 'application/json' }, body });
  const response = await fetch(url, { method, headers, body });
  return { status: response.status, json: (await response.json()) as { error?: { code: string; message: string } } };
}

async function expiresAtOf(keyId: string): Promise<number | null | undefined> {
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: runtime.dynamoDbUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
  );
  const { Item } = await db.send(new GetCommand({ TableName: LOCAL_TABLE_NAME, Key: { pk: `KEY#${keyId}`, sk: 'META' } }));
  return Item?.expiresAt as number | null | undefined;
}

describe('health', () => {
  it('answers without a signature', async () => {
    const response = await fetch(`${runtime.apiUrl}/v1/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});

describe('SigV4 authentication at the gateway', () => {
  it('refuses a missing signature, an unknown principal and a wrong secret with 403 AccessDenied', async () => {
    const unsigned = await fetch(`${runtime.apiUrl}/v1/keys`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ error: { code: 'AccessDenied' } });

    const stranger = new EnvelopeClient({
      endpoint: runtime.apiUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'whatever-whatever-whatever' },
    });
    expect(await failure(stranger.listKeys())).toMatchObject({ status: 403, code: 'AccessDenied' });

    const wrongSecret = new EnvelopeClient({
      endpoint: runtime.apiUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: principal('owner').accessKeyId, secretAccessKey: 'not-the-owner-secret-000000' },
    });
    expect(await failure(wrongSecret.listKeys())).toMatchObject({ status: 403, code: 'AccessDenied' });

    const wrongRegion = new EnvelopeClient({ endpoint: runtime.apiUrl, region: 'eu-west-1', credentials: principal('owner') });
    expect(await failure(wrongRegion.listKeys())).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('refuses a request whose body was changed after signing', async () => {
    const url = new URL('/v1/keys', runtime.apiUrl);
    const headers = await signedHeaders('owner', 'POST', url, { headers: { 'content-type': 'application/json' }, body: '{"description":"a"}' });
    const response = await fetch(url, { method: 'POST', headers, body: '{"description":"b"}' });
    expect(response.status).toBe(403);
  });

  it('signs every query parameter, __proto__ included: one added after signing is refused', async () => {
    const url = new URL('/v1/keys?limit=5', runtime.apiUrl);
    const headers = await signedHeaders('owner', 'GET', url);
    for (const extra of ['&__proto__=x', '&constructor=x', '&__proto__%5Btoken%5D=x']) {
      const response = await fetch(`${url.href}${extra}`, { headers });
      expect(response.status, extra).toBe(403);
    }
    expect((await fetch(url, { headers })).status).toBe(200);
    const proto = { ['__proto__']: 'x' } as Record<string, string>;
    // The SDK's signer canonicalises a `__proto__` parameter as `[object Object]`; AWS signs `__proto__=x`, so refuses it.
    expect(await failure(owner.request('GET', 'v1/keys', undefined, proto))).toMatchObject({ status: 403 });
  });

  it('accepts the curl --aws-sigv4 example that npm start prints', async () => {
    const { accessKeyId, secretAccessKey } = principal('owner');
    const { stdout } = await run('curl', [
      '-sS',
      '--aws-sigv4',
      'aws:amz:us-east-1:execute-api',
      '--user',
      `${accessKeyId}:${secretAccessKey}`,
      '-H',
      'content-type: application/json',
      '-d',
      '{"description":"from curl"}',
      `${runtime.apiUrl}/v1/keys`,
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ description: 'from curl', state: 'Enabled' });
  });
});

describe('key management routes', () => {
  it('creates keys with and without alias, and refuses a taken or malformed alias', async () => {
    const plain = await owner.createKey();
    expect(plain).toMatchObject({ alias: null, description: null, currentVersion: 1, createdBy: principal('owner').arn, deletionDate: null });
    expect(plain.keyId).toMatch(/^[0-9a-f-]{36}$/);

    await owner.createKey({ alias: 'contract-alias' });
    expect(await failure(teammate.createKey({ alias: 'contract-alias' }))).toMatchObject({ status: 409, code: 'AlreadyExists' });
    expect(await failure(owner.createKey({ alias: 'bad alias!' }))).toMatchObject({ status: 400, code: 'ValidationError' });
    expect(await failure(owner.createKey({ alias: 'x'.repeat(65) }))).toMatchObject({ status: 400, code: 'ValidationError' });
    expect(await failure(owner.getKey('alias/bad alias'))).toMatchObject({ status: 400, code: 'ValidationError' });
  });

  it('lets only one of many concurrent creates take an alias', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => owner.createKey({ alias: 'raced-alias' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ status: 409, code: 'AlreadyExists' });
    }
  });

  it('frees at once the alias of a create that died between its writes, and cleans up after it', async () => {
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: runtime.dynamoDbUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    );
    const put = (Item: Record<string, unknown>) => db.send(new PutCommand({ TableName: LOCAL_TABLE_NAME, Item }));
    const claimedBy = (alias: string, keyId: string) => put({ pk: `ALIAS#${alias}`, sk: 'ALIAS', keyId, claimedAt: new Date().toISOString() });
    // Died after claiming, before writing its record (as creates before this protocol did).
    await claimedBy('died-before-record', '00000000-0000-4000-8000-00000000dead');
    expect((await owner.createKey({ alias: 'died-before-record' })).alias).toBe('died-before-record');

    // Died after claiming, before confirming its provisional record.
    const dead = '00000000-0000-4000-8000-00000000beef';
    const now = new Date().toISOString();
    const creator = principal('owner').arn;
    await put({ pk: `MEMBER#${creator}`, sk: `KEY#${dead}`, keyId: dead });
    await put({ pk: `KEY#${dead}`, sk: 'V#0000000001', version: 1, wrappedKey: new Uint8Array(8), createdAt: now });
    await put({
      pk: `KEY#${dead}`,
      sk: 'META',
      keyId: dead,
      alias: 'died-before-confirming',
      description: null,
      state: 'Enabled',
      currentVersion: 1,
      versions: { 1: now },
      createdAt: now,
      createdBy: creator,
      deletionDate: null,
      policy: { admins: [creator], users: [creator] },
      revision: 1,
      provisional: true,
    });
    await claimedBy('died-before-confirming', dead);
    expect(await failure(owner.getKey('alias/died-before-confirming'))).toMatchObject({ status: 404, code: 'KeyNotFound' });
    expect(await failure(owner.getKey(dead))).toMatchObject({ status: 404, code: 'KeyNotFound' });
    expect((await owner.listKeys()).keys.map((k) => k.keyId)).not.toContain(dead);

    const created = await owner.createKey({ alias: 'died-before-confirming' });
    expect(await owner.getKey('alias/died-before-confirming')).toEqual(created);
    const { Item: record } = await db.send(new GetCommand({ TableName: LOCAL_TABLE_NAME, Key: { pk: `KEY#${dead}`, sk: 'META' } }));
    expect(record).toBeUndefined();
    // Its version and index entry expire now: they neither stay in the table nor count against a quota.
    const leftovers = await Promise.all(
      [
        [`KEY#${dead}`, 'V#0000000001'],
        [`MEMBER#${creator}`, `KEY#${dead}`],
      ].map(async ([pk, sk]) => (await db.send(new GetCommand({ TableName: LOCAL_TABLE_NAME, Key: { pk, sk } }))).Item?.expiresAt as number),
    );
    for (const expiresAt of leftovers) expect(expiresAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  });

  it('gets a key by id and by URL-encoded alias; unknown keys are KeyNotFound', async () => {
    const key = await owner.createKey({ alias: 'get-me', description: 'for get' });
    expect(await owner.getKey(key.keyId)).toEqual(key);
    expect(await owner.getKey('alias/get-me')).toEqual(key);
    expect(await failure(owner.getKey('00000000-0000-4000-8000-000000000000'))).toMatchObject({ status: 404, code: 'KeyNotFound' });
    expect(await failure(owner.getKey('alias/nobody-has-this'))).toMatchObject({ status: 404, code: 'KeyNotFound' });
    expect(await failure(owner.getKey('not-a-key-id'))).toMatchObject({ status: 400, code: 'ValidationError' });
    // Decoded once: a doubly encoded alias is not the alias, and broken encoding is a caller's mistake.
    expect(await failure(owner.request('GET', 'v1/keys/alias%252Fget-me'))).toMatchObject({ status: 400, code: 'ValidationError' });
    expect(await failure(owner.request('GET', 'v1/keys/alias%2'))).toMatchObject({ status: 400, code: 'ValidationError' });
  });

  it('tags keys as KMS does: set at create, replaced by admins, shown in metadata, filtering the list; bad tags are 400', async () => {
    const key = await owner.createKey({ tags: { team: 'payments', 'cost-centre': 'cc 42' } });
    expect(key.tags).toEqual({ team: 'payments', 'cost-centre': 'cc 42' });
    const other = await owner.createKey({ tags: { team: 'identity' } });
    expect((await owner.putKeyTags(key.keyId, { team: 'payments', class: 'pci' })).tags).toEqual({ team: 'payments', class: 'pci' });
    expect((await owner.getKey(key.keyId)).tags).toEqual({ team: 'payments', class: 'pci' });
    const listed = (await owner.listKeys({ tag: 'team:payments', limit: 100 })).keys.map((k) => k.keyId);
    expect(listed).toContain(key.keyId);
    expect(listed).not.toContain(other.keyId);
    expect(await failure(teammate.putKeyTags(key.keyId, {}))).toMatchObject({ status: 403, code: 'AccessDenied' });
    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    for (const tags of [tooMany, { 'aws:owner': 'x' }, { 'bad*key': 'x' }, { ['k'.repeat(129)]: 'x' }, { k: 'v'.repeat(257) }, { '': 'x' }]) {
      expect(await failure(owner.putKeyTags(key.keyId, tags)), JSON.stringify(tags).slice(0, 40)).toMatchObject({
        status: 400,
        code: 'ValidationError',
      });
    }
    expect(await failure(owner.listKeys({ tag: 'no-separator' }))).toMatchObject({ status: 400, code: 'ValidationError' });
  });

  it('lists the caller’s keys page by page', async () => {
    const lister = clientFor(runtime.apiUrl, 'teammate');
    const created = [];
    for (let i = 0; i < 5; i++) created.push((await lister.createKey({ description: `page ${i}` })).keyId);
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await lister.listKeys({ limit: 2, nextToken });
      expect(page.keys.length).toBeLessThanOrEqual(2);
      seen.push(...page.keys.map((k) => k.keyId));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(seen.sort()).toEqual(expect.arrayContaining(created.sort()));
    expect(new Set(seen).size).toBe(seen.length);
    expect(await failure(lister.listKeys({ limit: 0 }))).toMatchObject({ status: 400, code: 'ValidationError' });
    expect(await failure(lister.listKeys({ limit: 101 }))).toMatchObject({ status: 400, code: 'ValidationError' });
    expect(await failure(lister.listKeys({ nextToken: 'garbage!' }))).toMatchObject({ status: 400, code: 'ValidationError' });
  });

  it('replaces the policy, refuses one without admins, and refuses malformed principals', async () => {
    const key = await owner.createKey();
    const updated = await owner.putKeyPolicy(key.keyId, { admins: [principal('owner').arn, principal('teammate').arn], users: [] });
    expect(updated.policy).toEqual({ admins: [principal('owner').arn, principal('teammate').arn], users: [] });
    expect(await failure(owner.encrypt(key.keyId, 'x'))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await failure(owner.putKeyPolicy(key.keyId, { admins: [], users: [principal('owner').arn] }))).toMatchObject({
      status: 400,
      code: 'ValidationError',
    });
    expect(await failure(owner.putKeyPolicy(key.keyId, { admins: ['not-an-arn'], users: [] }))).toMatchObject({
      status: 400,
      code: 'ValidationError',
    });
    // The teammate, now an admin, can hand the key back and remove the owner.
    const lockout = await failure(teammate.putKeyPolicy(key.keyId, { admins: [principal('owner').arn], users: [] }));
    expect(lockout).toMatchObject({ status: 400, code: 'ValidationError' });
    expect(lockout.message).toContain('bypassLockoutSafetyCheck');
    const session = await failure(
      owner.putKeyPolicy(key.keyId, { admins: [principal('owner').arn, 'arn:aws:sts::111122223333:assumed-role/Team/alice'], users: [] }),
    );
    expect(session).toMatchObject({ status: 400, code: 'ValidationError' });
    expect(session.message).toContain('arn:aws:iam::111122223333:role/Team');
    const handed = await teammate.putKeyPolicy(key.keyId, { admins: [principal('teammate').arn], users: [principal('teammate').arn] });
    expect(handed.policy.admins).toEqual([principal('teammate').arn]);
    expect(await failure(owner.getKey(key.keyId))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect((await owner.listKeys({ limit: 100 })).keys.map((k) => k.keyId)).not.toContain(key.keyId);
    // Giving a key away on purpose, as KMS's BypassPolicyLockoutSafetyCheck allows.
    const given = await teammate.putKeyPolicy(key.keyId, { admins: [principal('owner').arn], users: [] }, { bypassLockoutSafetyCheck: true });
    expect(given.policy.admins).toEqual([principal('owner').arn]);
    expect(await failure(teammate.getKey(key.keyId))).toMatchObject({ status: 403, code: 'AccessDenied' });
  });

  it('absorbs races between 20 concurrent policy changes on one key: no Conflict reaches a caller', async () => {
    const key = await owner.createKey();
    const users = Array.from({ length: 20 }, (_, i) => `arn:aws:iam::111122223333:role/user-${i}`);
    const results = await Promise.allSettled(users.map((user) => owner.putKeyPolicy(key.keyId, { admins: [principal('owner').arn], users: [user] })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(users).toContainEqual((await owner.getKey(key.keyId)).policy.users[0]);
  });

  it('never loses a version to concurrent rotations', async () => {
    const key = await owner.createKey();
    const results = await Promise.all(Array.from({ length: 5 }, () => owner.rotateKey(key.keyId)));
    // Each 200 tells the truth: the versions the rotations created are exactly the new ones.
    expect(results.map((r) => r.createdVersion).sort()).toEqual([2, 3, 4, 5, 6]);
    expect(results.every((r) => r.currentVersion >= r.createdVersion)).toBe(true);
    const final = await owner.getKey(key.keyId);
    expect(final.currentVersion).toBe(6);
    expect(final.versions.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('disables and enables, idempotently, and refuses crypto on a disabled key', async () => {
    const key = await owner.createKey();
    expect((await owner.disableKey(key.keyId)).state).toBe('Disabled');
    expect((await owner.disableKey(key.keyId)).state).toBe('Disabled');
    expect(await failure(owner.encrypt(key.keyId, 'x'))).toMatchObject({ status: 409, code: 'KeyDisabled' });
    expect(await failure(owner.rotateKey(key.keyId))).toMatchObject({ status: 409, code: 'KeyDisabled' });
    expect((await owner.enableKey(key.keyId)).state).toBe('Enabled');
    expect((await owner.encrypt(key.keyId, 'x')).keyVersion).toBe(1);
  });

  it('validates the deletion window and refuses state changes while pending deletion', async () => {
    const key = await owner.createKey();
    expect(await failure(owner.scheduleKeyDeletion(key.keyId, 6))).toMatchObject({ status: 400, code: 'ValidationError' });
    expect(await failure(owner.scheduleKeyDeletion(key.keyId, 31))).toMatchObject({ status: 400, code: 'ValidationError' });
    expect(await failure(owner.cancelKeyDeletion(key.keyId))).toMatchObject({ status: 409, code: 'InvalidKeyState' });
    const scheduled = await owner.scheduleKeyDeletion(key.keyId);
    const days = (Date.parse(scheduled.deletionDate!) - Date.parse(new Date().toISOString())) / 86_400_000;
    expect(Math.round(days)).toBe(30);
    expect(await failure(owner.enableKey(key.keyId))).toMatchObject({ status: 409, code: 'KeyPendingDeletion' });
    expect(await failure(owner.scheduleKeyDeletion(key.keyId))).toMatchObject({ status: 409, code: 'KeyPendingDeletion' });
    // The table's TTL removes the key's metadata at its deletion date; cancelling clears it.
    expect(await expiresAtOf(key.keyId)).toBe(Math.ceil(Date.parse(scheduled.deletionDate!) / 1000));
    await owner.cancelKeyDeletion(key.keyId);
    expect(await expiresAtOf(key.keyId)).toBeNull();
  });

  it('shreds: scheduling deletion expires every item that holds or points to the key material, cancelling keeps them all', async () => {
    const key = await owner.createKey({ alias: 'shred-me' });
    await owner.rotateKey(key.keyId);
    await owner.putKeyPolicy(key.keyId, { admins: [principal('owner').arn], users: [principal('teammate').arn] });
    const items = async () => {
      const db = new DynamoDBClient({ endpoint: runtime.dynamoDbUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
      const { Items = [] } = await db.send(new ScanCommand({ TableName: LOCAL_TABLE_NAME, ConsistentRead: true }));
      // Idempotency records keep a response (metadata, never material) for 24 hours: not the key's items.
      return Items.filter((item) => item.pk?.S !== 'IDEMPOTENCY')
        .filter((item) => JSON.stringify(item).includes(key.keyId) || item.pk?.S === 'ALIAS#shred-me')
        .map((item) => ({ item: `${item.pk!.S}/${item.sk!.S}`, expiresAt: item.expiresAt?.N === undefined ? null : Number(item.expiresAt.N) }));
    };
    // Metadata, two versions, the alias claim and the index entries of owner and teammate.
    expect(await items()).toHaveLength(6);
    const { deletionDate } = await owner.scheduleKeyDeletion(key.keyId, 7);
    const expiresAt = Math.ceil(Date.parse(deletionDate!) / 1000);
    expect((await items()).filter((i) => i.expiresAt !== expiresAt)).toEqual([]);
    await owner.cancelKeyDeletion(key.keyId);
    expect((await items()).filter((i) => i.expiresAt !== null)).toEqual([]);
    expect(await items()).toHaveLength(6);
  });
});

describe('encrypt, decrypt and rewrap', () => {
  let keyId: string;
  beforeAll(async () => {
    keyId = (await owner.createKey({ alias: 'crypto-routes' })).keyId;
  });

  it('round-trips empty and binary plaintexts, with and without context', async () => {
    for (const plaintext of [Buffer.alloc(0), Buffer.from([0, 255, 1, 254]), Buffer.from('héllo')]) {
      const sealed = await owner.encrypt(keyId, plaintext);
      expect(sealed.ciphertext).toMatch(/^ev2\.[A-Za-z0-9_-]+$/);
      expect((await owner.decrypt(sealed.ciphertext)).plaintext.equals(plaintext)).toBe(true);
    }
  });

  it('binds the context: a missing, extra or changed entry is InvalidCiphertext', async () => {
    const sealed = await owner.encrypt(keyId, 'secret', { a: '1', b: '2' });
    const variants: (Record<string, string> | undefined)[] = [undefined, { a: '1' }, { a: '1', b: '2', c: '3' }, { a: '1', b: '3' }];
    for (const context of variants) {
      expect(await failure(owner.decrypt(sealed.ciphertext, context))).toMatchObject({ status: 400, code: 'InvalidCiphertext' });
    }
    expect(await failure(owner.rewrap(sealed.ciphertext, { a: '1' }))).toMatchObject({ status: 400, code: 'InvalidCiphertext' });
  });

  it('refuses text that is not well-formed Unicode in contexts, descriptions and references', async () => {
    const { ciphertext } = await owner.encrypt(keyId, 'x', { t: '\ufffd' });
    for (const lone of ['\ud800', '\udfff', 'a\ud83d']) {
      expect(await failure(owner.encrypt(keyId, 'x', { t: lone }))).toMatchObject({ status: 400, code: 'ValidationError' });
      expect(await failure(owner.encrypt(keyId, 'x', { [lone]: 'v' }))).toMatchObject({ status: 400, code: 'ValidationError' });
      expect(await failure(owner.decrypt(ciphertext, { t: lone }))).toMatchObject({ status: 400, code: 'ValidationError' });
      expect(await failure(owner.createKey({ description: lone }))).toMatchObject({ status: 400, code: 'ValidationError' });
    }
    expect((await owner.decrypt(ciphertext, { t: '\ufffd' })).plaintext.toString()).toBe('x');
    expect((await owner.encrypt(keyId, 'x', { t: '😀 ключ' })).keyVersion).toBeGreaterThan(0);
  });

  it('answers InvalidCiphertext, not KeyNotFound, for a ciphertext whose key id was changed: no existence oracle', async () => {
    const { ciphertext } = await owner.encrypt(keyId, 'secret');
    const body = Buffer.from(ciphertext.slice(4), 'base64url');
    for (const at of [0, 7, 15]) {
      const changed = Buffer.from(body);
      changed[at] = changed[at]! ^ 0x01;
      expect(await failure(owner.decrypt(`ev2.${changed.toString('base64url')}`))).toMatchObject({ status: 400, code: 'InvalidCiphertext' });
    }
  });

  it('answers InvalidCiphertext, with one message, for malformed and tampered ciphertexts', async () => {
    const { ciphertext } = await owner.encrypt(keyId, 'secret');
    const flipped = ciphertext.slice(0, -6) + (ciphertext.at(-6) === 'A' ? 'B' : 'A') + ciphertext.slice(-5);
    const messages = new Set<string>();
    for (const bad of ['garbage', 'ev1.', 'ev2.', 'ev2.!!!!', `ev1.${ciphertext.slice(4)}`, flipped, ciphertext.slice(0, -10)]) {
      const error = await failure(owner.decrypt(bad));
      expect(error).toMatchObject({ status: 400, code: 'InvalidCiphertext' });
      messages.add(error.message);
    }
    expect(messages.size).toBe(1);
  });

  it('validates bodies: bad JSON, missing and malformed fields, bad base64, oversized context', async () => {
    expect((await raw('POST', '/v1/encrypt', '{not json')).json.error).toMatchObject({ code: 'ValidationError' });
    expect((await raw('POST', '/v1/encrypt', JSON.stringify({ keyId }))).status).toBe(400);
    expect((await raw('POST', '/v1/encrypt', JSON.stringify({ keyId, plaintext: 'not base64!' }))).json.error).toMatchObject({
      code: 'ValidationError',
    });
    expect((await raw('POST', '/v1/encrypt', JSON.stringify({ keyId, plaintext: 'AA==', context: { a: 1 } }))).json.error).toMatchObject({
      code: 'ValidationError',
    });
    expect((await raw('POST', '/v1/encrypt', JSON.stringify({ keyId, plaintext: 'AA==', extra: true }))).json.error).toMatchObject({
      code: 'ValidationError',
    });
    expect((await raw('POST', '/v1/decrypt', JSON.stringify({}))).json.error).toMatchObject({ code: 'ValidationError' });
    expect((await raw('POST', '/v1/encrypt', '[]')).status).toBe(400);
    expect(await failure(owner.encrypt(keyId, 'x', { big: 'x'.repeat(8 * 1024 + 1) }))).toMatchObject({ status: 400, code: 'ValidationError' });
    expect(await failure(owner.encrypt('00000000-0000-4000-8000-000000000000', 'x'))).toMatchObject({ status: 404, code: 'KeyNotFound' });
  });

  it('accepts 4 MiB and refuses more with 413 PayloadTooLarge and a hint', async () => {
    const limit = Buffer.alloc(4 * 1024 * 1024, 7);
    const sealed = await owner.encrypt(keyId, limit);
    expect((await owner.decrypt(sealed.ciphertext)).plaintext.equals(limit)).toBe(true);
    const error = await failure(owner.encrypt(keyId, Buffer.alloc(4 * 1024 * 1024 + 1)));
    expect(error).toMatchObject({ status: 413, code: 'PayloadTooLarge' });
    expect(error.message).toMatch(/4 MiB/);
  });

  it("generates data keys: 32 random bytes and their seal, which decrypt and rewrap open for the key's users only", async () => {
    const generated = await owner.generateDataKey(keyId, { file: 'report.pdf' });
    expect(generated).toMatchObject({ keyId, keyVersion: 1 });
    expect(generated.plaintextKey).toHaveLength(32);
    expect(generated.encryptedKey).toMatch(/^ev2\./);
    expect((await owner.decrypt(generated.encryptedKey, { file: 'report.pdf' })).plaintext.equals(generated.plaintextKey!)).toBe(true);
    expect(await failure(owner.decrypt(generated.encryptedKey))).toMatchObject({ status: 400, code: 'InvalidCiphertext' });
    const rewrapped = await owner.rewrap(generated.encryptedKey, { file: 'report.pdf' });
    expect((await owner.decrypt(rewrapped.ciphertext, { file: 'report.pdf' })).plaintext.equals(generated.plaintextKey!)).toBe(true);
    expect((await owner.generateDataKey(keyId)).plaintextKey!.equals(generated.plaintextKey!)).toBe(false);

    const sealedOnly = await owner.generateDataKey(keyId, undefined, { withoutPlaintext: true });
    expect(sealedOnly.plaintextKey).toBeUndefined();
    expect((await owner.decrypt(sealedOnly.encryptedKey)).plaintext).toHaveLength(32);

    expect(await failure(teammate.generateDataKey(keyId))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await failure(teammate.decrypt(generated.encryptedKey, { file: 'report.pdf' }))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect((await raw('POST', '/v1/data-keys', JSON.stringify({ keyId, keySpec: 'AES_128' }))).status).toBe(400);
    expect((await raw('POST', '/v1/data-keys', JSON.stringify({ keyId, keySpec: 'AES_256', extra: 1 }))).status).toBe(400);
    expect(await failure(owner.generateDataKey('alias/nobody-has-this'))).toMatchObject({ status: 404, code: 'KeyNotFound' });
    const disabled = await owner.createKey();
    await owner.disableKey(disabled.keyId);
    expect(await failure(owner.generateDataKey(disabled.keyId))).toMatchObject({ status: 409, code: 'KeyDisabled' });
  });

  it('rewraps a current-version ciphertext to a fresh one under the same version', async () => {
    const sealed = await owner.encrypt(keyId, 'again', { k: 'v' });
    const rewrapped = await owner.rewrap(sealed.ciphertext, { k: 'v' });
    expect(rewrapped).toMatchObject({ keyId, keyVersion: 1 });
    expect(rewrapped.ciphertext).not.toBe(sealed.ciphertext);
  });

  it('answers unknown routes and methods as API Gateway REST does: 403 (its MISSING_AUTHENTICATION_TOKEN response), in the error shape', async () => {
    for (const [method, path] of [
      ['GET', '/v1/nothing-here'],
      ['DELETE', '/v1/keys'],
    ] as const) {
      expect(await raw(method, path)).toEqual({
        status: 403,
        json: { error: { code: 'AccessDenied', message: GATEWAY_ERRORS.MISSING_AUTHENTICATION_TOKEN.message } },
      });
    }
  });
});

describe('master key', () => {
  it('reports the CMK state and rotation settings from KMS', async () => {
    const status = await owner.masterKey();
    expect(status).toMatchObject({ keyState: 'Enabled', keyRotationEnabled: true, rotationPeriodInDays: 365 });
    expect(status.keyArn).toMatch(/^arn:aws:kms:us-east-1:\d{12}:key\//);
    expect(Date.parse(status.nextRotationDate!)).toBeGreaterThan(Date.now());
  });

  it('answers MasterKeyPendingDeletion while the CMK is scheduled for deletion', async () => {
    const keyId = (await owner.createKey()).keyId;
    const { ciphertext } = await owner.encrypt(keyId, 'x');
    const kms = kmsClientFor(runtime.kmsUrl);
    const { keyArn } = await owner.masterKey();
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
    try {
      // KMS still answers DescribeKey and GetKeyRotationStatus (rotation off) for a key pending deletion.
      expect(await owner.masterKey()).toMatchObject({ keyState: 'PendingDeletion', keyRotationEnabled: false });
      expect(await failure(owner.decrypt(ciphertext))).toMatchObject({ status: 409, code: 'MasterKeyPendingDeletion' });
      expect(await failure(owner.encrypt(keyId, 'x'))).toMatchObject({ status: 409, code: 'MasterKeyPendingDeletion' });
    } finally {
      await kms.send(new CancelKeyDeletionCommand({ KeyId: keyArn }));
      await kms.send(new EnableKeyCommand({ KeyId: keyArn }));
    }
    expect((await owner.decrypt(ciphertext)).plaintext.toString()).toBe('x');
  });
});
