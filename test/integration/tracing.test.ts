import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiFunctionName } from '../../contract/index.js';
import type { LocalGateway } from '../../local/gateway/server.js';
import { deployedFunctions, startFunctions, type LocalFunctions } from '../../local/handlers.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { startSigningGateway } from '../support/signing-gateway.js';
import { clientFor, failure } from '../support/principals.js';
import { lambdaTracingEnvironment, sampledTraceHeader, startXRayDaemon, type TraceDocument, type XRayDaemon } from '../support/x-ray-daemon.js';

/**
 * The handlers with Powertools Tracer on, as in Lambda under active tracing: each function in a
 * worker of its own with Lambda's tracing variables, against the local KMS emulator and DynamoDB
 * (as its own role), sending its segments to a stand-in X-Ray daemon on UDP. The local runtime's
 * own functions run beside them, untraced, as `npm start` runs them.
 */
const runtime = runtimeForFile();
let daemon: XRayDaemon;
let traced: LocalFunctions;
let gateway: LocalGateway;
const trace = sampledTraceHeader();
/** Everything the functions (theirs and the runtime's) print, which Node forwards to this thread. */
const printed: string[] = [];

beforeAll(async () => {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return write(chunk, ...(rest as []));
    });
  }
  daemon = await startXRayDaemon();
  const deployed = deployedFunctions((fn: ApiFunctionName) => ({
    ...runtime().environmentFor(fn),
    ...lambdaTracingEnvironment(`envelope-api-${fn}`, daemon, trace.header),
  }));
  traced = await startFunctions(deployed);
  gateway = await startSigningGateway(traced.handlers);
});
afterAll(async () => {
  await gateway?.close();
  await traced?.close();
  await daemon?.close();
  vi.restoreAllMocks();
});

/** An invocation's subsegment (`## index.handler`) and the subsegments of its AWS calls. */
interface Invocation {
  readonly handler: TraceDocument;
  readonly calls: readonly TraceDocument[];
}

/**
 * Runs `request` and waits for its invocation's documents. Lambda runs one request at a time per
 * execution environment; so do these tests, so the only invocation of `operation` sent after
 * `request` started is its own.
 */
async function invocationOf<T>(operation: string, request: () => Promise<T>): Promise<{ result: T; invocation: Invocation }> {
  const from = daemon.datagrams.length;
  const result = await request();
  for (let waited = 0; waited < 5_000; waited += 20) {
    const documents = daemon.documents(from);
    const handler = documents.find((d) => d.name === '## index.handler' && d.annotations?.operation === operation);
    if (handler) return { result, invocation: { handler, calls: documents.filter((d) => d.parent_id === handler.id) } };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`No trace of ${operation} arrived.`);
}

const operationsOf = (invocation: Invocation, service: string) =>
  invocation.calls.filter((call) => call.name === service).map((call) => (call.aws as { operation: string }).operation);

describe('traces (Powertools Tracer, as in Lambda under active tracing)', () => {
  it("records each KMS and DynamoDB call as a subsegment of the invocation's, annotated with the operation and the key", async () => {
    const owner = clientFor(gateway.url, 'owner');
    const created = await invocationOf('POST /v1/keys', () => owner.createKey());
    const { keyId } = created.result;
    expect(created.invocation.handler).toMatchObject({
      trace_id: trace.root,
      annotations: { operation: 'POST /v1/keys', keyId, Service: 'envelope-api-local' },
    });
    expect(operationsOf(created.invocation, 'KMS')).toEqual(['GenerateDataKeyWithoutPlaintext']);
    expect(operationsOf(created.invocation, 'DynamoDB')).toEqual(expect.arrayContaining(['Query', 'PutItem']));
    expect(created.invocation.calls.find((call) => call.name === 'DynamoDB')).toMatchObject({
      namespace: 'aws',
      trace_id: trace.root,
      aws: { table_name: 'envelope-api-data-keys', region: 'us-east-1' },
    });

    // A cold data-key cache: the key's versions from DynamoDB, its data key unwrapped by KMS.
    const encrypted = await invocationOf('POST /v1/encrypt', () => owner.encrypt(keyId, 'traced'));
    expect(encrypted.invocation.handler.annotations).toMatchObject({ operation: 'POST /v1/encrypt', keyId });
    expect(operationsOf(encrypted.invocation, 'DynamoDB')).toContain('GetItem');
    expect(operationsOf(encrypted.invocation, 'KMS')).toEqual(['Decrypt']);
    expect(encrypted.invocation.handler.error ?? false).toBe(false);
  });

  it('flags an error answer with its code only', async () => {
    const owner = clientFor(gateway.url, 'owner');
    const notFound = await invocationOf('POST /v1/encrypt', () => failure(owner.encrypt('alias/no-such-key', 'x')));
    expect(notFound.result.message).toContain('alias/no-such-key');
    expect(notFound.invocation.handler).toMatchObject({ error: true, annotations: { operation: 'POST /v1/encrypt', errorCode: 'KeyNotFound' } });
    expect(notFound.invocation.handler).not.toHaveProperty('cause');
    expect(notFound.invocation.handler.annotations).not.toHaveProperty('keyId');
    expect(JSON.stringify(daemon.documents())).not.toContain('no-such-key');

    const unknown = await invocationOf('unknown', () => traced.handlers.crypto(unroutedEvent));
    expect(unknown.result.statusCode).toBe(404);
    expect(unknown.result.body).toContain('/v1/nowhere/secret-path');
    expect(unknown.invocation.handler).toMatchObject({ error: true, annotations: { errorCode: 'NotFound' } });
    expect(JSON.stringify(daemon.documents())).not.toContain('secret-path');
  });

  it('never holds a plaintext, a data key, a ciphertext, a context value or an alias, in calls, answers or errors', async () => {
    const owner = clientFor(gateway.url, 'owner');
    const from = daemon.datagrams.length;
    const secret = (label: string) => `${label}-${randomBytes(9).toString('hex')}`;
    const alias = secret('alias');
    const contextValue = secret('context');
    const plaintext = secret('plaintext');
    const context = { tenant: contextValue };

    const { keyId } = await owner.createKey({ alias, description: secret('description'), tags: { team: secret('tag') } });
    const sealed = await owner.encrypt(`alias/${alias}`, plaintext, context);
    const opened = await owner.decrypt(sealed.ciphertext, context);
    expect(opened.plaintext.toString()).toBe(plaintext);
    const dataKey = await owner.generateDataKey(keyId, context);
    const wrongContext = { tenant: secret('wrong-context') };
    expect((await failure(owner.decrypt(sealed.ciphertext, wrongContext))).code).toBe('InvalidCiphertext');
    const missingAlias = `alias/${alias}-missing`;
    const missing = await invocationOf('POST /v1/encrypt', () => failure(owner.encrypt(missingAlias, plaintext)));
    expect(missing.result.message).toContain(missingAlias);

    const received = daemon.datagrams.slice(from).join('\n');
    expect(received).toContain('"operation":"POST /v1/data-keys"');
    const secrets = {
      alias,
      contextValue,
      wrongContext: wrongContext.tenant,
      plaintext,
      plaintextBase64: Buffer.from(plaintext).toString('base64'),
      ciphertext: sealed.ciphertext,
      ciphertextBody: sealed.ciphertext.slice(-40),
      dataKey: dataKey.plaintextKey!.toString('base64'),
      dataKeyHex: dataKey.plaintextKey!.toString('hex'),
      encryptedDataKey: dataKey.encryptedKey,
    };
    for (const [what, value] of Object.entries(secrets)) expect(received.includes(value), `${what} in a trace`).toBe(false);
  });

  it('logs no X-Ray errors, traced or not', async () => {
    // The local runtime's functions: Tracer off (not in Lambda), no daemon, nothing to say.
    await clientFor(runtime().apiUrl, 'owner').createKey();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(printed.join('').match(/.*(x-?ray|segment|trace data|context missing).*/gi) ?? []).toEqual([]);
  });
});

/** A request no route serves, as API Gateway never sends one: its answer names its path. */
const unroutedEvent = {
  httpMethod: 'GET',
  resource: '/v1/nowhere/{path+}',
  path: '/v1/nowhere/secret-path',
  body: null,
  headers: {},
  pathParameters: null,
  queryStringParameters: null,
  requestContext: { requestId: 'unrouted', identity: { userArn: 'arn:aws:iam::000000000000:user/owner' } },
} as unknown as APIGatewayProxyEvent;
