import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buffer } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { EnvelopeClient } from '../../packages/client/src/index.js';

/** The client's key-version methods and its clock offset, against a fake API that records what it got. */

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

const servers: (() => void)[] = [];
afterEach(() => {
  for (const close of servers.splice(0)) close();
});

/** A server answering every request 200 with a key's metadata. */
async function fakeApi(): Promise<{ endpoint: string; seen: SeenRequest[] }> {
  const seen: SeenRequest[] = [];
  const server = createServer(async (req, res) => {
    const body = (await buffer(req)).toString();
    seen.push({ method: req.method ?? '', path: new URL(req.url ?? '', 'http://x').pathname, headers: req.headers, body });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keyId: 'k/1', versions: [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(() => server.close());
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** X-Amz-Date (`20260102T030405Z`) as epoch milliseconds. */
const amzDate = (headers: IncomingHttpHeaders): number =>
  Date.parse(String(headers['x-amz-date']).replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));

describe('the key version methods', () => {
  it("call the contract's routes, each with an Idempotency-Key", async () => {
    const api = await fakeApi();
    const client = new EnvelopeClient({ endpoint: api.endpoint, region: 'us-east-1', credentials });
    await client.retireKeyVersions('k/1', 3);
    await client.scheduleKeyVersionDestruction('k/1', 7);
    await client.scheduleKeyVersionDestruction('k/1');
    await client.cancelKeyVersionDestruction('k/1');
    expect(api.seen.map(({ method, path, body }) => [method, path, body])).toEqual([
      ['PUT', '/v1/keys/k%2F1/min-decryption-version', '{"minDecryptionVersion":3}'],
      ['POST', '/v1/keys/k%2F1/schedule-version-destruction', '{"pendingWindowInDays":7}'],
      ['POST', '/v1/keys/k%2F1/schedule-version-destruction', '{}'],
      ['POST', '/v1/keys/k%2F1/cancel-version-destruction', ''],
    ]);
    const keys = api.seen.map(({ headers }) => headers['idempotency-key']);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('systemClockOffset', () => {
  it('moves the signing date by that many milliseconds; none by default', async () => {
    const api = await fakeApi();
    const hour = 3_600_000;
    const before = Date.now();
    await new EnvelopeClient({ endpoint: api.endpoint, region: 'us-east-1', credentials }).getKey('k');
    await new EnvelopeClient({ endpoint: api.endpoint, region: 'us-east-1', credentials, systemClockOffset: hour }).getKey('k');
    await new EnvelopeClient({ endpoint: api.endpoint, region: 'us-east-1', credentials, systemClockOffset: -hour }).getKey('k');
    const after = Date.now();
    const [plain, ahead, behind] = api.seen.map(({ headers }) => amzDate(headers));
    const within = (date: number | undefined, offset: number) => {
      expect(date).toBeGreaterThanOrEqual(before + offset - 1000);
      expect(date).toBeLessThanOrEqual(after + offset);
    };
    within(plain, 0);
    within(ahead, hour);
    within(behind, -hour);
    // The credential scope's date is the signing date's too.
    expect(api.seen[1]!.headers.authorization).toContain(`/${String(api.seen[1]!.headers['x-amz-date']).slice(0, 8)}/us-east-1/execute-api/`);
  });
});

describe('clock skew', () => {
  /** A server whose clock runs `aheadMs` ahead, refusing signatures over 15 minutes off as API Gateway words it. */
  async function serverAhead(
    aheadMs: number,
    message = 'Signature expired: the date is now earlier than the window',
  ): Promise<{ endpoint: string; seen: number[] }> {
    const seen: number[] = [];
    const server = createServer(async (req, res) => {
      await buffer(req);
      const signed = amzDate(req.headers);
      seen.push(signed);
      const now = Date.now() + aheadMs;
      const refused = Math.abs(now - signed) > 15 * 60_000;
      res.writeHead(refused ? 403 : 200, { 'content-type': 'application/json', date: new Date(now).toUTCString() });
      res.end(JSON.stringify(refused ? { error: { code: 'AccessDenied', message } } : { keyId: 'k', versions: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(() => server.close());
    return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
  }

  it("is corrected from the server's Date when a signature is refused for its time, once, and then kept", async () => {
    const days = 8 * 86_400_000;
    const api = await serverAhead(days);
    const client = new EnvelopeClient({ endpoint: api.endpoint, region: 'us-east-1', credentials, retry: { maxAttempts: 1 } });
    await client.getKey('k');
    await client.getKey('k');
    expect(api.seen).toHaveLength(3);
    expect(api.seen[1]! - api.seen[0]!).toBeGreaterThan(days - 60_000);
    expect(api.seen[2]! - api.seen[0]!).toBeGreaterThan(days - 60_000);
  });

  it('is left alone when a refusal is about something else', async () => {
    const api = await serverAhead(8 * 86_400_000, 'The request signature we calculated does not match the signature you provided.');
    const client = new EnvelopeClient({ endpoint: api.endpoint, region: 'us-east-1', credentials, retry: { maxAttempts: 1 } });
    await expect(client.getKey('k')).rejects.toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(api.seen).toHaveLength(1);
  });
});
