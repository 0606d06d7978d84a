import { execFile } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { TABLE_SCHEMA } from '../../contract/index.js';
import { AuditHasher, type AuditEntry } from '../../lambdas/domain/audit-record.js';
import { readAuditEntries, unfinishedIntents } from '../../local/audit-query.js';
import { readLocalAuditKey } from '../../local/audit-trail.js';
import { LOCAL_TABLE_NAME } from '../../local/runtime.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor, failure } from '../support/principals.js';

/** State-changing requests are safely retryable with an Idempotency-Key header. */
const runtime = runtimeForFile({ ENVELOPE_CACHE_MAX_AGE_SECONDS: '0' });

describe('Idempotency-Key', () => {
  it('answers a retried create with its first outcome, creating one key; another request under the key is 409', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const before = (await owner.listKeys({ limit: 100 })).keys.length;
    const first = await owner.createKey({ alias: 'once' }, { idempotencyKey: 'create-once-1' });
    const retry = await owner.createKey({ alias: 'once' }, { idempotencyKey: 'create-once-1' });
    expect(retry).toEqual(first);
    expect((await owner.listKeys({ limit: 100 })).keys.length).toBe(before + 1);
    expect(await failure(owner.createKey({ alias: 'other' }, { idempotencyKey: 'create-once-1' }))).toMatchObject({ status: 409, code: 'Conflict' });
    // Keys are the caller's own: the same key from someone else is another request.
    const theirs = await clientFor(runtime().apiUrl, 'teammate').createKey({}, { idempotencyKey: 'create-once-1' });
    expect(theirs.keyId).not.toBe(first.keyId);
  });

  it('runs a failed request anew on retry, and rotates once for one key', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    await owner.createKey({ alias: 'taken-for-retry' });
    expect(await failure(owner.createKey({ alias: 'taken-for-retry' }, { idempotencyKey: 'failing-1' }))).toMatchObject({
      status: 409,
      code: 'AlreadyExists',
    });
    expect(await failure(owner.createKey({ alias: 'taken-for-retry' }, { idempotencyKey: 'failing-1' }))).toMatchObject({
      status: 409,
      code: 'AlreadyExists',
    });

    const { keyId } = await owner.createKey();
    const rotate = () => owner.request<{ createdVersion: number }>('POST', `v1/keys/${keyId}/rotate`, undefined, {}, { idempotencyKey: 'rotate-1' });
    expect((await rotate()).createdVersion).toBe(2);
    expect((await rotate()).createdVersion).toBe(2);
    expect((await owner.getKey(keyId)).currentVersion).toBe(2);
    expect(await failure(owner.createKey({}, { idempotencyKey: 'not a valid key!' }))).toMatchObject({ status: 400, code: 'ValidationError' });
  });

  it('answers duplicates racing a failing attempt with its error or 409, never a 500', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const missing = '00000000-0000-4000-8000-00000000dead';
    // A duplicate may read the lock after the failing attempt removed it: that race too answers 409.
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, pair) =>
        Array.from({ length: 3 }, () =>
          failure(owner.request('POST', `v1/keys/${missing}/disable`, undefined, {}, { idempotencyKey: `racing-failure-${pair}` })),
        ),
      ).flat(),
    );
    const statuses = new Set(answers.map(({ status, code }) => `${status} ${code}`));
    expect([...statuses].filter((answer) => answer !== '404 KeyNotFound' && answer !== '409 Conflict')).toEqual([]);
    expect(statuses).toContain('404 KeyNotFound');
  });

  it('answers a retry whose stored answer is gone (its attempt died holding the lock) from the change itself, and audits both', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    const rotate = () => owner.request<{ createdVersion: number }>('POST', `v1/keys/${keyId}/rotate`, undefined, {}, { idempotencyKey: 'lost-1' });
    const created = await owner.createKey({ alias: 'lost-answer' }, { idempotencyKey: 'lost-2' });
    expect((await rotate()).createdVersion).toBe(2);

    // What an attempt killed between its change and its answer leaves, once its lock expires: no stored answer.
    await forgetStoredAnswers();
    const before = (await readAuditEntries(runtime().auditFile)).length;
    expect((await rotate()).createdVersion).toBe(2);
    expect(await owner.createKey({ alias: 'lost-answer' }, { idempotencyKey: 'lost-2' })).toEqual(created);
    expect((await owner.getKey(keyId)).currentVersion).toBe(2);

    const added = (await readAuditEntries(runtime().auditFile)).slice(before);
    const hasher = new AuditHasher(await readLocalAuditKey(runtime().dataDir));
    const [intent, outcome] = added.filter((entry) => entry.route === 'POST /v1/keys/{key}/rotate');
    expect(intent).toMatchObject({ phase: 'intent', keyIds: [keyId], idempotencyKey: hasher.hash('lost-1') });
    expect(outcome).toMatchObject({
      phase: 'outcome',
      lambdaRequestId: intent!.lambdaRequestId,
      keyVersions: [2],
      replay: 'recovered',
      idempotencyKey: hasher.hash('lost-1'),
    });
    // The stored answer is kept again: the next retry does not even run the route.
    await rotate();
    const last = (await readAuditEntries(runtime().auditFile)).at(-1) as AuditEntry;
    // Its record names what the answer does, as the attempt that made the change would have.
    expect(last).toMatchObject({ phase: 'outcome', replay: 'stored', keyIds: [keyId], keyVersions: [2] });
  });

  it('answers from a stored answer kept before answers carried what they touched', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    const rotate = () => owner.request<{ createdVersion: number }>('POST', `v1/keys/${keyId}/rotate`, undefined, {}, { idempotencyKey: 'legacy-1' });
    const first = await rotate();
    // Rewrites the stored answer as earlier releases kept it: the bare answer.
    await rewriteStoredAnswers((stored) => (stored as { answer: unknown }).answer);
    expect(await rotate()).toEqual(first);
    const last = (await readAuditEntries(runtime().auditFile)).at(-1) as AuditEntry;
    expect(last).toMatchObject({ phase: 'outcome', route: 'POST /v1/keys/{key}/rotate', status: 200, replay: 'stored' });
    expect((await owner.getKey(keyId)).currentVersion).toBe(2);
  });

  it('writes an intent before every change and none before a read; an intent without outcome is unfinished until a retry answers', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const before = (await readAuditEntries(runtime().auditFile)).length;
    const { keyId } = await owner.createKey();
    await owner.getKey(keyId);
    const added = (await readAuditEntries(runtime().auditFile)).slice(before);
    expect(added.map((entry) => [entry.phase, entry.route])).toEqual([
      ['intent', 'POST /v1/keys'],
      ['outcome', 'POST /v1/keys'],
      ['outcome', 'GET /v1/keys/{key}'],
    ]);
    const [intent, outcome] = added;
    expect(intent!.lambdaRequestId).toBe(outcome!.lambdaRequestId);
    expect(unfinishedIntents(added)).toEqual([]);
    // The process died before the outcome: the intent is unfinished, until an attempt of the same request is answered.
    const hash = new AuditHasher(await readLocalAuditKey(runtime().dataDir)).hash('orphan');
    const orphan = { ...intent!, lambdaRequestId: 'died', idempotencyKey: hash } as AuditEntry;
    expect(unfinishedIntents([orphan])).toEqual([orphan]);
    const retried = {
      ...outcome!,
      lambdaRequestId: 'retry',
      idempotencyKey: hash,
      replay: 'recovered',
      time: new Date().toISOString(),
    } as AuditEntry;
    expect(unfinishedIntents([orphan, retried])).toEqual([]);
    expect(unfinishedIntents([orphan, { ...retried, status: 409, outcome: 'Conflict' } as AuditEntry])).toEqual([orphan]);

    // The investigator's tool lists it.
    await appendFile(runtime().auditFile, `${JSON.stringify(orphan)}\n`);
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/audit.ts', '--unfinished'], {
      env: { ...process.env, ENVELOPE_DATA_DIR: runtime().dataDir },
    });
    expect(
      stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([orphan]);
  });
});

/** Deletes Powertools' idempotency records, as their expiry would once the attempt holding one died. */
/** The table, as the deployer (who may write any item) reaches it. */
function deployerTable(): DynamoDBDocumentClient {
  const { deployer, dynamoDbUrl } = runtime();
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: dynamoDbUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: deployer.accessKeyId, secretAccessKey: deployer.secretAccessKey, sessionToken: deployer.sessionToken },
    }),
  );
}

async function storedAnswers(): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await deployerTable().send(
    new QueryCommand({
      TableName: LOCAL_TABLE_NAME,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE_SCHEMA.partitionKey },
      ExpressionAttributeValues: { ':pk': 'IDEMPOTENCY' },
    }),
  );
  expect(Items.length).toBeGreaterThan(0);
  return Items;
}

const keyOf = (item: Record<string, unknown>) => ({
  [TABLE_SCHEMA.partitionKey]: item[TABLE_SCHEMA.partitionKey],
  [TABLE_SCHEMA.sortKey]: item[TABLE_SCHEMA.sortKey],
});

async function forgetStoredAnswers(): Promise<void> {
  for (const item of await storedAnswers()) await deployerTable().send(new DeleteCommand({ TableName: LOCAL_TABLE_NAME, Key: keyOf(item) }));
}

/** Rewrites each completed record's stored answer (Powertools keeps it in `data`). */
async function rewriteStoredAnswers(rewrite: (stored: unknown) => unknown): Promise<void> {
  for (const item of await storedAnswers()) {
    if (item.status !== 'COMPLETED') continue;
    const data = typeof item.data === 'string' ? JSON.stringify(rewrite(JSON.parse(item.data))) : rewrite(item.data);
    await deployerTable().send(new PutCommand({ TableName: LOCAL_TABLE_NAME, Item: { ...item, data } }));
  }
}
