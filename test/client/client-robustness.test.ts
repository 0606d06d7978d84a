import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { API_ROUTES, type ApiRoute } from '../../contract/index.js';
import {
  ConfigurationError,
  createEncryptStream,
  EnvelopeClient,
  FileFormatError,
  InvalidResponseError,
  NetworkError,
} from '../../packages/client/src/index.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor } from '../support/principals.js';

const runtime = runtimeForFile({ POWERTOOLS_METRICS_DISABLED: 'true' });
const { version } = JSON.parse(readFileSync(new URL('../../packages/client/package.json', import.meta.url), 'utf8')) as { version: string };

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

/** A server that answers every request 200 with `answer(path)`, recording what it got. */
async function fakeApi(answer: (path: string) => unknown): Promise<{ endpoint: string; seen: SeenRequest[]; close: () => void }> {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', path: new URL(req.url ?? '', 'http://x').pathname, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer(req.url ?? '')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => server.close() };
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

describe('the User-Agent', () => {
  it('is envelope-client/<version> on every request, with the caller’s token appended, and signed', async () => {
    const api = await fakeApi(() => ({ keyId: 'k', keys: [] }));
    try {
      await new EnvelopeClient({ endpoint: api.endpoint, region: 'us-east-1', credentials }).listKeys();
      await new EnvelopeClient({ endpoint: api.endpoint, region: 'us-east-1', credentials, userAgent: 'my-app/1.2' }).createKey();
      expect(api.seen.map((r) => r.headers['user-agent'])).toEqual([`envelope-client/${version}`, `envelope-client/${version} my-app/1.2`]);
      for (const { headers } of api.seen) expect(headers.authorization).toMatch(/SignedHeaders=[^,]*\buser-agent\b/);
    } finally {
      api.close();
    }
  });

  it('is accepted by the API, which verifies the signature over it', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const key = await owner.createKey();
    expect((await owner.getKey(key.keyId)).keyId).toBe(key.keyId);
  });
});

/** An answer with every field any method checks for, so that each call resolves. */
const ANY_ANSWER = { keys: [], grants: [], items: [], plaintext: '', encryptedKey: 'e', status: 'ok', dependencies: {} };

/** The contract's route a request went to, by its resource template (`{key}` is any one segment). */
const routeOf = ({ method, path }: SeenRequest): ApiRoute | undefined =>
  (API_ROUTES as readonly ApiRoute[]).find(
    (route) => route.method === method && new RegExp(`^${route.resource.replace(/\{\w+\}/g, '[^/]+')}$`).test(path),
  );

describe('requests', () => {
  it("go to the contract's routes, with an Idempotency-Key on exactly the routes it marks idempotent", async () => {
    const api = await fakeApi(() => ANY_ANSWER);
    const client = new EnvelopeClient({ endpoint: api.endpoint, region: 'us-east-1', credentials });
    try {
      await client.createKey();
      await client.listKeys();
      await client.getKey('alias/a b');
      await client.putKeyPolicy('k', { admins: [], users: [] });
      await client.putKeyTags('k', {});
      await client.createGrant('k', { grantee: 'arn:aws:iam::111122223333:user/teammate', operations: ['encrypt'] });
      await client.listGrants('k');
      await client.revokeGrant('k', 'g/1');
      await client.retireGrant('g');
      await client.rotateKey('k');
      await client.disableKey('k');
      await client.enableKey('k');
      await client.scheduleKeyDeletion('k', 7);
      await client.cancelKeyDeletion('k');
      await client.retireKeyVersions('k', 2);
      await client.scheduleKeyVersionDestruction('k', 7);
      await client.cancelKeyVersionDestruction('k');
      await client.encrypt('k', 'x');
      await client.decrypt('ev2.x');
      await client.rewrap('ev2.x');
      await client.generateDataKey('k');
      await client.masterKey();
      await client.dependencyHealth();
    } finally {
      api.close();
    }
    const routes = api.seen.map(routeOf);
    expect(routes).not.toContain(undefined);
    const signedRoutes = (API_ROUTES as readonly ApiRoute[]).filter((route) => route.iamAuth);
    expect(new Set(routes.map((route) => route!.operationId))).toEqual(new Set(signedRoutes.map((route) => route.operationId)));
    api.seen.forEach((request, i) => {
      expect('idempotency-key' in request.headers, routes[i]!.operationId).toBe(routes[i]!.idempotent === true);
    });
    expect(api.seen[2]!.path).toBe('/v1/keys/alias%2Fa%20b');
    expect(api.seen[7]!.path).toBe('/v1/keys/k/grants/g%2F1');
  });

  it('to a path of their own carry an Idempotency-Key when its route is idempotent, or when given one', async () => {
    const api = await fakeApi(() => ANY_ANSWER);
    const client = new EnvelopeClient({ endpoint: api.endpoint, region: 'us-east-1', credentials });
    try {
      await client.request('POST', 'v1/keys/k1/rotate');
      await client.request('POST', 'v1/encrypt', { keyId: 'k', plaintext: '' });
      await client.request('POST', 'v1/encrypt', { keyId: 'k', plaintext: '' }, {}, { idempotencyKey: 'mine' });
      await client.request('GET', 'v1/keys');
    } finally {
      api.close();
    }
    expect(api.seen.map((r) => typeof r.headers['idempotency-key'])).toEqual(['string', 'undefined', 'string', 'undefined']);
    expect(api.seen[2]!.headers['idempotency-key']).toBe('mine');
  });
});

describe('the endpoint and the region', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('come from ENVELOPE_API_URL and AWS_REGION, else AWS_DEFAULT_REGION, as the CLI reads them', async () => {
    const api = await fakeApi(() => ANY_ANSWER);
    try {
      vi.stubEnv('ENVELOPE_API_URL', api.endpoint);
      vi.stubEnv('AWS_REGION', undefined);
      vi.stubEnv('AWS_DEFAULT_REGION', 'eu-west-3');
      await new EnvelopeClient({ credentials }).listKeys();
      vi.stubEnv('AWS_REGION', 'ap-south-1');
      await new EnvelopeClient({ credentials }).listKeys();
      await new EnvelopeClient({ credentials, region: 'us-west-2' }).listKeys();
    } finally {
      api.close();
    }
    const regions = api.seen.map((r) => /Credential=[^/]+\/\d{8}\/([^/]+)\/execute-api\//.exec(String(r.headers.authorization))?.[1]);
    expect(regions).toEqual(['eu-west-3', 'ap-south-1', 'us-west-2']);
  });

  it('missing, or an endpoint that is not a URL, are a ConfigurationError before anything is sent', () => {
    vi.stubEnv('ENVELOPE_API_URL', undefined);
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
    expect(() => new EnvelopeClient({ region: 'us-east-1' })).toThrow(/^No endpoint: .*ENVELOPE_API_URL/);
    expect(() => new EnvelopeClient({ endpoint: 'http://127.0.0.1:9' })).toThrow(/^No region: .*AWS_REGION/);
    expect(() => new EnvelopeClient({ endpoint: 'localhost:3000', region: 'us-east-1' })).toThrow(/^The endpoint is not an http\(s\) URL/);
    expect(() => new EnvelopeClient({ endpoint: 'not a url', region: 'us-east-1' })).toThrow(ConfigurationError);
    expect(() => new EnvelopeClient()).toThrow(ConfigurationError);
  });
});

describe('answers of the wrong shape', () => {
  it('are an InvalidResponseError naming what is missing, not a TypeError from deep inside', async () => {
    const api = await fakeApi((path) => (path.startsWith('/v1/keys') ? { keys: 5, grants: 'none' } : { items: {}, hello: 'world' }));
    const client = new EnvelopeClient({ endpoint: api.endpoint, region: 'us-east-1', credentials });
    try {
      for (const call of [
        client.listKeys(),
        client.listGrants('k'),
        client.encryptMany('k', [{ plaintext: 'x' }]),
        client.decryptMany([{ ciphertext: 'ev2.x' }]),
        client.rewrapMany([{ ciphertext: 'ev2.x' }]),
        client.decrypt('ev2.x'),
        client.generateDataKey('k'),
      ]) {
        const error = await call.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidResponseError);
        expect(error).toMatchObject({ code: 'InvalidResponse' });
      }
    } finally {
      api.close();
    }
  });
});

describe('a file header that names another key than its data key', () => {
  it('is refused as InvalidCiphertext, the key id and the version both checked', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const victim = await owner.createKey();
    const real = await owner.createKey();
    const forge = async (keyId: string, keyVersion: number) => {
      const dataKey = await owner.generateDataKey(real.keyId);
      return buffer(
        Readable.from([Buffer.from('forged')]).pipe(
          createEncryptStream({ dataKey: dataKey.plaintextKey!, encryptedKey: dataKey.encryptedKey, keyId, keyVersion }),
        ),
      );
    };
    for (const [keyId, keyVersion] of [
      [victim.keyId, 1],
      [real.keyId, 7],
    ] as const) {
      const error = await buffer(Readable.from([await forge(keyId, keyVersion)]).pipe(owner.decryptStream())).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FileFormatError);
      expect(error).toMatchObject({ code: 'InvalidCiphertext' });
    }
    expect((await buffer(Readable.from([await forge(real.keyId, 1)]).pipe(owner.decryptStream()))).toString()).toBe('forged');
  });
});

describe('a request that cannot complete', () => {
  it('fails with a NetworkError, the socket’s error as its cause: unreachable, or cut off in its answer', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await new EnvelopeClient({ endpoint: `http://127.0.0.1:${closedPort}`, region: 'us-east-1', credentials })
      .listKeys()
      .catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(NetworkError);
    expect(unreachable).toMatchObject({ phase: 'request', message: 'The API could not be reached (ECONNREFUSED).', cause: { code: 'ECONNREFUSED' } });

    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"keys":');
      setTimeout(() => res.destroy(), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const cutOff = await new EnvelopeClient({ endpoint, region: 'us-east-1', credentials }).listKeys().catch((e: unknown) => e);
      expect(cutOff).toBeInstanceOf(NetworkError);
      expect(cutOff).toMatchObject({ phase: 'answer', message: expect.stringMatching(/^The API's answer was cut off/), cause: expect.any(Error) });
    } finally {
      server.close();
    }
  });

  it('reads a UTF-8 answer as fetch() does, a byte order mark dropped, and a 503’s Retry-After', async () => {
    const server = createServer((req, res) => {
      if (req.url?.startsWith('/v1/keys?')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(Buffer.concat([Buffer.of(0xef, 0xbb, 0xbf), Buffer.from('{"keys":[{"keyId":"clé"}]}')]));
        return;
      }
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end('{"error":{"code":"DependencyUnavailable","message":"later"}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const client = new EnvelopeClient({
        endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        region: 'us-east-1',
        credentials,
        retry: { maxAttempts: 1 },
      });
      expect((await client.listKeys({ limit: 1 })).keys).toEqual([{ keyId: 'clé' }]);
      expect(await client.getKey('k').catch((e: unknown) => e)).toMatchObject({ status: 503, code: 'DependencyUnavailable', retryAfterSeconds: 7 });
    } finally {
      server.close();
    }
  });
});
