import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEncryptStream, EnvelopeClient, FileFormatError, InvalidResponseError } from '../../packages/client/src/index.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor } from '../support/principals.js';

const runtime = runtimeForFile({ POWERTOOLS_METRICS_DISABLED: 'true' });
const { version } = JSON.parse(readFileSync(new URL('../../packages/client/package.json', import.meta.url), 'utf8')) as { version: string };

/** A server that answers every request 200 with `answer(path)`, recording the headers it got. */
async function fakeApi(answer: (path: string) => unknown): Promise<{ endpoint: string; seen: IncomingHttpHeaders[]; close: () => void }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
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
      expect(api.seen.map((h) => h['user-agent'])).toEqual([`envelope-client/${version}`, `envelope-client/${version} my-app/1.2`]);
      for (const headers of api.seen) expect(headers.authorization).toMatch(/SignedHeaders=[^,]*\buser-agent\b/);
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
