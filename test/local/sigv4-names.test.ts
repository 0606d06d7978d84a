import { get as httpGet } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiFunctionName } from '../../contract/index.js';
import type { LocalGateway, ProxyHandler } from '../../local/gateway/server.js';
import { runtimeForFile } from '../support/in-process-runtime.js';
import { clientFor, signedHeaders } from '../support/principals.js';
import { type BotocoreRequest, botocoreGets, curlSigned, type SignedAnswer } from '../support/other-signers.js';
import { startSigningGateway } from '../support/signing-gateway.js';

/**
 * SigV4 bounds the names a request carries by HTTP's rules alone: a signed header's name is any
 * field name (an RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~), in lowercase, and a query
 * parameter's name is any bytes, URI-encoded in the canonical query ("Create a signed AWS API
 * request", IAM user guide). Signed by the AWS SDK for JavaScript's SignatureV4, by botocore and by
 * curl --aws-sigv4, such names pass the gateway and reach the function as sent. Names an object
 * inherits (`__proto__`, `constructor`, `toString`) are names like any other on the whole request
 * path: the gateway's headers, its choice of body model, the event, the handlers' parsing.
 */

/** Header names that are tokens but not `[a-z0-9-]`, and names of Object.prototype's members. */
const HEADER_NAMES = ['x-amz-meta_foo', 'x.custom', 'x~tilde', "x!#$%&'*+-.^_`|~09", 'constructor', 'tostring', '__proto__'];
/** Query parameter names of Object.prototype's members, and a plain one to compare them with. */
const QUERY_NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', 'x'];

type Answer = SignedAnswer;

/** GET requests signed by botocore's SigV4Auth, as the owner. */
const botocore = (requests: readonly BotocoreRequest[]): Promise<Answer[]> => botocoreGets(requests);

/** Signed by @smithy/signature-v4, as the project's client signs (the query is the URL's). */
async function sdk(url: URL, { headers = {}, unsent = [] }: { headers?: Record<string, string>; unsent?: readonly string[] } = {}): Promise<Answer> {
  const signed = await signedHeaders('owner', 'GET', url, { headers });
  // A header signed, then left out of the request.
  for (const name of unsent) delete signed[name];
  // Sent by node:http: fetch (undici) sends no header named `__proto__`.
  return new Promise((resolve, reject) => {
    httpGet(url, { headers: signed }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }));
    }).on('error', reject);
  });
}

/** Signed by curl --aws-sigv4, which signs the headers given with -H and the query as typed. */
const curl = (url: string, ...args: string[]): Promise<Answer> => curlSigned(url, args);

const headerValueFor = (name: string) => `value of ${name}`;
const signedNames = (event: APIGatewayProxyEvent) => /SignedHeaders=([^,]+)/.exec(event.headers.authorization ?? '')![1]!.split(';');

describe('through the gateway, to a function that records its event', () => {
  let gateway: LocalGateway;
  const events: APIGatewayProxyEvent[] = [];
  const record: ProxyHandler = async (event) => {
    events.push(event);
    return { statusCode: 200, body: '{}' };
  };
  /** The events of the requests `send` makes, in order. */
  const recorded = async (send: () => Promise<unknown>): Promise<APIGatewayProxyEvent[]> => {
    events.length = 0;
    await send();
    return [...events];
  };

  beforeAll(async () => {
    const handlers = Object.fromEntries((['keys', 'crypto', 'masterKey', 'health'] satisfies ApiFunctionName[]).map((fn) => [fn, record]));
    gateway = await startSigningGateway(handlers as Record<ApiFunctionName, ProxyHandler>);
  });
  afterAll(async () => gateway?.close());

  /** The event carries the header as an own property, signed, in a plain object. */
  function expectHeaderPassed(event: APIGatewayProxyEvent | undefined, name: string): void {
    expect(event, name).toBeDefined();
    expect(Object.getPrototypeOf(event!.headers)).toBe(Object.prototype);
    expect(Object.hasOwn(event!.headers, name), name).toBe(true);
    expect(event!.headers[name]).toBe(headerValueFor(name));
    expect(event!.multiValueHeaders[name]).toEqual([headerValueFor(name)]);
    expect(signedNames(event!)).toContain(name);
  }

  /** The event carries the parameter as an own property of plain objects, and nothing else changed. */
  function expectParameterPassed(event: APIGatewayProxyEvent | undefined, name: string): void {
    expect(event, name).toBeDefined();
    const { queryStringParameters: single, multiValueQueryStringParameters: multi } = event!;
    expect(Object.getPrototypeOf(single)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(multi)).toBe(Object.prototype);
    expect(Object.entries(single!)).toEqual([[name, 'x']]);
    expect(Object.entries(multi!)).toEqual([[name, ['x']]]);
  }

  it.each(HEADER_NAMES)('accepts a signed header named %s from SignatureV4, and passes it on', async (name) => {
    const [event] = await recorded(async () => {
      expect(await sdk(new URL('/v1/keys', gateway.url), { headers: { [name]: headerValueFor(name) } })).toEqual({ status: 200, body: {} });
    });
    expectHeaderPassed(event, name);
  });

  it('accepts every one of them from botocore, which signs every header it sends', async () => {
    const sent = await recorded(async () => {
      const answers = await botocore(HEADER_NAMES.map((name) => ({ url: `${gateway.url}/v1/keys`, headers: { [name]: headerValueFor(name) } })));
      expect(answers).toEqual(HEADER_NAMES.map(() => ({ status: 200, body: {} })));
    });
    for (const [i, name] of HEADER_NAMES.entries()) expectHeaderPassed(sent[i], name);
  });

  it('accepts every one of them from curl, which signs the headers given with -H', async () => {
    for (const name of HEADER_NAMES) {
      const [event] = await recorded(async () => {
        expect(await curl(`${gateway.url}/v1/keys`, '-H', `${name}: ${headerValueFor(name)}`)).toEqual({ status: 200, body: {} });
      });
      expectHeaderPassed(event, name);
    }
  });

  it('refuses a header name out of the token alphabet as a malformed Authorization, and an upper-case one in SignedHeaders', async () => {
    const signed = await signedHeaders('owner', 'GET', new URL('/v1/keys', gateway.url), { headers: { 'x-ok': 'v' } });
    for (const wrong of ['x(ok', 'X-OK', 'x-ok;;host', 'x-ok;']) {
      const authorization = signed.authorization!.replace(/SignedHeaders=[^,]+/, (list) => list.replace('x-ok', wrong));
      const response = await fetch(new URL('/v1/keys', gateway.url), { headers: { ...signed, authorization } });
      expect(response.status, wrong).toBe(403);
      expect(await response.json()).toEqual({
        error: { code: 'AccessDenied', message: `Authorization header is not a valid AWS4-HMAC-SHA256 one. Authorization=${authorization}` },
      });
    }
  });

  it('accepts query parameters named as members of Object.prototype from botocore and curl, and passes them on', async () => {
    const sent = await recorded(async () => {
      const answers = await botocore(QUERY_NAMES.map((name) => ({ url: `${gateway.url}/v1/keys`, params: { [name]: 'x' } })));
      expect(answers).toEqual(QUERY_NAMES.map(() => ({ status: 200, body: {} })));
    });
    for (const [i, name] of QUERY_NAMES.entries()) expectParameterPassed(sent[i], name);
    for (const name of QUERY_NAMES) {
      const [event] = await recorded(async () => expect(await curl(`${gateway.url}/v1/keys?${name}=x`)).toEqual({ status: 200, body: {} }));
      expectParameterPassed(event, name);
    }
  });

  /*
   * SignatureV4 (@smithy/signature-v4) builds the canonical query by assignment to a plain object,
   * where `__proto__` is the prototype's setter: it signs `[object Object]` for the query, as
   * https://github.com/openai/openai-node/pull/2375 found. AWS signs `__proto__=x`, so it refuses
   * that signature, and so does the gateway, whose refusal shows the canonical query AWS computes.
   */
  it('accepts them from SignatureV4 too, but for __proto__, which SignatureV4 signs as [object Object] and AWS refuses', async () => {
    for (const name of QUERY_NAMES.filter((n) => n !== '__proto__')) {
      const url = new URL(`/v1/keys?${name}=x`, gateway.url);
      const [event] = await recorded(async () => expect(await sdk(url)).toEqual({ status: 200, body: {} }));
      expectParameterPassed(event, name);
    }
    const proto = await recorded(async () => {
      const answer = await sdk(new URL('/v1/keys?__proto__=x', gateway.url));
      expect(answer).toMatchObject({ status: 403, body: { error: { code: 'AccessDenied' } } });
      expect((answer.body as { error: { message: string } }).error.message).toContain("'GET\n/v1/keys\n__proto__=x\nhost:");
    });
    expect(proto).toEqual([]);
  });

  it('reads a Content-Type named as a member of Object.prototype as a media type without a model, as text/plain', async () => {
    const body = '[]';
    for (const mediaType of ['text/plain', 'constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const url = new URL('/v1/encrypt', gateway.url);
      const headers = await signedHeaders('owner', 'POST', url, { headers: { 'content-type': mediaType }, body });
      const response = await fetch(url, { method: 'POST', headers, body });
      expect([mediaType, response.status, await response.json()]).toEqual([mediaType, 200, {}]);
    }
    // With a JSON media type, the body model applies: `[]` is no object.
    const headers = await signedHeaders('owner', 'POST', new URL('/v1/encrypt', gateway.url), {
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect((await fetch(new URL('/v1/encrypt', gateway.url), { method: 'POST', headers, body })).status).toBe(400);
  });

  it('verifies a signed header the request does not carry, named as a member of Object.prototype, as any other such header', async () => {
    const answers = [];
    for (const name of ['x-absent', 'constructor', '__proto__', 'tostring', 'valueof']) {
      answers.push(await sdk(new URL('/v1/keys', gateway.url), { headers: { [name]: '' }, unsent: [name] }));
    }
    expect(answers).toEqual(answers.map(() => ({ status: 200, body: {} })));
  });
});

describe('through the local runtime, to the real handlers', () => {
  const runtime = runtimeForFile({ POWERTOOLS_METRICS_DISABLED: 'true' });
  let keyId: string;

  beforeAll(async () => {
    keyId = (await clientFor(runtime().apiUrl, 'owner').createKey()).keyId;
  });

  it('answers a query parameter named as a member of Object.prototype as any unknown parameter', async () => {
    const [listed, got] = [
      await botocore(QUERY_NAMES.map((name) => ({ url: `${runtime().apiUrl}/v1/keys`, params: { [name]: 'x' } }))),
      await botocore(QUERY_NAMES.map((name) => ({ url: `${runtime().apiUrl}/v1/keys/${keyId}`, params: { [name]: 'x' } }))),
    ];
    // GET /v1/keys takes limit, nextToken and tag only; GET /v1/keys/{key} reads no query.
    const unknownParameter = (name: string) => ({
      status: 400,
      body: { error: { code: 'ValidationError', message: `query: Unrecognized key: ${JSON.stringify(name)}` } },
    });
    expect(listed).toEqual(QUERY_NAMES.map(unknownParameter));
    expect(got).toEqual(QUERY_NAMES.map(() => expect.objectContaining({ status: 200, body: expect.objectContaining({ keyId }) })));
  });

  it('answers requests with signed headers of any token name', async () => {
    const answers = await botocore(
      HEADER_NAMES.map((name) => ({ url: `${runtime().apiUrl}/v1/keys/${keyId}`, headers: { [name]: headerValueFor(name) } })),
    );
    expect(answers).toEqual(HEADER_NAMES.map(() => expect.objectContaining({ status: 200, body: expect.objectContaining({ keyId }) })));
    for (const name of HEADER_NAMES) {
      expect(await sdk(new URL(`/v1/keys/${keyId}`, runtime().apiUrl), { headers: { [name]: headerValueFor(name) } }), name).toMatchObject({
        status: 200,
        body: { keyId },
      });
    }
  });

  it('answers a key named as a member of Object.prototype as any other name that is no key reference', async () => {
    const notAKeyReference = await sdk(new URL('/v1/keys/not-a-key', runtime().apiUrl));
    expect(notAKeyReference).toMatchObject({ status: 400, body: { error: { code: 'ValidationError' } } });
    for (const name of ['__proto__', 'constructor', 'toString']) {
      expect(await sdk(new URL(`/v1/keys/${name}`, runtime().apiUrl)), name).toEqual(notAKeyReference);
    }
    // As aliases, they are well formed, and name no key.
    for (const name of ['not-a-key', '__proto__', 'constructor', 'toString']) {
      expect(await sdk(new URL(`/v1/keys/alias%2F${name}`, runtime().apiUrl)), name).toMatchObject({
        status: 404,
        body: { error: { code: 'KeyNotFound' } },
      });
    }
  });
});
