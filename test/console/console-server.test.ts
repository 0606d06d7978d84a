import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES } from '../../contract/index.js';
import { PAGE_KEY_FRAGMENT, PAGE_KEY_HEADER } from '../../packages/client/src/console/protocol.js';
import { type ConsoleServer, startConsoleServer } from '../../packages/client/src/console/server.js';
import { EnvelopeClient, type KeyPage } from '../../packages/client/src/index.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { freePort } from '../support/local-runtime-process.js';
import { clientFor } from '../support/principals.js';

/** The console's localhost server over real HTTP, forwarding to the local runtime: each of its refusals, and a call that goes through. */
const runtime = runtimeForFile({ POWERTOOLS_METRICS_DISABLED: 'true' });
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** One raw HTTP request: unlike fetch, node:http lets a test send any Host and Origin, and any path as written. */
function send(
  port: number,
  path: string,
  { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const errorOf = (reply: Reply) => (JSON.parse(reply.text) as { error: { code: string; message: string } }).error;

/** Opens the printed URL as a browser would: the session cookie the redirect sets, and the page key its fragment gives the page. */
async function signIn(server: ConsoleServer): Promise<SessionHeaders> {
  const url = new URL(server.url);
  const reply = await send(server.port, `${url.pathname}${url.search}`);
  expect(reply.status).toBe(303);
  const key = new URLSearchParams(new URL(reply.headers.location!, server.origin).hash.slice(1)).get(PAGE_KEY_FRAGMENT)!;
  return { cookie: reply.headers['set-cookie']![0]!.split(';')[0]!, [PAGE_KEY_HEADER]: key };
}

type SessionHeaders = { readonly cookie: string; readonly [PAGE_KEY_HEADER]: string };

let assets: string;
let server: ConsoleServer;
let session: SessionHeaders;

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'envelope-console-'));
  assets = join(root, 'ui');
  await mkdir(assets);
  await writeFile(join(assets, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(join(assets, 'app.js'), 'export {};');
  await writeFile(join(root, 'secret.txt'), 'outside the assets');
  server = await startConsoleServer({ client: clientFor(runtime().apiUrl, 'owner'), assetsDir: assets });
  session = await signIn(server);
});
afterAll(() => server?.close());

describe('the token in the printed URL', () => {
  it('is at least 128 random bits, in a URL on the loopback address', () => {
    const url = new URL(server.url);
    expect(url.origin).toBe(`http://127.0.0.1:${server.port}`);
    expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("is exchanged for an HttpOnly, SameSite=Strict cookie named for the port, and a page key in the redirect's fragment; the redirect drops the token", async () => {
    const url = new URL(server.url);
    const reply = await send(server.port, `${url.pathname}${url.search}`);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toMatch(/^\/#console-key=[A-Za-z0-9_-]{43}$/);
    expect(reply.headers['referrer-policy']).toBe('no-referrer'); // the token never leaves in a Referer
    expect(reply.headers['cache-control']).toBe('no-store');
    const [setCookie] = reply.headers['set-cookie']!;
    expect(setCookie).toMatch(new RegExp(`^envelope-console-${server.port}=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=/$`));
    expect(setCookie).not.toContain(url.searchParams.get('token'));
    expect(setCookie).not.toContain(reply.headers.location!.split('=')[1]);
  });

  it('is refused when wrong, and sets no cookie', async () => {
    const reply = await send(server.port, '/?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(reply.status).toBe(403);
    expect(reply.headers['set-cookie']).toBeUndefined();
    expect(errorOf(reply).code).toBe('AccessDenied');
  });

  it('is needed: without the cookie, or with another, nothing is served or forwarded', async () => {
    for (const headers of [{} as Record<string, string>, { cookie: `envelope-console-${server.port}=forged` }, { cookie: `${session.cookie}x` }]) {
      for (const path of ['/', '/api/v1/keys']) {
        const reply = await send(server.port, path, { headers });
        expect(reply.status).toBe(401);
        expect(errorOf(reply)).toEqual({ code: 'AccessDenied', message: 'No console session: open the URL `envelope console` printed.' });
      }
    }
  });

  it("is not enough alone: the cookie goes to every port of 127.0.0.1, so calls also need the page key that only the console's origin holds", async () => {
    for (const key of [undefined, 'forged', `${session[PAGE_KEY_HEADER]}x`]) {
      for (const path of ['/api/v1/keys', '/console/session']) {
        const reply = await send(server.port, path, { headers: { cookie: session.cookie, ...(key !== undefined && { [PAGE_KEY_HEADER]: key }) } });
        expect(reply.status).toBe(401);
        expect(errorOf(reply).message).toBe('This page holds no key of this console: open the URL `envelope console` printed.');
      }
    }
    // The pages themselves hold no secret: the cookie is enough for them.
    expect((await send(server.port, '/', { headers: { cookie: session.cookie } })).status).toBe(200);
    expect((await send(server.port, '/api/v1/keys', { headers: session })).status).toBe(200);
  });
});

describe('the Host header', () => {
  it('must name the loopback address or localhost, with the port: anything else is DNS rebinding', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, `127.0.0.1:${server.port + 1}`, `127.0.0.2:${server.port}`, '127.0.0.1']) {
      const reply = await send(server.port, '/api/v1/keys', { headers: { host, ...session } });
      expect(reply.status).toBe(421);
      expect(errorOf(reply).code).toBe('AccessDenied');
    }
    const viaLocalhost = await send(server.port, '/api/v1/keys', { headers: { host: `localhost:${server.port}`, ...session } });
    expect(viaLocalhost.status).toBe(200);
  });
});

describe('a change', () => {
  const create = (alias: string, origin?: string) =>
    send(server.port, '/api/v1/keys', {
      method: 'POST',
      headers: { ...session, 'content-type': 'application/json', ...(origin && { origin }) },
      body: JSON.stringify({ alias }),
    });
  const aliases = async () => (await clientFor(runtime().apiUrl, 'owner').listKeys({ limit: 100 })).keys.map((key) => key.alias);

  it('from a foreign Origin, or none, is refused and never reaches the API', async () => {
    for (const origin of ['http://evil.example', `http://127.0.0.1:${server.port + 1}`, 'null', undefined]) {
      const reply = await create('refused', origin);
      expect(reply.status).toBe(403);
      expect(errorOf(reply).code).toBe('AccessDenied');
    }
    expect(await aliases()).not.toContain('refused');
  });

  it("from the server's own origin is signed with the user's credentials and made, answered with the API's status", async () => {
    const reply = await create('made-here', server.origin);
    expect(reply.status).toBe(201);
    expect(JSON.parse(reply.text)).toMatchObject({ alias: 'made-here', state: 'Enabled' });
    expect(await aliases()).toContain('made-here');
  });
});

describe('forwarding', () => {
  it("lists the owner's keys end to end, as the API answers them, never cached", async () => {
    const created = await clientFor(runtime().apiUrl, 'owner').createKey({ alias: 'listed' });
    const reply = await send(server.port, '/api/v1/keys?limit=100', { headers: session });
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('no-store');
    expect(reply.headers['content-type']).toBe('application/json');
    expect((JSON.parse(reply.text) as KeyPage).keys.map((key) => key.keyId)).toContain(created.keyId);
    expect(reply.text).not.toMatch(/secret|AKIA/i);
  });

  it("answers the API's errors with the API's status, code and message", async () => {
    const reply = await send(server.port, '/api/v1/keys/alias%2Fnone-such', { headers: session });
    expect(reply.status).toBe(404);
    expect(errorOf(reply).code).toBe('KeyNotFound');
  });

  it('drops a body sent with GET or DELETE, as the API ignores one, rather than forwarding it', async () => {
    for (const body of ['{"x":1}', 'not json']) {
      const headers = { ...session, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) };
      const reply = await send(server.port, '/api/v1/keys?limit=1', { headers, body });
      expect(reply.status, `${body}: ${reply.text}`).toBe(200);
    }
  });

  it('forwards only the contract routes: any other path or method under /api is 404', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/nothing'],
      ['DELETE', '/api/v1/keys'],
      ['GET', '/api/'],
      ['GET', '/api/https://evil.example/'],
      ['GET', '/api/v1/keys/%2e%2e'],
      ['POST', '/api/v1/keys/%2E%2E/rotate'],
      ['POST', '/api/v1/grants/.%2E/retire'],
    ] as const) {
      const reply = await send(server.port, path, { method, headers: { ...session, origin: server.origin } });
      expect(reply.status, `${method} ${path}`).toBe(404);
      expect(errorOf(reply).code).toBe('NotFound');
    }
  });

  it('refuses a body over the API limit before forwarding it', async () => {
    const reply = await send(server.port, '/api/v1/encrypt', {
      method: 'POST',
      headers: { ...session, origin: server.origin, 'content-type': 'application/json' },
      body: Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x20),
    });
    expect(reply.status).toBe(413);
    expect(errorOf(reply).code).toBe('PayloadTooLarge');
  });

  it('answers 503 when the API cannot be reached, or does not answer in time', async () => {
    const closed = await freePort();
    const silent = createServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      for (const endpoint of [`http://127.0.0.1:${closed}`, `http://127.0.0.1:${(silent.address() as AddressInfo).port}`]) {
        const client = new EnvelopeClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIA0', secretAccessKey: 's' } });
        const other = await startConsoleServer({ client, assetsDir: assets, apiTimeoutMs: 300 });
        try {
          const reply = await send(other.port, '/api/v1/keys', { headers: await signIn(other) });
          expect(reply.status).toBe(503);
          expect(errorOf(reply).code).toBe('DependencyUnavailable');
        } finally {
          await other.close();
        }
      }
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
  it('answers a request whose body stalls with 408 once its time is up, and closes the connection', async () => {
    const other = await startConsoleServer({ client: clientFor(runtime().apiUrl, 'owner'), assetsDir: assets, requestTimeoutMs: 300 });
    try {
      const { cookie, [PAGE_KEY_HEADER]: key } = await signIn(other);
      const socket = connect(other.port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(`POST /api/v1/keys HTTP/1.1\r\nHost: 127.0.0.1:${other.port}\r\nOrigin: ${other.origin}\r\n`);
      socket.write(`Cookie: ${cookie}\r\n${PAGE_KEY_HEADER}: ${key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"alias":`);
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      await Promise.race([once(socket, 'close'), new Promise((_, reject) => setTimeout(() => reject(new Error('still open after 5 s')), 5_000))]);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await other.close();
    }
  });

  it('answers 403 saying how to sign, not an outage, when there are no credentials (or they expired)', async () => {
    const noCredentials = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    };
    const client = new EnvelopeClient({ endpoint: runtime().apiUrl, region: runtime().region, credentials: noCredentials });
    const other = await startConsoleServer({ client, assetsDir: assets });
    try {
      const reply = await send(other.port, '/api/v1/keys', { headers: await signIn(other) });
      expect(reply.status).toBe(403);
      expect(errorOf(reply)).toMatchObject({ code: 'AccessDenied', message: expect.stringContaining('The console cannot sign the call.') });
    } finally {
      await other.close();
    }
  });

  it('tells a change that timed out that it may still be made, and a read that it was only late', async () => {
    const silent = createServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const client = new EnvelopeClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIA0', secretAccessKey: 's' } });
    const other = await startConsoleServer({ client, assetsDir: assets, apiTimeoutMs: 300 });
    try {
      const otherSession = await signIn(other);
      const change = await send(other.port, '/api/v1/keys', { method: 'POST', headers: { ...otherSession, origin: other.origin }, body: '{}' });
      expect(change.status).toBe(503);
      expect(errorOf(change).message).toMatch(/may still be made: reload/);
      const read = await send(other.port, '/api/v1/keys', { headers: otherSession });
      expect(errorOf(read).message).not.toMatch(/may still be made/);
    } finally {
      await other.close();
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('the static assets', () => {
  it('are served with a strict Content-Security-Policy, nosniff and no referrer', async () => {
    for (const [path, type] of [
      ['/', 'text/html; charset=utf-8'],
      ['/app.js', 'text/javascript; charset=utf-8'],
      ['/keys/some-page', 'text/html; charset=utf-8'],
    ]) {
      const reply = await send(server.port, path!, { headers: session });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe(type);
      expect(reply.headers['content-security-policy']).toBe(CSP);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('never include a file outside their folder, however the path is written', async () => {
    for (const path of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%2e%2e%2fsecret.txt',
      '/x/..%2f..%2fsecret.txt',
    ]) {
      const reply = await send(server.port, path, { headers: session });
      expect(reply.text, path).not.toContain('outside the assets');
      expect(reply.status, path).toBe(404);
    }
  });

  it('when the UI is not built, / says so in a 404 JSON error', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'envelope-console-empty-'));
    const bare = await startConsoleServer({ client: clientFor(runtime().apiUrl, 'owner'), assetsDir: empty });
    try {
      const reply = await send(bare.port, '/', { headers: await signIn(bare) });
      expect(reply.status).toBe(404);
      expect(errorOf(reply)).toEqual({ code: 'NotFound', message: expect.stringContaining('not built') });
    } finally {
      await bare.close();
    }
  });
});

describe('the idle period', () => {
  it('stops the server when it passes without a request', async () => {
    const brief = await startConsoleServer({ client: clientFor(runtime().apiUrl, 'owner'), assetsDir: assets, idleMs: 300 });
    expect(brief.idleMs).toBe(300);
    expect(await brief.stopped).toBe('idle');
    await expect(send(brief.port, '/')).rejects.toThrow(/ECONNREFUSED/);
  });
});
