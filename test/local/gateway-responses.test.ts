import { request as httpRequest } from 'node:http';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS, GATEWAY_ERRORS, MAX_REQUEST_BYTES, type ApiFunctionName, type GatewayResponseType } from '../../contract/index.js';
import type { DeployedApi } from '../../local/gateway/deployed-api.js';
import { renderGatewayResponse } from '../../local/gateway/gateway-responses.js';
import { apiGatewayAuthorization } from '../../local/gateway/resource-policy.js';
import { startLocalGateway, type LocalGateway, type ProxyHandler } from '../../local/gateway/server.js';
import { LocalAccessControl } from '../../local/iam/access-control.js';
import { callerIdentities } from '../../local/iam/local-identities.js';
import { localDeployment } from '../support/deployed-api.js';
import { principal, principals, type PrincipalName } from '../support/principals.js';

/**
 * The errors the local gateway answers itself, through a real HTTP gateway built from the
 * synthesized API: each is rendered from the API's AWS::ApiGateway::GatewayResponse for its type,
 * with `$context.error.message` worded as API Gateway words it. Where the caller can put quotes and
 * backslashes into that message (a path, a signed header, an Authorization header), the body must
 * still be JSON in the contract's `{"error": {code, message}}` shape, with the documented status.
 */
const HOSTILE = 'a"b\\c';
let api: DeployedApi;
let gateway: LocalGateway;
const invoked: string[] = [];

/** A function that answers who called what: the gateway's errors are the subject here, not the handlers. */
const echo: ProxyHandler = async (event) => {
  invoked.push(`${event.httpMethod} ${event.resource}`);
  return { statusCode: 200, body: JSON.stringify({ resource: event.resource, caller: event.requestContext.identity.userArn }) };
};

beforeAll(async () => {
  const deployment = await localDeployment();
  api = deployment.api;
  const access = new LocalAccessControl('us-east-1').register(...callerIdentities(principals, deployment.policies));
  const handlers = Object.fromEntries((['keys', 'crypto', 'masterKey', 'health'] as ApiFunctionName[]).map((fn) => [fn, echo]));
  gateway = await startLocalGateway({
    api,
    handlers: handlers as Record<ApiFunctionName, ProxyHandler>,
    verifier: access.verifier('execute-api'),
    authorize: apiGatewayAuthorization(access, api),
    port: 0,
  });
});
afterAll(async () => gateway?.close());

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** Sends a request as written: the path is not normalized or escaped, as a URL parser would. */
function send(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Answer> {
  const { hostname, port } = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    // The gateway may answer (and stop reading) before a large body is all sent.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    req.end(body);
  });
}

interface Signing {
  readonly as?: PrincipalName;
  readonly secretAccessKey?: string;
  readonly signingDate?: Date;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** SigV4 headers for a request to the raw path, as a local principal (or with a wrong secret, or an old date). */
async function signed(method: string, path: string, { as = 'owner', secretAccessKey, signingDate, headers = {}, body }: Signing = {}) {
  const { host } = new URL(gateway.url);
  const { accessKeyId, secretAccessKey: secret } = principal(as);
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: secretAccessKey ?? secret },
    region: 'us-east-1',
    service: 'execute-api',
    sha256: Hash.bind(null, 'sha256'),
  });
  const request = await signer.sign(
    {
      method,
      protocol: 'http:',
      hostname: host.split(':')[0]!,
      port: Number(host.split(':')[1]),
      path,
      query: {},
      headers: { host, ...headers },
      body,
    },
    { signingDate },
  );
  return request.headers;
}

/** The answer, which must be the contract's error body with the documented status of the gateway response type. */
function expectGatewayError(answer: Answer, type: GatewayResponseType): string {
  const { code } = GATEWAY_ERRORS[type];
  expect(answer.status, answer.text).toBe(ERROR_STATUS[code]);
  expect(answer.headers['content-type']).toBe('application/json');
  const body = JSON.parse(answer.text) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  return body.error.message;
}

describe('errors the gateway answers itself, rendered from the synthesized gateway responses', () => {
  it('answers a missing route, a missing method and an unsigned request as MISSING_AUTHENTICATION_TOKEN', async () => {
    for (const [method, path, headers] of [
      ['GET', `/v1/${HOSTILE}`, {}],
      ['DELETE', '/v1/keys', await signed('DELETE', '/v1/keys')],
      ['GET', '/v1/keys', {}],
    ] as const) {
      const message = expectGatewayError(await send(method, path, headers), 'MISSING_AUTHENTICATION_TOKEN');
      expect(message).toBe(GATEWAY_ERRORS.MISSING_AUTHENTICATION_TOKEN.message);
    }
  });

  it('answers a signature that does not match as INVALID_SIGNATURE, with the canonical request, caller-chosen quotes and backslashes included', async () => {
    const headers = await signed('GET', '/v1/keys', { secretAccessKey: 'not-the-owner-secret-000000', headers: { 'x-note': HOSTILE } });
    const message = expectGatewayError(await send('GET', '/v1/keys', headers), 'INVALID_SIGNATURE');
    expect(message).toMatch(/^The request signature we calculated does not match the signature you provided\./);
    expect(message).toContain(`\nx-note:${HOSTILE}\n`);
    expect(message).toContain("The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n");
  });

  it('answers a malformed Authorization header as INVALID_SIGNATURE, echoing it as AWS does', async () => {
    const authorization = `AWS4-HMAC-SHA256 Credential="${HOSTILE}"`;
    const message = expectGatewayError(await send('GET', '/v1/keys', { authorization }), 'INVALID_SIGNATURE');
    expect(message).toBe(
      "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " +
        `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${authorization}`,
    );
  });

  it('answers an unknown access key, and a credential scoped to another region, as INVALID_SIGNATURE', async () => {
    const scoped = (accessKeyId: string, region: string) =>
      `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${region}/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;
    const date = { 'x-amz-date': '20260101T000000Z' };
    const stranger = await send('GET', '/v1/keys', { authorization: scoped(`AKIA${HOSTILE}`, 'us-east-1'), ...date });
    expect(expectGatewayError(stranger, 'INVALID_SIGNATURE')).toBe('The security token included in the request is invalid.');
    const region = await send('GET', '/v1/keys', { authorization: scoped(principal('owner').accessKeyId, `us-${HOSTILE}`), ...date });
    expect(expectGatewayError(region, 'INVALID_SIGNATURE')).toBe(`Credential should be scoped to a valid region, not 'us-${HOSTILE}'. `);
  });

  it('answers an expired signature (X-Amz-Date far in the past) with AWS\'s "Signature expired" message', async () => {
    const headers = await signed('GET', '/v1/keys', { signingDate: new Date('2020-01-01T00:00:00Z') });
    const message = expectGatewayError(await send('GET', '/v1/keys', headers), 'INVALID_SIGNATURE');
    expect(message).toMatch(/^Signature expired: 20200101T000000Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  });

  it('answers a caller the policies do not allow as ACCESS_DENIED, the raw path in the method ARN', async () => {
    const path = `/v1/keys/${HOSTILE}`;
    const message = expectGatewayError(await send('GET', path, await signed('GET', path, { as: 'stranger' })), 'ACCESS_DENIED');
    expect(message).toBe(
      `User: ${principal('stranger').arn} is not authorized to perform: execute-api:Invoke on resource: ` +
        `${api.apiArn}/${api.stageName}/GET${path} because no identity-based policy allows the execute-api:Invoke action`,
    );
    const partner = expectGatewayError(await send('GET', '/v1/keys', await signed('GET', '/v1/keys', { as: 'partner' })), 'ACCESS_DENIED');
    expect(partner).toMatch(/because no resource-based policy allows the execute-api:Invoke action$/);
  });

  it('answers a body over 10 MiB as REQUEST_TOO_LARGE, before any signature check', async () => {
    const answer = await send('POST', '/v1/encrypt', { 'content-type': 'application/json' }, Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x20));
    expect(expectGatewayError(answer, 'REQUEST_TOO_LARGE')).toBe(GATEWAY_ERRORS.REQUEST_TOO_LARGE.message);
  });

  it('answers a body that is not a JSON object, on a method with a body model, as BAD_REQUEST_BODY', async () => {
    // JSON `null` included: JSON Schema draft 4, which API Gateway's models are written in, types it `null`, no object.
    for (const body of ['[]', 'null', '{not json', `"${HOSTILE}"`]) {
      const headers = await signed('POST', '/v1/encrypt', { headers: { 'content-type': 'application/json' }, body });
      expect(expectGatewayError(await send('POST', '/v1/encrypt', headers, body), 'BAD_REQUEST_BODY'), body).toBe('Invalid request body');
    }
  });

  it('invokes the function once everything passes, and only then', async () => {
    invoked.length = 0;
    const body = JSON.stringify({ keyId: 'alias/x', plaintext: 'AA==' });
    const headers = await signed('POST', '/v1/encrypt', { headers: { 'content-type': 'application/json' }, body });
    const answer = await send('POST', '/v1/encrypt', headers, body);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ resource: '/v1/encrypt', caller: principal('owner').arn });
    // A body of a media type no model is for is not validated; an empty one is validated as {}.
    const text = await signed('POST', '/v1/encrypt', { headers: { 'content-type': 'text/plain' }, body: '[]' });
    expect((await send('POST', '/v1/encrypt', text, '[]')).status).toBe(200);
    expect((await send('POST', '/v1/encrypt', await signed('POST', '/v1/encrypt'))).status).toBe(200);
    expect((await send('GET', '/v1/health')).status).toBe(200);
    expect(invoked).toEqual(['POST /v1/encrypt', 'POST /v1/encrypt', 'POST /v1/encrypt', 'GET /v1/health']);
  });
});

describe('rendering the synthesized gateway responses', () => {
  const request = { headers: {}, query: new URLSearchParams() };

  it('renders every type the API customizes as the contract shape, whatever the message holds', () => {
    for (const [type, { code, message }] of Object.entries(GATEWAY_ERRORS) as [GatewayResponseType, (typeof GATEWAY_ERRORS)[GatewayResponseType]][]) {
      const hostile = `${HOSTILE} \n\t</x> $context.error.messageString`;
      const rendered = renderGatewayResponse(api.gatewayResponses, { type, message: hostile }, request);
      expect(rendered.status, type).toBe(ERROR_STATUS[code]);
      expect(JSON.parse(rendered.body), type).toEqual({ error: { code, message: message === 'apiGatewayMessage' ? hostile : message } });
    }
  });

  it('sends THROTTLED with its Retry-After header, a quoted literal in the template', () => {
    const rendered = renderGatewayResponse(api.gatewayResponses, { type: 'THROTTLED', message: 'Too Many Requests' }, request);
    expect(rendered).toMatchObject({ status: 429, headers: { 'retry-after': '1', 'content-type': 'application/json' } });
  });

  it("falls back to API Gateway's default body and status for a type the API does not customize", () => {
    const { INVALID_SIGNATURE: _, ...others } = api.gatewayResponses;
    const rendered = renderGatewayResponse(others, { type: 'INVALID_SIGNATURE', message: HOSTILE }, request);
    expect(rendered.status).toBe(403);
    expect(JSON.parse(rendered.body)).toEqual({ message: HOSTILE });
    const unauthorized = renderGatewayResponse(api.gatewayResponses, { type: 'UNAUTHORIZED', message: 'Unauthorized' }, request);
    expect([unauthorized.status, JSON.parse(unauthorized.body)]).toEqual([401, { message: 'Unauthorized' }]);
  });

  it('falls back to DEFAULT_4XX, with its status, when the API customizes that', () => {
    const responses = {
      DEFAULT_4XX: {
        statusCode: 418,
        headers: { 'X-From': { requestParameter: { location: 'header', name: 'X-Trace' } } },
        templates: { 'application/json': '{"m":$context.error.messageString,"t":"$context.error.responseType"}' },
      },
    } as const;
    const rendered = renderGatewayResponse(
      responses,
      { type: 'WAF_FILTERED', message: HOSTILE },
      { headers: { 'x-trace': 't-1' }, query: new URLSearchParams() },
    );
    expect(rendered.status).toBe(418);
    expect(rendered.headers['x-from']).toBe('t-1');
    expect(JSON.parse(rendered.body)).toEqual({ m: HOSTILE, t: 'WAF_FILTERED' });
  });
});
