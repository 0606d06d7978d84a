import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalConsole } from '../../local/console.js';
import { PortInUseError } from '../../local/http-server.js';
import type { ConsoleSession } from '../../packages/client/src/console/protocol.js';
import type { ConsoleServer } from '../../packages/client/src/console/server.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { principals } from '../support/principals.js';

/** `npm start`'s console: one identity per local principal, each call signed as the identity the UI picked. */
const runtime = runtimeForFile({ POWERTOOLS_METRICS_DISABLED: 'true' });
let server: ConsoleServer;
let cookie: string;

beforeAll(async () => {
  server = await startLocalConsole(runtime());
  const exchanged = await fetch(server.url, { redirect: 'manual' });
  cookie = exchanged.headers.getSetCookie()[0]!.split(';')[0]!;
});
afterAll(() => server?.close());

/** A call from the console's own page, as the identity named (or the default one). */
function call(path: string, { identity, method = 'GET', body }: { identity?: string; method?: string; body?: unknown } = {}) {
  return fetch(`${server.origin}${path}`, {
    method,
    headers: {
      cookie,
      origin: server.origin,
      'content-type': 'application/json',
      ...(identity !== undefined && { 'x-envelope-identity': identity }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe("npm start's console", () => {
  it('offers every local principal as an identity, in local mode, and never stops by itself', async () => {
    const reply = await call('/console/session');
    expect(reply.status).toBe(200);
    const session = (await reply.json()) as ConsoleSession;
    expect(session).toMatchObject({ endpoint: runtime().apiUrl, region: runtime().region, mode: 'local' });
    expect(session.identities.map(({ name, arn }) => ({ name, arn }))).toEqual(principals.map(({ name, arn }) => ({ name, arn })));
    expect(session.identities.find((identity) => identity.name === 'owner')?.description).toBe('keyManager, dataUser, operator');
    expect(session.identities.find((identity) => identity.name === 'stranger')?.description).toBe('no caller policy');
    expect(session.idleMinutes).toBeUndefined();
  });

  it('signs each call as the identity the UI picked: the owner reads its key, the outsider is refused by the key policy', async () => {
    const created = await call('/api/v1/keys', { identity: 'owner', method: 'POST', body: { description: 'console identities' } });
    expect(created.status).toBe(201);
    const { keyId } = (await created.json()) as { keyId: string };
    expect((await call(`/api/v1/keys/${keyId}`, { identity: 'owner' })).status).toBe(200);
    const refused = await call(`/api/v1/keys/${keyId}`, { identity: 'outsider' });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('AccessDenied');
  });

  it('answers 400 ValidationError for an identity that is not a local principal', async () => {
    const reply = await call('/api/v1/keys', { identity: 'mallory' });
    expect(reply.status).toBe(400);
    expect(((await reply.json()) as { error: { code: string } }).error.code).toBe('ValidationError');
  });

  it('names a port in use as npm start names its other ports', async () => {
    await expect(startLocalConsole(runtime(), { port: server.port })).rejects.toThrow(PortInUseError);
  });
});
