import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditFileIn, localAuditTrail } from '../../local/audit-trail.js';
import { ensureTable, startDynamoDb, type LocalDynamoDb } from '../../local/dynamodb.js';
import type { LocalGateway } from '../../local/gateway/server.js';
import { deployedFunctions, startFunctions, type LocalFunctions } from '../../local/handlers.js';
import { startSigningGateway } from '../support/signing-gateway.js';
import { clientFor, failure, principal } from '../support/principals.js';
import { lambdaTracingEnvironment, sampledTraceHeader, startXRayDaemon, type XRayDaemon } from '../support/x-ray-daemon.js';

/**
 * A request that answered an error never completes later. The keys function runs with a 3 s
 * timeout behind a DynamoDB that answers every call after 2 s (slow, not down): a disable reads the
 * key, and its update is still on the wire when the function answers 503 just before its timeout.
 * That update must never reach the table. The stand-in drops a request whose sender hung up while
 * it waited, as a request lost on the way would be; it evaluates no IAM policy. The functions run
 * with Powertools Tracer on, as in Lambda under active tracing: its SDK middleware and subsegments
 * must not keep a call alive.
 */
const TABLE = 'request-end';
const DELAY_MS = 2_000;
let dynamoDb: LocalDynamoDb;
let slowDynamoDb: Server;
let functions: LocalFunctions;
let gateway: LocalGateway;
let dataDir: string;
let daemon: XRayDaemon;
/** When each request the stand-in forwarded reached the table, by operation. */
const forwarded: { operation: string; at: number }[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'envelope-request-end-'));
  dynamoDb = await startDynamoDb('dynalite', 0, dataDir);
  slowDynamoDb = createServer(async (req, res) => {
    let hungUp = false;
    res.on('close', () => (hungUp ||= !res.writableFinished));
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    await sleep(DELAY_MS);
    if (hungUp) return;
    const operation = String(req.headers['x-amz-target']).split('.')[1]!;
    forwarded.push({ operation, at: Date.now() });
    const answer = await fetch(dynamoDb.url, { method: 'POST', headers: req.headers as Record<string, string>, body: Buffer.concat(chunks) });
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((resolve) => slowDynamoDb.listen(0, '127.0.0.1', resolve));
  daemon = await startXRayDaemon();
  const environment = {
    ...lambdaTracingEnvironment('envelope-api-keys', daemon, sampledTraceHeader().header),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(slowDynamoDb.address() as AddressInfo).port}`,
    TABLE_NAME: TABLE,
    MASTER_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/11111111-1111-4111-8111-111111111111',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    ...(await localAuditTrail(dataDir)),
  };
  const deployed = deployedFunctions(() => environment);
  functions = await startFunctions({ ...deployed, keys: { ...deployed.keys, timeoutSeconds: 3 } });
  gateway = await startSigningGateway(functions.handlers);
});

afterAll(async () => {
  await gateway?.close();
  await functions?.close();
  slowDynamoDb?.closeAllConnections();
  slowDynamoDb?.close();
  await dynamoDb?.close();
  await daemon?.close();
});

describe('a request that runs out of time', () => {
  it('answers 503 before the function times out, and none of its writes happens afterwards', async () => {
    const table = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: dynamoDb.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    );
    await ensureTable(table, TABLE);
    const keyId = '6a3e1c52-9b1f-4c1e-8f5a-3d2b7c9e0f14';
    const owner = principal('owner').arn;
    const now = new Date().toISOString();
    await table.send(
      new PutCommand({
        TableName: TABLE,
        Item: {
          pk: `KEY#${keyId}`,
          sk: 'META',
          keyId,
          alias: null,
          description: null,
          state: 'Enabled',
          currentVersion: 1,
          versions: { 1: now },
          createdAt: now,
          createdBy: owner,
          deletionDate: null,
          policy: { admins: [owner], users: [owner] },
          revision: 1,
        },
      }),
    );

    const started = Date.now();
    const error = await failure(clientFor(gateway.url, 'owner').disableKey(keyId));
    const answeredAt = Date.now();
    expect(error).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(answeredAt - started).toBeLessThan(3_000);

    // Long after the update would have arrived, had it been left running.
    await sleep(DELAY_MS * 2);
    expect(forwarded.filter(({ at }) => at > answeredAt)).toEqual([]);
    // Before the answer: the idempotency record (the client sends a key) and the read of the key; never its update.
    expect(forwarded.map(({ operation }) => operation)).not.toContain('UpdateItem');
    const { Item } = await table.send(new GetCommand({ TableName: TABLE, Key: { pk: `KEY#${keyId}`, sk: 'META' } }));
    expect(Item).toMatchObject({ state: 'Enabled', revision: 1 });
    // The change's intent, then the early timeout's answer as its outcome: the request's only records.
    const records = (await readFile(auditFileIn(dataDir), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual([
      expect.objectContaining({ phase: 'intent', operation: 'disableKey', keyIds: [keyId], caller: owner }),
      expect.objectContaining({
        phase: 'outcome',
        operation: 'disableKey',
        keyIds: [keyId],
        outcome: 'DependencyUnavailable',
        status: 503,
        caller: owner,
      }),
    ]);
    // Its trace: the invocation a fault with its code, the read it waited for among its calls.
    const documents = daemon.documents();
    expect(documents.find((d) => d.name === '## index.handler')).toMatchObject({
      fault: true,
      annotations: { operation: 'POST /v1/keys/{key}/disable', keyId, errorCode: 'DependencyUnavailable' },
    });
    const calls = documents.filter((d) => d.name === 'DynamoDB');
    expect(calls.map((d) => (d.aws as { operation: string }).operation)).toContain('GetItem');
    // Every call, the aborted read and the cleanup after it included, within the invocation: it closed after them.
    const invocation = documents.find((d) => d.name === '## index.handler');
    expect(calls.map((d) => d.parent_id)).toEqual(calls.map(() => invocation?.id));
  });
});
