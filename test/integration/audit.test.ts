import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { API_ROUTES, type RouteName } from '../../contract/index.js';
import { AUDIT_HASH_PREFIX, AuditHasher, type AuditRecord } from '../../lambdas/domain/audit-record.js';
import { auditRecordFilter, readAuditRecords } from '../../local/audit-query.js';
import { readLocalAuditKey } from '../../local/audit-trail.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor, failure, principal } from '../support/principals.js';

/**
 * The audit trail of the local runtime's handlers: `<ENVELOPE_DATA_DIR>/audit.jsonl`, one record
 * per request that reaches a function, written before the answer leaves.
 */
const runtime = runtimeForFile();
const records = () => readAuditRecords(runtime().auditFile);
const owner = () => clientFor(runtime().apiUrl, 'owner');
const hasher = async () => new AuditHasher(await readLocalAuditKey(runtime().dataDir));
const UNKNOWN_KEY = '00000000-0000-4000-8000-000000000000';
const OPERATION_IDS = new Map<string, string>(API_ROUTES.map((r) => [`${r.method} ${r.resource}`, r.operationId]));

/** Runs one request and returns the one record it added (there must be exactly one). */
async function recordOf(request: () => Promise<unknown>): Promise<AuditRecord> {
  const before = (await records()).length;
  await request().catch(() => undefined);
  const added = (await records()).slice(before);
  expect(added).toHaveLength(1);
  return added[0]!;
}

function expectDocumentedFields(record: AuditRecord, route: RouteName, caller = principal('owner').arn): void {
  expect(record).toMatchObject({
    requestId: expect.any(String),
    lambdaRequestId: expect.any(String),
    caller,
    sourceIp: expect.any(String),
    userAgent: expect.any(String),
    route,
    operation: OPERATION_IDS.get(route),
    category: expect.stringMatching(/^(use|change|read)$/),
    keyIds: expect.any(Array),
    aliases: expect.any(Array),
    keyVersions: expect.any(Array),
    outcome: expect.any(String),
    status: expect.any(Number),
    latencyMs: expect.any(Number),
  });
  expect(new Date(record.time).toISOString()).toBe(record.time);
  expect(record.outcome === 'ok').toBe(record.status < 400);
}

describe('audit records', () => {
  it('are written for every route behind IAM auth, one per request, with the documented fields', async () => {
    const client = owner();
    const teammate = clientFor(runtime().apiUrl, 'teammate');
    let keyId = '';
    let grantId = '';
    let retired = '';
    let ciphertext = '';
    const requests: Record<Exclude<RouteName, RouteName<'health'>>, () => Promise<unknown>> = {
      'POST /v1/keys': async () => {
        keyId = (await client.createKey({ alias: 'audit-walk', tags: { team: 'payments' } })).keyId;
      },
      'GET /v1/keys': () => client.listKeys(),
      'GET /v1/keys/{key}': () => client.getKey(keyId),
      'PUT /v1/keys/{key}/policy': () => client.putKeyPolicy(keyId, { admins: [principal('owner').arn], users: [principal('owner').arn] }),
      'PUT /v1/keys/{key}/tags': () => client.putKeyTags(keyId, { team: 'payments', cost: 'secret-tag-value' }),
      'POST /v1/keys/{key}/grants': async () => {
        grantId = (await client.createGrant(keyId, { grantee: principal('teammate').arn, operations: ['decrypt'] })).grantId;
        retired = (await client.createGrant(keyId, { grantee: principal('teammate').arn, operations: ['encrypt'], name: 'second' })).grantId;
      },
      'GET /v1/keys/{key}/grants': () => client.listGrants(keyId),
      'DELETE /v1/keys/{key}/grants/{grantId}': () => client.revokeGrant(keyId, grantId),
      'POST /v1/grants/{grantId}/retire': () => teammate.retireGrant(retired),
      'POST /v1/keys/{key}/rotate': () => client.rotateKey(keyId),
      'POST /v1/keys/{key}/disable': () => client.disableKey(keyId),
      'POST /v1/keys/{key}/enable': () => client.enableKey(keyId),
      'POST /v1/encrypt': async () => {
        ciphertext = (await client.encrypt(keyId, 'walk', { tenant: 'acme' })).ciphertext;
      },
      'POST /v1/decrypt': () => client.decrypt(ciphertext, { tenant: 'acme' }),
      'POST /v1/rewrap': () => client.rewrap(ciphertext, { tenant: 'acme' }),
      'POST /v1/data-keys': () => client.generateDataKey(keyId, { tenant: 'acme' }),
      'GET /v1/master-key': () => client.masterKey(),
      'GET /v1/health/dependencies': () => client.dependencyHealth(),
      'PUT /v1/keys/{key}/min-decryption-version': () => client.retireKeyVersions(keyId, 2),
      'POST /v1/keys/{key}/schedule-version-destruction': () => client.scheduleKeyVersionDestruction(keyId, 7),
      'POST /v1/keys/{key}/cancel-version-destruction': () => client.cancelKeyVersionDestruction(keyId),
      'POST /v1/keys/{key}/schedule-deletion': () => client.scheduleKeyDeletion(keyId, 7),
      'POST /v1/keys/{key}/cancel-deletion': () => client.cancelKeyDeletion(keyId),
    };
    const audited = API_ROUTES.filter((route) => route.function !== 'health').map(
      (route) => `${route.method} ${route.resource}` as keyof typeof requests,
    );
    expect(Object.keys(requests).sort()).toEqual([...audited].sort());
    const byRoute = new Map<string, AuditRecord[]>();
    for (const [route, request] of Object.entries(requests) as [keyof typeof requests, () => Promise<unknown>][]) {
      const before = (await records()).length;
      await request();
      const added = (await records()).slice(before);
      // createGrant runs twice; every other route once.
      expect(added.map((r) => r.route)).toEqual(added.map(() => route));
      for (const record of added) expectDocumentedFields(record, route, route.includes('retire') ? principal('teammate').arn : undefined);
      byRoute.set(route, added);
    }
    const one = (route: keyof typeof requests) => byRoute.get(route)![0]!;
    expect(one('POST /v1/keys')).toMatchObject({ category: 'change', keyIds: [keyId], keyVersions: [1], outcome: 'ok', status: 201 });
    expect(one('POST /v1/keys').aliases).toEqual([(await hasher()).hash('audit-walk')]);
    expect(one('GET /v1/keys/{key}')).toMatchObject({ category: 'read', keyIds: [keyId] });
    expect(one('PUT /v1/keys/{key}/policy').change).toEqual({ admins: [principal('owner').arn], users: [principal('owner').arn] });
    expect(one('PUT /v1/keys/{key}/tags').change).toEqual({ tagKeys: ['team', 'cost'] });
    expect(one('POST /v1/keys/{key}/grants').change).toMatchObject({ grantee: principal('teammate').arn, operations: ['decrypt'], grantId });
    expect(one('DELETE /v1/keys/{key}/grants/{grantId}')).toMatchObject({ keyIds: [keyId], change: { grantId }, status: 204 });
    expect(one('POST /v1/grants/{grantId}/retire')).toMatchObject({ keyIds: [keyId], change: { grantId: retired }, status: 204 });
    expect(one('POST /v1/keys/{key}/rotate')).toMatchObject({ keyVersions: [2] });
    expect(one('POST /v1/encrypt')).toMatchObject({
      category: 'use',
      keyIds: [keyId],
      keyVersions: [2],
      context: { tenant: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/) },
    });
    expect(one('POST /v1/decrypt')).toMatchObject({ keyIds: [keyId], keyVersions: [2] });
    expect(one('POST /v1/rewrap')).toMatchObject({ keyIds: [keyId], keyVersions: [2] });
    expect(one('POST /v1/data-keys')).toMatchObject({ keyIds: [keyId], keyVersions: [2] });
    expect(one('GET /v1/master-key')).toMatchObject({ category: 'read', keyIds: [] });
    expect(one('GET /v1/health/dependencies')).toMatchObject({ category: 'read', operation: 'checkDependencies', keyIds: [] });
    expect(one('PUT /v1/keys/{key}/min-decryption-version').change).toEqual({ minDecryptionVersion: 2 });
    expect(one('POST /v1/keys/{key}/schedule-version-destruction').change).toEqual({
      destroyVersionsThrough: 1,
      destructionDate: expect.any(String),
    });
    expect(one('POST /v1/keys/{key}/cancel-version-destruction')).toMatchObject({ category: 'change', keyIds: [keyId], status: 200 });
    expect(one('POST /v1/keys/{key}/schedule-deletion').change).toEqual({ deletionDate: expect.any(String) });
    expect(JSON.stringify([...byRoute.values()])).not.toContain('secret-tag-value');
  });

  it('are written for requests that fail validation, authorization or lookup, with the error code as the outcome', async () => {
    const { keyId } = await owner().createKey();
    const invalid = await recordOf(() => owner().request('POST', 'v1/encrypt', { keyId }));
    // Input that fails validation is not trusted to name a key.
    expect(invalid).toMatchObject({ operation: 'encrypt', outcome: 'ValidationError', status: 400, keyIds: [] });

    const outsider = clientFor(runtime().apiUrl, 'outsider');
    const denied = await recordOf(() => outsider.encrypt(keyId, 'not yours'));
    expect(denied).toMatchObject({ caller: principal('outsider').arn, outcome: 'AccessDenied', status: 403, keyIds: [keyId] });
    expect(await recordOf(() => outsider.getKey(keyId))).toMatchObject({ outcome: 'AccessDenied', keyIds: [keyId], category: 'read' });

    expect(await recordOf(() => owner().encrypt(UNKNOWN_KEY, 'x'))).toMatchObject({ outcome: 'KeyNotFound', status: 404, keyIds: [UNKNOWN_KEY] });
    const unknownAlias = await recordOf(() => owner().getKey('alias/nobody-has-this'));
    expect(unknownAlias).toMatchObject({ outcome: 'KeyNotFound', keyIds: [] });
    expect(unknownAlias.aliases).toEqual([(await hasher()).hash('nobody-has-this')]);
    expect(await recordOf(() => owner().decrypt('ev2.not-a-ciphertext'))).toMatchObject({ outcome: 'InvalidCiphertext', keyIds: [] });
  });

  it('hold only what a caller may put in them in bounded form: no typed names in clear, no oversized context', async () => {
    const { keyId } = await owner().createKey({ alias: 'bounded' });
    const typed = await recordOf(() => owner().getKey('jane.doe@example.com'));
    expect(typed).toMatchObject({ outcome: 'ValidationError', keyIds: [], aliases: [(await hasher()).hash('jane.doe@example.com')] });
    const grant = await recordOf(() => owner().request('DELETE', `v1/keys/${keyId}/grants/SSN-123-45-6789`));
    expect(JSON.stringify(grant)).not.toContain('SSN');

    const oversized = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`key-${i}`, 'value']));
    const refused = await recordOf(() => owner().encrypt(keyId, 'x', oversized));
    expect(refused).toMatchObject({ outcome: 'ValidationError', keyIds: [] });
    expect(refused.context).toBeUndefined();

    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, '']));
    const kept = await recordOf(() => owner().encrypt(keyId, 'x', many));
    expect(kept).toMatchObject({ outcome: 'ok', contextEntries: 1000 });
    expect(JSON.stringify(kept).length).toBeLessThan(16 * 1024);
  });

  it('are not written for requests refused at the gateway, which never reach a function', async () => {
    const before = (await records()).length;
    expect((await failure(clientFor(runtime().apiUrl, 'stranger').listKeys())).status).toBe(403);
    expect(await records()).toHaveLength(before);
  });

  it('count a batch per key version and outcome, not per item', async () => {
    const [a, b] = [await owner().createKey(), await owner().createKey()];
    const sealed = await owner().encryptMany(
      a.keyId,
      ['1', '2', '3'].map((text) => ({ plaintext: text })),
    );
    const [other] = await owner().encryptMany(b.keyId, [{ plaintext: 'b' }]);
    const tokens = [...sealed, other!].map((item) => ('error' in item ? '' : item.ciphertext));
    const record = await recordOf(() =>
      owner().decryptMany([
        ...tokens.map((ciphertext) => ({ ciphertext })),
        { ciphertext: tokens[0]!, context: { wrong: 'context' } },
        { ciphertext: 'ev2.x' },
      ]),
    );
    expect(record).toMatchObject({ operation: 'decrypt', outcome: 'ok', keyVersions: [1] });
    expect([...record.keyIds].sort()).toEqual([a.keyId, b.keyId].sort());
    expect(record.context).toBeUndefined();
    expect(record.batch!.items).toBe(6);
    expect(record.batch!.counts).toEqual(
      expect.arrayContaining([
        { keyId: a.keyId, keyVersion: 1, outcome: 'ok', count: 3 },
        { keyId: b.keyId, keyVersion: 1, outcome: 'ok', count: 1 },
        { keyId: a.keyId, keyVersion: 1, outcome: 'InvalidCiphertext', count: 1 },
        { keyId: null, keyVersion: null, outcome: 'InvalidCiphertext', count: 1 },
      ]),
    );
    expect(record.batch!.counts).toHaveLength(4);
  });

  it("keep a 1,000-item batch's facts in a record whose size does not grow with it, whatever the order of its outcomes", async () => {
    const { keyId } = await owner().createKey();
    // Valid and invalid items alternate, then a run of valid ones: 667 ok, 333 refused.
    const items = Array.from({ length: 1000 }, (_, i) => ({ plaintext: i % 2 === 1 && i < 667 ? 'not base64!' : 'AA==' }));
    const record = await recordOf(() => owner().request('POST', 'v1/encrypt', { keyId, items }));
    expect(record).toMatchObject({ operation: 'encrypt', outcome: 'ok', keyIds: [keyId], keyVersions: [1] });
    expect(record.batch).toEqual({
      items: 1000,
      counts: [
        { keyId, keyVersion: 1, outcome: 'ok', count: 667 },
        { keyId: null, keyVersion: null, outcome: 'ValidationError', count: 333 },
      ],
    });
    expect(JSON.stringify(record).length).toBeLessThan(1024);
  });

  it('never hold a plaintext, a data key, a ciphertext, a context value, an alias or an idempotency key in clear', async () => {
    const { keyId } = await owner().request<{ keyId: string }>(
      'POST',
      'v1/keys',
      { alias: 'alias-in-clear-never' },
      {},
      { idempotencyKey: 'idem-key-never-recorded' },
    );
    const text = fc.string({ minLength: 8, maxLength: 64 }).filter((s) => s.trim().length >= 8);
    const context = fc.dictionary(fc.stringMatching(/^[a-z]{1,12}$/), text, { minKeys: 1, maxKeys: 4 });
    await fc.assert(
      fc.asyncProperty(fc.oneof(text, fc.uint8Array({ minLength: 8, maxLength: 256 })), context, async (plaintext, ctx) => {
        const before = (await records()).length;
        const sealed = await owner().encrypt(keyId, plaintext, ctx);
        const opened = await owner().decrypt(sealed.ciphertext, ctx);
        const rewrapped = await owner().rewrap(sealed.ciphertext, ctx);
        const [batched] = await owner().encryptMany(keyId, [{ plaintext, context: ctx }]);
        const dataKey = await owner().generateDataKey(keyId, ctx);
        const written = (await records()).slice(before);
        expect(written).toHaveLength(5);
        const raw = JSON.stringify(written);
        const bytes = Buffer.from(plaintext);
        const secrets = [
          bytes.toString('base64'),
          opened.plaintext.toString('base64'),
          sealed.ciphertext,
          sealed.ciphertext.slice(32),
          rewrapped.ciphertext.slice(32),
          'error' in batched! ? '' : batched!.ciphertext.slice(32),
          dataKey.plaintextKey!.toString('base64'),
          dataKey.encryptedKey.slice(32),
          ...Object.values(ctx),
        ];
        if (typeof plaintext === 'string') secrets.push(plaintext, JSON.stringify(plaintext).slice(1, -1));
        for (const secret of secrets.filter((s) => s.length >= 8)) expect(raw).not.toContain(secret);
        for (const record of written.filter((r) => r.context)) {
          expect(Object.keys(record.context!).sort()).toEqual(Object.keys(ctx).sort());
          for (const value of Object.values(record.context!)) expect(value.startsWith(AUDIT_HASH_PREFIX)).toBe(true);
        }
      }),
      { numRuns: 12 },
    );
    const all = JSON.stringify(await records());
    expect(all).not.toContain('alias-in-clear-never');
    expect(all).not.toContain('idem-key-never-recorded');
  });

  it('let an investigator holding a context value or an alias find its records, with the audit key (npm run audit)', async () => {
    const { keyId } = await owner().createKey({ alias: 'findable' });
    await owner().encrypt(keyId, 'one', { tenant: 'acme-4711', purpose: 'billing' });
    await owner().encrypt(keyId, 'two', { tenant: 'globex-0815' });
    await owner().encrypt('alias/findable', 'three', { tenant: 'acme-4711' });
    const all = await records();
    const found = all.filter(auditRecordFilter({ context: { tenant: 'acme-4711' } }, await hasher()));
    expect(found.map((r) => r.operation)).toEqual(['encrypt', 'encrypt']);
    expect(all.filter(auditRecordFilter({ key: 'alias/findable' }, await hasher())).map((r) => r.operation)).toEqual(['createKey', 'encrypt']);
    expect(all.filter(auditRecordFilter({ key: keyId, principal: principal('owner').arn }, await hasher()))).toHaveLength(4);
    expect(all.filter(auditRecordFilter({ context: { tenant: 'acme-4711' } }, new AuditHasher('another-deployment-key-0123456789abcdef')))).toEqual(
      [],
    );

    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/audit.ts', '--key', keyId, '--context', 'tenant=acme-4711', '--since', found[0]!.time],
      { env: { ...process.env, ENVELOPE_DATA_DIR: runtime().dataDir } },
    );
    const printed = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(printed.map((r) => r.requestId)).toEqual(found.map((r) => r.requestId));
    const none = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/audit.ts', '--context', 'tenant=nobody'], {
      env: { ...process.env, ENVELOPE_DATA_DIR: runtime().dataDir },
    });
    expect(none.stdout).toBe('');
    expect(none.stderr).toMatch(/^audit: no records match \(of \d+ in .*audit\.jsonl\)\n$/);
  });

  it('fail closed: a request whose record cannot be written is answered 503, and its record is kept in the function log', async () => {
    const { keyId } = await owner().createKey();
    // A folder where the file should be: appending fails.
    await rm(runtime().auditFile);
    await mkdir(runtime().auditFile);
    // The functions' workers print to this thread's standard output, as Lambda's go to the function's log group.
    let printed = '';
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
        printed += String(chunk);
        return write(chunk, ...(rest as []));
      });
    }
    try {
      expect(await failure(owner().encrypt(keyId, 'unaudited'))).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
      await vi.waitFor(() => expect(printed).toContain('Audit record not written'));
      const logged = JSON.parse(printed.split('\n').find((line) => line.includes('Audit record not written'))!) as { auditRecord: AuditRecord };
      expect(logged.auditRecord).toMatchObject({ operation: 'encrypt', keyIds: [keyId], caller: principal('owner').arn });
      expect(printed).not.toContain(Buffer.from('unaudited').toString('base64'));
    } finally {
      vi.restoreAllMocks();
      await rm(runtime().auditFile, { recursive: true });
    }
    await owner().encrypt(keyId, 'audited again');
    expect((await records()).map((r) => r.outcome)).toEqual(['ok']);
  });
});
