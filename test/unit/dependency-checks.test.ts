import { createServer, type Server, type Socket } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_FUNCTIONS } from '../../lib/functions.js';
import type { DependencyFailure } from '../../contract/index.js';
import { CheckTimeout, failureOf, type Probe, runCheck } from '../../lambdas/http/dependency-checks.js';
import { CHECK_TIMEOUT_MS } from '../../lambdas/http/dependency-health.js';
import { probeClientConfig, tableProbe } from '../../lambdas/http/dependency-probes.js';

/**
 * Each dependency check is bounded by its timeout whatever the dependency does, and says why it
 * failed in the service's words. The table probe runs here against real sockets: one that accepts
 * and never answers (a hung DynamoDB), and a port nothing listens on (a dead one).
 */
const noLog = () => {};

describe('runCheck', () => {
  it('stops a probe that never answers at its timeout, and aborts its work', async () => {
    let aborted = false;
    const hung: Probe = (signal) => new Promise(() => signal.addEventListener('abort', () => (aborted = true)));
    const logged: DependencyFailure[] = [];
    const started = performance.now();
    const { status } = await runCheck(hung, 200, (reason) => logged.push(reason));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(status).toMatchObject({ status: 'unavailable', reason: 'Timeout' });
    expect(status.latencyMs).toBeGreaterThanOrEqual(190);
    expect(aborted).toBe(true);
    expect(logged).toEqual(['Timeout']);
  });

  it('reports a usable dependency ok with its facts, and one that answers it cannot serve NotUsable', async () => {
    expect(await runCheck(async () => ({ usable: true, keyState: 'Enabled' }), 1_000, noLog)).toEqual({
      status: { status: 'ok', latencyMs: expect.any(Number) },
      facts: { keyState: 'Enabled' },
    });
    expect((await runCheck(async () => ({ usable: false, keyState: 'Disabled' }), 1_000, noLog)).status).toMatchObject({ reason: 'NotUsable' });
  });

  it('keeps the error out of the status and hands it to the log', async () => {
    const error = Object.assign(new Error('User: arn:aws:sts::1:assumed-role/x is not authorized'), { name: 'AccessDeniedException' });
    const logged: unknown[] = [];
    const { status } = await runCheck(
      () => Promise.reject(error),
      1_000,
      (_, cause) => logged.push(cause),
    );
    expect(status).toEqual({ status: 'unavailable', latencyMs: expect.any(Number), reason: 'AccessDenied' });
    expect(logged).toEqual([error]);
  });

  it('fits, with the audit record after it (2 s) and the early answer (0.5 s), well inside the operator function', () => {
    expect(CHECK_TIMEOUT_MS + 2_000 + 500).toBeLessThan(API_FUNCTIONS.masterKey.timeoutSeconds * 1_000);
  });
});

describe('failureOf', () => {
  it.each<[string, unknown, DependencyFailure]>([
    ['a timeout', new CheckTimeout(1), 'Timeout'],
    ['a refused role', { name: 'AccessDeniedException' }, 'AccessDenied'],
    ['a refused file', { code: 'EACCES' }, 'AccessDenied'],
    ['throttling', { name: 'ThrottlingException' }, 'Throttled'],
    ['a refused connection', { code: 'ECONNREFUSED' }, 'Unreachable'],
    ['a 503', { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }, 'Unreachable'],
    ['a missing file', { code: 'ENOENT' }, 'Failed'],
    ['anything else', 'what', 'Failed'],
  ])('names %s', (_, error, reason) => {
    expect(failureOf(error)).toBe(reason);
  });
});

describe('the table probe', () => {
  let hung: Server;
  const held: Socket[] = [];
  beforeAll(async () => {
    hung = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => {
    for (const socket of held) socket.destroy();
    hung.close();
  });

  const probeAt = (port: number) =>
    tableProbe(
      new DynamoDBClient({
        ...probeClientConfig(),
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
      }),
      'data-keys',
    );

  it('answers Timeout within the check timeout when DynamoDB accepts and never answers', async () => {
    const started = performance.now();
    const { status } = await runCheck(probeAt((hung.address() as { port: number }).port), 300, noLog);
    expect(status).toMatchObject({ status: 'unavailable', reason: 'Timeout' });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('answers Unreachable when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    expect((await runCheck(probeAt(port), 2_000, noLog)).status).toMatchObject({ status: 'unavailable', reason: 'Unreachable' });
  });
});
