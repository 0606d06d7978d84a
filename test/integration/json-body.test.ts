import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../contract/index.js';
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

/** A signed request with the body as written (none when undefined), sent as JSON. */
async function send(method: string, path: string, body?: string): Promise<{ status: number; json: unknown }> {
  const url = new URL(path, runtime().apiUrl);
  const headers = await signedHeaders('owner', method, url, { headers: { 'content-type': 'application/json' }, body });
  const response = await fetch(url, { method, headers, body });
  return { status: response.status, json: await response.json() };
}

/**
 * The OpenAPI document types every body as an object, so JSON `null` is refused as `[]` is: by the
 * function where the body is optional (API Gateway passes any body of a method without a model),
 * and by the gateway where the method's model is of type object, as API Gateway's JSON Schema
 * draft 4 validation refuses it. An absent or empty body is still no body.
 */
describe('a body of JSON null', () => {
  const refused = { status: 400, json: { error: { code: 'ValidationError', message: expect.any(String) } } };
  /** The same refusal, naming what came instead of an object. */
  const notAnObject = (received: string) => ({
    status: 400,
    json: { error: { code: 'ValidationError', message: `body: Invalid input: expected object, received ${received}` } },
  });

  it('is refused where the body is optional, as any other body that is no object, and creates no key', async () => {
    const owner = clientFor(runtime().apiUrl, 'owner');
    const keys = (await owner.listKeys({ limit: 100 })).keys.length;
    expect(await send('POST', 'v1/keys', '[]')).toEqual(notAnObject('array'));
    for (const [body, type] of [
      ['null', 'null'],
      ['1', 'number'],
      ['true', 'boolean'],
    ]) {
      expect(await send('POST', 'v1/keys', body!), body).toEqual(notAnObject(type!));
    }
    expect(await send('POST', 'v1/keys', '"x"')).toEqual(refused);
    for (const path of [`v1/keys/${keyId}/rotate`, `v1/keys/${keyId}/schedule-deletion`, `v1/keys/${keyId}/disable`]) {
      expect(await send('POST', path, 'null'), path).toEqual(notAnObject('null'));
      expect(await send('POST', path, '[]'), path).toEqual(notAnObject('array'));
    }
    expect((await owner.listKeys({ limit: 100 })).keys.length).toBe(keys);
    expect(await owner.getKey(keyId)).toMatchObject({ currentVersion: 1, state: 'Enabled' });
  });

  it('is refused by the gateway where the method has a body model, as API Gateway refuses it', async () => {
    const modelled = API_ROUTES.filter((route) => 'jsonBody' in route);
    expect(modelled.length).toBeGreaterThan(0);
    for (const { method, resource } of modelled) {
      const path = resource.slice(1).replace('{key}', keyId);
      const invalid = { status: 400, json: { error: { code: 'ValidationError', message: 'Invalid request body' } } };
      expect(await send(method, path, 'null'), `${method} ${resource}`).toEqual(invalid);
      expect(await send(method, path, '[]'), `${method} ${resource}`).toEqual(invalid);
    }
  });

  it('is not an absent or empty body, which a route whose body is optional still reads as {}', async () => {
    for (const body of [undefined, '', '{}']) {
      expect(await send('POST', 'v1/keys', body), JSON.stringify(body)).toMatchObject({ status: 201, json: { state: 'Enabled' } });
      expect(await send('POST', `v1/keys/${keyId}/rotate`, body), JSON.stringify(body)).toMatchObject({ status: 200, json: { keyId } });
    }
  });
});
