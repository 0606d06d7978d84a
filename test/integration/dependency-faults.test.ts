import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAuditTrail } from '../../local/audit-trail.js';
import { ensureTable, startDynamoDb, type LocalDynamoDb } from '../../local/dynamodb.js';
import type { LocalGateway } from '../../local/gateway/server.js';
import { deployedFunctions, startFunctions, type LocalFunctions } from '../../local/handlers.js';
import { startSigningGateway } from '../support/signing-gateway.js';
import { clientFor, failure } from '../support/principals.js';

/**
 * The real handlers behind the real gateway, with dependencies that fail on the wire: a KMS
 * endpoint that throttles or answers 503, and a DynamoDB that goes away. The unmodified SDK
 * clients retry and then give up, and callers must see 429 and 503, never 500. These stand-ins
 * evaluate no IAM policy (the local runtime's suites do): what is tested is how faults map.
 */
type KmsFault = 'throttle' | 'unavailable' | 'hang';
let kmsFault: KmsFault = 'throttle';
let faultyKms: Server;
let dynamoDb: LocalDynamoDb;
let gateway: LocalGateway;
let functions: LocalFunctions;

beforeAll(async () => {
  faultyKms = createServer((req, res) => {
    req.resume();
    // A dependency that accepts the connection and never answers (packets dropped, process paused).
    if (kmsFault === 'hang') return;
    const [status, type] = kmsFault === 'throttle' ? [400, 'ThrottlingException'] : [503, 'ServiceUnavailableException'];
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type });
    res.end(JSON.stringify({ __type: type, message: 'Rate exceeded' }));
  });
  await new Promise<void>((resolve) => faultyKms.listen(0, '127.0.0.1', resolve));
  const dataDir = await mkdtemp(join(tmpdir(), 'envelope-faults-'));
  dynamoDb = await startDynamoDb('dynalite', 0, dataDir);
  Object.assign(process.env, await localAuditTrail(dataDir), {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_MAX_ATTEMPTS: '2',
    AWS_ENDPOINT_URL_KMS: `http://127.0.0.1:${(faultyKms.address() as AddressInfo).port}`,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.url,
    TABLE_NAME: 'faults',
    MASTER_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/11111111-1111-4111-8111-111111111111',
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  });
  await ensureTable(new DynamoDBClient({}), 'faults');
  functions = await startFunctions(deployedFunctions(() => ({ ...(process.env as Record<string, string>) })));
  gateway = await startSigningGateway(functions.handlers);
});

afterAll(async () => {
  await gateway?.close();
  await functions?.close();
  await dynamoDb?.close().catch(() => undefined);
  faultyKms?.closeAllConnections();
  faultyKms?.close();
});

describe('when a dependency fails', () => {
  it('answers 429 Throttled with Retry-After once KMS throttling outlasts the SDK retries', async () => {
    kmsFault = 'throttle';
    const error = await failure(clientFor(gateway.url, 'owner').createKey({ alias: 'throttled' }));
    expect(error).toMatchObject({ status: 429, code: 'Throttled' });
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    // The alias claimed before the KMS call was released again.
    kmsFault = 'unavailable';
    expect(await failure(clientFor(gateway.url, 'owner').createKey({ alias: 'throttled' }))).toMatchObject({ status: 503 });
  });

  it('answers 503 DependencyUnavailable when KMS fails', async () => {
    kmsFault = 'unavailable';
    const error = await failure(clientFor(gateway.url, 'owner').masterKey());
    expect(error).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
    expect(error.message).not.toMatch(/Rate exceeded|127\.0\.0\.1/);
  });

  it('answers 503 DependencyUnavailable with Retry-After when KMS hangs, instead of hanging with it', async () => {
    kmsFault = 'hang';
    const error = await failure(clientFor(gateway.url, 'owner').masterKey());
    expect(error).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('answers 503 DependencyUnavailable when DynamoDB is unreachable', async () => {
    await dynamoDb.close();
    const error = await failure(clientFor(gateway.url, 'owner').encrypt('alias/anything', 'x'));
    expect(error).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
  });
});
