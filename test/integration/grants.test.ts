import { describe, expect, it } from 'vitest';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor, failure, principal } from '../support/principals.js';

/**
 * Grants through the HTTP API, with three principals: the owner (administrator), the teammate
 * (grantee, on no policy) and the outsider (neither). Cache off: a revocation shows at once.
 */
const runtime = runtimeForFile({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' });
const as = (name: 'owner' | 'teammate' | 'outsider') => clientFor(runtime().apiUrl, name);
const grantee = principal('teammate').arn;

describe('grants', () => {
  it('let the grantee do exactly the granted operations, and nothing else', async () => {
    const key = await as('owner').createKey();
    const grant = await as('owner').createGrant(key.keyId, { grantee, operations: ['encrypt', 'generateDataKey'] });
    expect(grant).toMatchObject({ keyId: key.keyId, grantee, operations: ['encrypt', 'generateDataKey'], constraints: null, name: null });
    expect(grant.grantId).toMatch(/^[0-9a-f]{64}$/);

    const sealed = await as('teammate').encrypt(key.keyId, 'granted');
    expect((await as('teammate').generateDataKey(key.keyId)).plaintextKey).toHaveLength(32);
    expect(await failure(as('teammate').decrypt(sealed.ciphertext))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await failure(as('teammate').getKey(key.keyId))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await failure(as('teammate').disableKey(key.keyId))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await failure(as('teammate').listGrants(key.keyId))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await failure(as('outsider').encrypt(key.keyId, 'x'))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect((await as('owner').decrypt(sealed.ciphertext)).plaintext.toString()).toBe('granted');

    // The grantee lists the key with what it may see: its own grants, no policy.
    const listed = (await as('teammate').listKeys({ limit: 100 })).keys.find((k) => k.keyId === key.keyId);
    expect(listed).toEqual({ keyId: key.keyId, alias: null, state: 'Enabled', currentVersion: 1, grants: [grant] });
  });

  it('hold to their constraints: contextEquals needs exactly the pairs, contextSubset at least them', async () => {
    const key = await as('owner').createKey();
    const sealed = await as('owner').encrypt(key.keyId, 'ctx', { tenant: 'acme', purpose: 'billing' });
    await as('owner').createGrant(key.keyId, { grantee, operations: ['decrypt'], constraints: { contextSubset: { tenant: 'acme' } } });
    expect((await as('teammate').decrypt(sealed.ciphertext, { tenant: 'acme', purpose: 'billing' })).plaintext.toString()).toBe('ctx');
    expect(await failure(as('teammate').encrypt(key.keyId, 'x', { tenant: 'acme' }))).toMatchObject({ status: 403 });

    const other = await as('owner').createKey();
    await as('owner').createGrant(other.keyId, { grantee, operations: ['encrypt'], constraints: { contextEquals: { tenant: 'acme' } } });
    expect((await as('teammate').encrypt(other.keyId, 'x', { tenant: 'acme' })).keyId).toBe(other.keyId);
    for (const context of [{ tenant: 'acme', extra: '1' }, { tenant: 'other' }, undefined] as (Record<string, string> | undefined)[]) {
      expect(await failure(as('teammate').encrypt(other.keyId, 'x', context))).toMatchObject({ status: 403, code: 'AccessDenied' });
    }
    const batch = await as('teammate').encryptMany(other.keyId, [
      { plaintext: 'ok', context: { tenant: 'acme' } },
      { plaintext: 'no', context: { tenant: 'x' } },
    ]);
    expect(batch.map((item) => ('error' in item ? item.error.code : 'ok'))).toEqual(['ok', 'AccessDenied']);
  });

  it('stop at once when revoked or retired; only admins revoke and only the grantee retires', async () => {
    const key = await as('owner').createKey();
    const revoked = await as('owner').createGrant(key.keyId, { grantee, operations: ['encrypt'] });
    await as('teammate').encrypt(key.keyId, 'before');
    expect(await failure(as('teammate').revokeGrant(key.keyId, revoked.grantId))).toMatchObject({ status: 403 });
    await as('owner').revokeGrant(key.keyId, revoked.grantId);
    expect(await failure(as('teammate').encrypt(key.keyId, 'after'))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(await failure(as('owner').revokeGrant(key.keyId, revoked.grantId))).toMatchObject({ status: 404, code: 'GrantNotFound' });
    expect((await as('teammate').listKeys({ limit: 100 })).keys.map((k) => k.keyId)).not.toContain(key.keyId);

    const retired = await as('owner').createGrant(key.keyId, { grantee, operations: ['encrypt'] });
    expect(await failure(as('outsider').retireGrant(retired.grantId))).toMatchObject({ status: 403, code: 'AccessDenied' });
    await as('teammate').retireGrant(retired.grantId);
    expect(await failure(as('teammate').encrypt(key.keyId, 'after'))).toMatchObject({ status: 403 });
    expect(await failure(as('teammate').retireGrant(retired.grantId))).toMatchObject({ status: 404, code: 'GrantNotFound' });
    expect(await failure(as('teammate').retireGrant('f'.repeat(64)))).toMatchObject({ status: 404, code: 'GrantNotFound' });
  });

  it('never change what a policy user may do', async () => {
    const key = await as('owner').createKey();
    await as('owner').putKeyPolicy(key.keyId, { admins: [principal('owner').arn], users: [principal('owner').arn, grantee] });
    const grant = await as('owner').createGrant(key.keyId, { grantee, operations: ['encrypt'], constraints: { contextEquals: { only: 'this' } } });
    const sealed = await as('teammate').encrypt(key.keyId, 'as a user', { any: 'context' });
    await as('owner').revokeGrant(key.keyId, grant.grantId);
    expect((await as('teammate').decrypt(sealed.ciphertext, { any: 'context' })).plaintext.toString()).toBe('as a user');
  });

  it('are named idempotently, bounded per key, listed a page at a time, and checked', async () => {
    const key = await as('owner').createKey();
    const named = await as('owner').createGrant(key.keyId, { grantee, operations: ['decrypt', 'encrypt'], name: 'billing-job' });
    expect(await as('owner').createGrant(key.keyId, { grantee, operations: ['encrypt', 'decrypt'], name: 'billing-job' })).toEqual(named);
    expect(await failure(as('owner').createGrant(key.keyId, { grantee, operations: ['encrypt'], name: 'billing-job' }))).toMatchObject({
      status: 409,
      code: 'AlreadyExists',
    });
    for (let i = 1; i < 100; i++) await as('owner').createGrant(key.keyId, { grantee, operations: ['encrypt'] });
    expect(await failure(as('owner').createGrant(key.keyId, { grantee, operations: ['encrypt'] }))).toMatchObject({
      status: 409,
      code: 'LimitExceeded',
    });

    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await as('owner').listGrants(key.keyId, { limit: 40, nextToken });
      seen.push(...page.grants.map((g) => g.grantId));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(new Set(seen).size).toBe(100);

    const bad = [
      { grantee, operations: [] },
      { grantee, operations: ['administer'] },
      { grantee: 'arn:aws:sts::111122223333:assumed-role/Team/session', operations: ['encrypt'] },
      { grantee, operations: ['encrypt'], expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() },
      { grantee, operations: ['encrypt'], expiresAt: new Date(Date.now() - 1000).toISOString() },
      { grantee, operations: ['encrypt'], constraints: { contextEquals: {}, contextSubset: {} } },
    ];
    for (const body of bad) {
      expect(await failure(as('owner').createGrant(key.keyId, body as never)), JSON.stringify(body)).toMatchObject({
        status: 400,
        code: 'ValidationError',
      });
    }
  });

  it('survive concurrent revocations and a revocation racing uses without anything half-done', async () => {
    const key = await as('owner').createKey();
    const grant = await as('owner').createGrant(key.keyId, { grantee, operations: ['encrypt'] });
    const results = await Promise.allSettled([
      as('owner').revokeGrant(key.keyId, grant.grantId),
      as('owner').revokeGrant(key.keyId, grant.grantId),
      ...Array.from({ length: 5 }, () => as('teammate').encrypt(key.keyId, 'race')),
    ]);
    const revocations = results.slice(0, 2);
    expect(revocations.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((revocations.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ status: 404, code: 'GrantNotFound' });
    for (const use of results.slice(2)) if (use.status === 'rejected') expect(use.reason).toMatchObject({ status: 403 });
    expect((await as('owner').listGrants(key.keyId)).grants).toEqual([]);
    expect(await failure(as('teammate').encrypt(key.keyId, 'after'))).toMatchObject({ status: 403 });
  });
});
