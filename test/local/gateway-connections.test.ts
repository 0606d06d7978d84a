import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES } from '../../contract/index.js';
import type { LocalGateway, ProxyHandler } from '../../local/gateway/server.js';
import { startSigningGateway } from '../support/signing-gateway.js';

/**
 * A connection stays usable after the gateway answers before reading a whole body: the rest of the
 * body is read and thrown away, so that the caller sees the answer rather than a reset, and the
 * caller's next request on the same keep-alive connection is answered; a body declared longer than
 * twice the API's limit, or a chunked one past the limit, is not waited for and the answer closes
 * the connection. The functions answer 200 to whatever reaches them. Every wait is bounded,
 * so that a connection left hanging fails the test instead of stalling it.
 */
const answered: ProxyHandler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' });
const WAIT_MS = 10_000;
const OVERSIZED = MAX_REQUEST_BYTES + 1024 * 1024;
const NOT_WAITED_FOR = 2 * MAX_REQUEST_BYTES + 1024 * 1024;
let gateway: LocalGateway;
let agent: Agent;

beforeAll(async () => {
  gateway = await startSigningGateway({ keys: answered, crypto: answered, masterKey: answered, health: answered });
});
afterAll(async () => gateway?.close());
afterEach(() => agent?.destroy());

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Whether the request went out on a connection an earlier request had used. */
  readonly reusedSocket: boolean;
}

/** Sends a request with the test's keep-alive agent; a body without a declared length is sent chunked. */
function send(method: string, path: string, body?: { bytes: number; declareLength: boolean }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = body && {
      'content-type': 'application/json',
      ...(body.declareLength ? { 'content-length': String(body.bytes) } : { 'transfer-encoding': 'chunked' }),
    };
    let responded = false;
    const req = request(`${gateway.url}${path}`, { method, agent, headers, signal: AbortSignal.timeout(WAIT_MS) }, (res) => {
      responded = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), reusedSocket: req.reusedSocket }),
      );
    });
    // The gateway may answer, and close, before the whole body is written: then only the answer counts.
    req.on('error', (error) => (responded ? undefined : reject(error)));
    req.end(body && Buffer.alloc(body.bytes, 0x61));
  });
}

describe('after an answer given before the body was read, with a keep-alive agent', () => {
  it('refuses a body declared longer than 10 MB with 413, and a caller sending the whole of it reads the answer', async () => {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const refused = await send('POST', '/v1/encrypt', { bytes: OVERSIZED, declareLength: true });
    expect(refused.status).toBe(413);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'PayloadTooLarge' } });
    expect(refused.headers.connection).toBe('keep-alive');
  });

  it('refuses a body declared longer than 20 MB with 413 and closes the connection; the next request goes out on a new one', async () => {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const refused = await send('POST', '/v1/encrypt', { bytes: NOT_WAITED_FOR, declareLength: true });
    expect(refused.status).toBe(413);
    expect(refused.headers.connection).toBe('close');

    const next = await send('GET', '/v1/health');
    expect(next).toMatchObject({ status: 200, reusedSocket: false });
  });

  it('refuses a chunked body once it passes 10 MB with 413 and closes the connection; the next request goes out on a new one', async () => {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const refused = await send('POST', '/v1/encrypt', { bytes: 3 * OVERSIZED, declareLength: false });
    expect(refused.status).toBe(413);
    // However long the rest is, the connection is never promised and then cut.
    expect(refused.headers.connection).toBe('close');

    expect(await send('GET', '/v1/health')).toMatchObject({ status: 200, reusedSocket: false });
  });

  it('answers one request after another when each sends too much', async () => {
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    for (const declareLength of [true, false, true]) {
      expect((await send('POST', '/v1/encrypt', { bytes: OVERSIZED, declareLength })).status).toBe(413);
      expect((await send('GET', '/v1/health')).status).toBe(200);
    }
  });
});

describe('on one connection', () => {
  let socket: Socket;
  afterEach(() => socket?.destroy());

  it('answers a chunked body sent past 10 MB with 413 and Connection: close, and then closes the connection', async () => {
    socket = await open();
    socket.write(`POST /v1/encrypt HTTP/1.1\r\nHost: local\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const answer = readResponse(socket);
    const closed = once(socket, 'close');
    socket.write(`${OVERSIZED.toString(16)}\r\n`);
    socket.write(Buffer.alloc(OVERSIZED, 0x61));
    socket.on('error', () => {});
    expect(await answer).toMatchObject({ status: 413, connection: 'close' });
    await closed;
  });

  it('reads to its end a body declared longer than 10 MB but at most 20 MB after its 413, and then answers the next request', async () => {
    socket = await open();
    socket.write(`POST /v1/encrypt HTTP/1.1\r\nHost: local\r\nContent-Type: application/json\r\nContent-Length: ${OVERSIZED}\r\n\r\n`);
    const answer = readResponse(socket);
    socket.write(Buffer.alloc(OVERSIZED, 0x61));
    expect(await answer).toMatchObject({ status: 413, connection: 'keep-alive' });

    socket.write('GET /v1/health HTTP/1.1\r\nHost: local\r\n\r\n');
    expect(await readResponse(socket)).toMatchObject({ status: 200 });
  });

  it('reads the body of a request to a resource the API does not have, and then answers the next request', async () => {
    socket = await open();
    const body = Buffer.alloc(4 * 1024 * 1024, 0x61);
    socket.write(`POST /v1/nowhere HTTP/1.1\r\nHost: local\r\nContent-Length: ${body.length}\r\n\r\n`);
    const answer = readResponse(socket);
    socket.write(body);
    expect(await answer).toMatchObject({ status: 403, connection: 'keep-alive' });

    socket.write('GET /v1/health HTTP/1.1\r\nHost: local\r\n\r\n');
    expect(await readResponse(socket)).toMatchObject({ status: 200 });
  });
});

async function open(): Promise<Socket> {
  const { hostname, port } = new URL(gateway.url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  return socket;
}

/**
 * The next response on a raw connection: its status and `Connection` header, once the whole of it
 * (a chunked body up to its last chunk, or `Content-Length` bytes) has arrived.
 */
function readResponse(socket: Socket): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => settle(new Error(`no whole response in ${WAIT_MS} ms: ${received.toString().slice(0, 200)}`)), WAIT_MS);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const response = wholeResponse(received.toString('latin1'));
      if (response) settle(undefined, response);
    };
    const onClose = () => settle(new Error('the gateway closed the connection'));
    const settle = (error?: Error, response?: { status: number; connection: string | undefined }) => {
      clearTimeout(timer);
      socket.off('data', onData).off('close', onClose);
      if (error) reject(error);
      else resolve(response!);
    };
    socket.on('data', onData).on('close', onClose);
  });
}

function wholeResponse(text: string): { status: number; connection: string | undefined } | undefined {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const head = text.slice(0, headEnd);
  const body = text.slice(headEnd + 4);
  const header = (name: string) => new RegExp(`^${name}: *(.*)$`, 'im').exec(head)?.[1]?.trim();
  const complete = /chunked/i.test(header('transfer-encoding') ?? '')
    ? body.endsWith('0\r\n\r\n')
    : body.length >= Number(header('content-length') ?? 0);
  return complete ? { status: Number(head.split(' ')[1]), connection: header('connection')?.toLowerCase() } : undefined;
}
