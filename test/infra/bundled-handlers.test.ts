import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ApiFunctionName } from '../../contract/index.js';
import { API_FUNCTION_NAMES } from '../../lib/functions.js';
import { startFunctions, type LocalFunction, type LocalFunctions } from '../../local/handlers.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { startInProcessRuntime } from '../support/in-process-runtime.js';
import { clientFor, principal } from '../support/principals.js';
import { lambdaTracingEnvironment, sampledTraceHeader, startXRayDaemon, type XRayDaemon } from '../support/x-ray-daemon.js';
import { deployedBundle, synthesizeApp } from './synthesize.js';

/**
 * The artifacts `cdk deploy` uploads (minified ESM bundles with environment-only credentials),
 * run against the local KMS emulator and DynamoDB as Lambda would run them, active tracing included.
 */
const BUNDLE_DIR = fileURLToPath(new URL('../../node_modules/.cache/envelope-api/bundles/', import.meta.url));
let runtime: LocalRuntime;
let bundled: LocalFunctions;
let daemon: XRayDaemon;

beforeAll(async () => {
  runtime = await startInProcessRuntime();
  daemon = await startXRayDaemon();
  const trace = sampledTraceHeader();
  const app = synthesizeApp('bundles');
  const bundle = (fn: ApiFunctionName): LocalFunction => {
    const { timeout } = app.apiStack.functions[fn].function.node.defaultChild as CfnFunction;
    const built = deployedBundle(app, fn);
    expect(existsSync(built)).toBe(true);
    // Inside the project, as in Lambda's task root: a bundle that imported a package would find it (see the test below).
    const file = join(BUNDLE_DIR, fn, 'index.mjs');
    mkdirSync(join(BUNDLE_DIR, fn), { recursive: true });
    copyFileSync(built, file);
    // As Lambda runs it: its own environment, acting as its own role, enforced by the local runtime.
    const environment = { ...runtime.environmentFor(fn), ...lambdaTracingEnvironment(`envelope-api-${fn}`, daemon, trace.header) };
    return { entry: pathToFileURL(file).href, environment, timeoutSeconds: timeout! };
  };
  bundled = await startFunctions(Object.fromEntries(API_FUNCTION_NAMES.map((fn) => [fn, bundle(fn)])) as Record<ApiFunctionName, LocalFunction>);
});
afterAll(async () => {
  await bundled?.close();
  await runtime?.close();
  await daemon?.close();
});
const event = (method: string, resource: string, body?: unknown) =>
  ({
    httpMethod: method,
    resource,
    path: resource,
    body: body === undefined ? null : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    pathParameters: null,
    queryStringParameters: null,
    requestContext: { requestId: 'req-1', identity: { userArn: principal('owner').arn } },
  }) as unknown as APIGatewayProxyEvent;

describe('the deployable bundles', () => {
  it('import nothing but Node built-ins, and node:http not as an ES module: what a cold start does not load', () => {
    for (const fn of API_FUNCTION_NAMES) {
      const code = readFileSync(join(BUNDLE_DIR, fn, 'index.mjs'), 'utf8');
      const imported = [...code.matchAll(/(?:\bfrom|\bimport\(?)\s*"([\w@.:/-]+)"/g)].map(([, specifier]) => specifier!);
      // The AWS SDK is bundled, tree-shaken: the runtime's copy loaded whole clients file by file.
      expect(imported.filter((specifier) => !specifier.startsWith('node:'))).toEqual([]);
      // An ES module import of node:http reads its WebSocket getter, which loads undici.
      expect(imported).not.toContain('node:http');
    }
  });

  it('encrypt with the same data keys as the local runtime, using only environment credentials', async () => {
    const owner = clientFor(runtime.apiUrl, 'owner');
    const { keyId } = await owner.createKey();
    const response = await bundled.handlers.crypto(event('POST', '/v1/encrypt', { keyId, plaintext: Buffer.from('bundled').toString('base64') }));
    expect(response.statusCode).toBe(200);
    const { ciphertext } = JSON.parse(response.body) as { ciphertext: string };
    expect((await owner.decrypt(ciphertext)).plaintext.toString()).toBe('bundled');
    // Traced by the bundled Powertools Tracer: the key's read and its data key's unwrapping.
    const traced = daemon.documents().map((d) => `${d.name} ${(d.aws as { operation?: string } | undefined)?.operation ?? ''}`.trim());
    expect(traced).toEqual(expect.arrayContaining(['DynamoDB GetItem', 'KMS Decrypt', '## index.handler']));
  });

  it('answer master-key status and contract errors', async () => {
    const status = await bundled.handlers.masterKey(event('GET', '/v1/master-key'));
    expect(JSON.parse(status.body)).toMatchObject({ keyArn: runtime.masterKeyArn, keyState: 'Enabled' });
    const invalid = await bundled.handlers.crypto(event('POST', '/v1/decrypt', { ciphertext: 'ev1.nope' }));
    expect(invalid.statusCode).toBe(400);
    expect(JSON.parse(invalid.body)).toMatchObject({ error: { code: 'InvalidCiphertext' } });
  });

  it("answer the operators' dependency check, each probe traced", async () => {
    const checked = await bundled.handlers.masterKey(event('GET', '/v1/health/dependencies'));
    expect(checked.statusCode).toBe(200);
    expect(JSON.parse(checked.body)).toMatchObject({
      status: 'ok',
      dependencies: { kms: { status: 'ok' }, dynamodb: { status: 'ok' }, auditTrail: { status: 'ok' } },
    });
    const traced = daemon.documents().map((d) => `${d.name} ${(d.aws as { operation?: string } | undefined)?.operation ?? ''}`.trim());
    expect(traced).toEqual(expect.arrayContaining(['DynamoDB GetItem', 'KMS DescribeKey']));
  });
});
