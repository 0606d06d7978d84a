import { beforeAll, describe, expect, it } from 'vitest';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor, signedHeaders } from '../support/principals.js';

/**
 * A JSON body is parsed plainly when its text cannot hold a key that JSON.parse would make a
 * prototype of, and by middy's protecting parser otherwise: either way a body with such a key,
 * however its key is spelled, is refused with the same answer, and any other body is read the same.
 */
const runtime = runtimeForFile({ POWERTOOLS_METRICS_DISABLED: 'true' });
let keyId: string;

beforeAll(async () => {
  keyId = (await clientFor(runtime().apiUrl, 'owner').createKey()).keyId;
});

async function encrypt(body: string): Promise<{ status: number; json: unknown }> {
  const url = new URL('v1/encrypt', runtime().apiUrl);
  const headers = await signedHeaders('owner', 'POST', url, { headers: { 'content-type': 'application/json' }, body });
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, json: await response.json() };
}

const notJson = { status: 400, json: { error: { code: 'ValidationError', message: 'The request body is not valid JSON.' } } };

describe('a JSON body', () => {
  it('with a __proto__ or constructor key, plain or spelled with escapes, is refused as not valid JSON', async () => {
    const item = '{"plaintext":"aGk="}';
    for (const forbidden of [
      '"__proto__":{"admin":true}',
      '"\\u005f_proto__":{"admin":true}',
      '"__pr\\u006fto__":{}',
      '"constructor":{"prototype":{"admin":true}}',
      '"c\\u006fnstructor":{"prototype":{}}',
    ]) {
      expect(await encrypt(`{"keyId":"${keyId}","items":[${item}],${forbidden}}`), forbidden).toEqual(notJson);
      expect(await encrypt(`{"keyId":"${keyId}","items":[{"plaintext":"aGk=",${forbidden}}]}`), forbidden).toEqual(notJson);
    }
  });

  it('with a constructor key that names no prototype is read as any other, as middy reads it', async () => {
    const { status } = await encrypt(`{"keyId":"${keyId}","items":[{"plaintext":"aGk=","context":{"constructor":"x"}}]}`);
    expect(status).toBe(200);
  });

  it('that only says __proto__, constructor or \\u in its values is read as any other', async () => {
    for (const reference of ['__proto__', 'constructor', '\\u00e9t\\u00e9', '日本', 'plain']) {
      const { status, json } = await encrypt(`{"keyId":"${keyId}","items":[{"plaintext":"aGk=","reference":"${reference}"}]}`);
      expect(status).toBe(200);
      expect((json as { items: { reference: string }[] }).items[0]!.reference).toBe(JSON.parse(`"${reference}"`));
    }
  });
});
