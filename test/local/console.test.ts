import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalConsole } from '../../local/console.js';
import { PortInUseError } from '../../local/http-server.js';
import { type ActivityPage, type ConsoleSession, PAGE_KEY_FRAGMENT, PAGE_KEY_HEADER } from '../../packages/client/src/console/protocol.js';
import type { ConsoleServer } from '../../packages/client/src/console/server.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { principal, principals } from '../support/principals.js';

/** `npm start`'s console: one identity per local principal, each call signed as the identity the UI picked. */
const runtime = runtimeForFile({ POWERTOOLS_METRICS_DISABLED: 'true' });
let server: ConsoleServer;
let cookie: string;
let pageKey: string;

beforeAll(async () => {
  server = await startLocalConsole(runtime());
  const exchanged = await fetch(server.url, { redirect: 'manual' });
  cookie = exchanged.headers.getSetCookie()[0]!.split(';')[0]!;
  pageKey = new URLSearchParams(new URL(exchanged.headers.get('location')!, server.origin).hash.slice(1)).get(PAGE_KEY_FRAGMENT)!;
});
afterAll(() => server?.close());

/** A call from the console's own page, as the identity named (or the default one). */
function call(path: string, { identity, method = 'GET', body }: { identity?: string; method?: string; body?: unknown } = {}) {
  return fetch(`${server.origin}${path}`, {
    method,
    headers: {
      cookie,
      [PAGE_KEY_HEADER]: pageKey,
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

describe("npm start's Activity page", () => {
  const alias = 'console-activity';
  let keyId: string;

  beforeAll(async () => {
    const created = await call('/api/v1/keys', { identity: 'owner', method: 'POST', body: { alias } });
    keyId = ((await created.json()) as { keyId: string }).keyId;
    await call('/api/v1/encrypt', { identity: 'owner', method: 'POST', body: { keyId: `alias/${alias}`, plaintext: 'aGVsbG8=' } });
    expect((await call(`/api/v1/keys/alias%2F${alias}`, { identity: 'outsider' })).status).toBe(403);
  });

  const activity = async (query: string, identity?: string) => {
    const reply = await call(`/console/activity?${query}`, { identity });
    expect(reply.status).toBe(200);
    return (await reply.json()) as ActivityPage;
  };

  it("lists the runtime's audit records of the last 24 hours, newest first, with hourly uses and denials", async () => {
    const page = await activity('');
    expect(page.source).toBe('local');
    expect(Date.parse(page.to!) - Date.parse(page.from!)).toBe(24 * 3_600_000);
    const times = page.records.map((record) => Date.parse(record.time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(page.records).toContainEqual({
      time: expect.any(String),
      caller: principal('owner').arn,
      operation: 'createKey',
      status: 201,
      outcome: 'Success',
      keyIds: [keyId],
    });
    const sum = (count: (hour: ActivityPage['hourly'][number]) => number) => page.hourly.reduce((total, hour) => total + count(hour), 0);
    expect(sum((hour) => hour.uses)).toBe(page.records.filter((record) => record.status < 400).length);
    expect(sum((hour) => hour.denials)).toBe(page.records.filter((record) => record.status === 403).length);
    expect(page.hourly.length).toBeGreaterThanOrEqual(24);
  });

  it('finds a key by its alias, hashed as the audit trail holds it, and counts a refusal as a denial', async () => {
    const page = await activity(`key=alias/${alias}`);
    expect(page.records.map(({ operation, outcome }) => `${operation} ${outcome}`)).toEqual([
      'getKey AccessDenied',
      'encrypt Success',
      'createKey Success',
    ]);
    expect(page.records[0]!.caller).toBe(principal('outsider').arn);
    expect(page.hourly.reduce((total, hour) => total + hour.denials, 0)).toBe(1);
    expect(page.hourly.reduce((total, hour) => total + hour.uses, 0)).toBe(2);
    expect(JSON.stringify(page)).not.toContain(alias);
  });

  it("filters by principal, and shows the same records whichever identity the console acts as (the operator's view)", async () => {
    const query = `principal=${encodeURIComponent(principal('outsider').arn)}`;
    const asOwner = await activity(query, 'owner');
    // Both of the outsider's reads in this file, and nothing of anyone else's.
    expect(asOwner.records.map(({ caller, outcome }) => `${caller} ${outcome}`)).toEqual(Array(2).fill(`${principal('outsider').arn} AccessDenied`));
    expect((await activity(query, 'stranger')).records).toEqual(asOwner.records);
  });

  it('reads a range given, and nothing outside it', async () => {
    const page = await activity('from=2020-01-01&to=2020-01-01T06:00:00Z');
    expect(page.records).toEqual([]);
    expect(page.hourly).toHaveLength(7);
  });

  it.each([
    ['from=yesterday', /from is not an ISO 8601 date/],
    ['to=2026-13-45', /to is not an ISO 8601 date/],
    ['from=2026-12-06T10:00:00Z&to=2026-12-06T09:00:00Z', /is after to/],
    ['from=2020-01-01&to=2020-06-01', /longer than 31 days/],
  ])('answers 400 ValidationError for %s', async (query, message) => {
    const reply = await call(`/console/activity?${query}`);
    expect(reply.status).toBe(400);
    const { error } = (await reply.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('ValidationError');
    expect(error.message).toMatch(message);
  });
});
