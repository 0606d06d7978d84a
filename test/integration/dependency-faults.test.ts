import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
 * evaluate no IAM policy (the local runtime's suites do): what is tested is how faults map, and
 * what the function's log then tells an operator.
 */
type KmsFault = 'throttle' | 'unavailable' | 'refuse' | 'hang';
let kmsFault: KmsFault = 'throttle';
const KMS_ANSWERS: Record<Exclude<KmsFault, 'hang'>, [number, string]> = {
  throttle: [400, 'ThrottlingException'],
  unavailable: [503, 'ServiceUnavailableException'],
  refuse: [400, 'AccessDeniedException'],
};
/** The request id the faulty KMS answers with, as KMS does in `x-amzn-RequestId`. */
const KMS_REQUEST_ID = 'c0ffee00-0000-4000-8000-00000000d00d';
/** The functions' log lines, which Node forwards from their worker threads to this thread's standard streams. */
const logLines: Record<string, unknown>[] = [];
let faultyKms: Server;
let dynamoDb: LocalDynamoDb;
let gateway: LocalGateway;
let functions: LocalFunctions;

beforeAll(async () => {
  faultyKms = createServer((req, res) => {
    req.resume();
    // A dependency that accepts the connection and never answers (packets dropped, process paused).
    if (kmsFault === 'hang') return;
    const [status, type] = KMS_ANSWERS[kmsFault];
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type, 'x-amzn-requestid': KMS_REQUEST_ID });
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
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  captureLogLines();
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
  vi.restoreAllMocks();
});

/** Keeps the functions' JSON log lines (errors go to standard error) for the tests, out of the run's output; anything else passes through. */
function captureLogLines(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const lines = text.split('\n').filter((line) => line.startsWith('{"level":'));
      logLines.push(...lines.map((line) => JSON.parse(line) as Record<string, unknown>));
      return lines.length > 0 || write(chunk, ...(rest as []));
    });
  }
}

/** The next log line that `matches`, waiting for the worker's output. */
async function logLine(matches: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  for (let waited = 0; waited < 5000; waited += 20) {
    const index = logLines.findIndex(matches);
    if (index >= 0) return logLines.splice(index, 1)[0]!;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`No matching log line among ${JSON.stringify(logLines)}`);
}

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

  it('logs a 503 with what KMS answered: its exception, fault and request id, and nothing the caller sent', async () => {
    kmsFault = 'refuse';
    const plaintext = 'never-in-a-log-line';
    const error = await failure(clientFor(gateway.url, 'owner').createKey({ alias: 'refused-by-kms', description: plaintext }));
    expect(error).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
    const line = await logLine((candidate) => (candidate.cause as { name?: string } | undefined)?.name === 'AccessDeniedException');
    expect(line).toMatchObject({
      level: 'ERROR',
      message: 'Request failed with a server error',
      statusCode: 503,
      errorCode: 'DependencyUnavailable',
      cause: { name: 'AccessDeniedException', code: 'AccessDeniedException', fault: 'client', httpStatusCode: 400, requestId: KMS_REQUEST_ID },
    });
    expect(JSON.stringify(line)).not.toMatch(/never-in-a-log-line|refused-by-kms|Rate exceeded/);
  });

  it('answers 503 DependencyUnavailable with Retry-After when KMS hangs, instead of hanging with it', async () => {
    kmsFault = 'hang';
    const error = await failure(clientFor(gateway.url, 'owner').masterKey());
    expect(error).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    // The log tells this outage from a refusal.
    expect(await logLine((line) => (line.cause as { name?: string } | undefined)?.name === 'TimeoutError')).toMatchObject({
      errorCode: 'DependencyUnavailable',
    });
  });

  it('answers 503 DependencyUnavailable when DynamoDB is unreachable', async () => {
    await dynamoDb.close();
    const error = await failure(clientFor(gateway.url, 'owner').encrypt('alias/anything', 'x'));
    expect(error).toMatchObject({ status: 503, code: 'DependencyUnavailable' });
  });
});
