import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntimeProcess, type RuntimeProcess } from '../support/local-runtime-process.js';
import { principal, type PrincipalName, signedHeaders } from '../support/principals.js';
import { type JsonSchema, SchemaSet } from './json-schema-requests.js';
import { committedDocument, nonConformities } from './openapi-validator.js';

// The request side of the committed OpenAPI document, from the document alone: for each operation,
// requests generated from its parameters' and body's schemas (fast-check) must never be refused
// with a ValidationError, and requests made from those by one change that breaks the document must
// always be: 400 `ValidationError`. Each is signed with SigV4 as the owner and sent over HTTP to
// the local runtime (gateway, IAM, the handlers); every answer must conform to the document.
// Rules the document can say only in a description are kept by hand, each named below.

interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required: boolean;
  readonly schema: JsonSchema;
}
interface Link {
  readonly operationId: string;
  readonly parameters?: Record<string, string>;
  readonly requestBody?: Record<string, string>;
}
interface Operation {
  readonly method: string;
  readonly resource: string;
  readonly operationId: string;
  readonly parameters: readonly Parameter[];
  readonly body?: { readonly required: boolean; readonly schema: JsonSchema };
  readonly links: Readonly<Record<string, Link>>;
}
interface Request {
  readonly path: Record<string, string>;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
  /** Undefined: no body. */
  readonly body?: unknown;
}
interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> | undefined;
}

type RawOperation = {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: JsonSchema } } };
  responses: Record<string, { links?: Record<string, Link> }>;
};
const rawDocument = committedDocument as unknown as {
  paths: Record<string, Record<string, RawOperation>>;
  components: { schemas: Record<string, JsonSchema> };
};
const schemas = new SchemaSet(rawDocument.components.schemas);
const OPERATIONS: Operation[] = Object.entries(rawDocument.paths).flatMap(([resource, item]) =>
  Object.entries(item).map(([method, operation]) => ({
    method: method.toUpperCase(),
    resource,
    operationId: operation.operationId,
    parameters: operation.parameters ?? [],
    // fetch sends no body with a GET (the document allows `getKey` an empty one).
    ...(operation.requestBody &&
      method !== 'get' && {
        body: { required: operation.requestBody.required, schema: operation.requestBody.content['application/json'].schema },
      }),
    links: Object.entries(operation.responses).find(([status]) => status.startsWith('2'))?.[1].links ?? {},
  })),
);
const operation = (operationId: string): Operation => OPERATIONS.find((candidate) => candidate.operationId === operationId)!;

/** Valid requests per operation, and the most breakings of each operation's requests sent. */
const VALID_RUNS = 24;
const MAX_BREAKINGS = 40;
const SEED = 24;

let runtime: RuntimeProcess;
beforeAll(async () => {
  runtime = await startRuntimeProcess({ env: { ENVELOPE_CACHE_MAX_AGE_SECONDS: '0', ENVELOPE_MAX_KEYS_PER_PRINCIPAL: '1000' } });
});
afterAll(async () => runtime?.stop());

/** RFC 3986 percent-encoding, as SigV4 canonicalizes a query (the typed client sends it so). */
const rfc3986 = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

async function send(op: Operation, request: Request, as: PrincipalName = 'owner'): Promise<Answer> {
  const url = new URL(
    op.resource.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(request.path[name] ?? '')),
    runtime.apiUrl,
  );
  url.search = Object.entries(request.query)
    .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`)
    .join('&');
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  const headers = { ...(payload !== undefined && { 'content-type': 'application/json' }), ...request.headers };
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, {
      method: op.method,
      headers: await signedHeaders(as, op.method, url, { headers, body: payload }),
      body: payload,
    });
    const text = await response.text();
    if (response.status === 429 && attempt < 5) {
      await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
      continue;
    }
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  }
}

const isValidationError = ({ status, body }: Answer): boolean =>
  status === 400 && (body?.error as { code?: string } | undefined)?.code === 'ValidationError';

/** `$response.body#/field` of an answer: the runtime expressions the document's links use. */
function evaluate(expression: string, answer: Answer): string {
  const [, pointer] = /^\$response\.body#\/(.+)$/.exec(expression) ?? [];
  if (pointer === undefined) throw new Error(`unsupported runtime expression ${expression}`);
  return answer.body?.[pointer] as string;
}

/** A request as a link makes it from an answer: its parameters, and its body's fields over `body`. */
function followed(link: Link, answer: Answer, request: Request): Request {
  const path = { ...request.path };
  for (const [name, expression] of Object.entries(link.parameters ?? {})) path[name] = evaluate(expression, answer);
  const fields = Object.fromEntries(Object.entries(link.requestBody ?? {}).map(([name, expression]) => [name, evaluate(expression, answer)]));
  return { ...request, path, ...(link.requestBody && { body: { ...(request.body as object), ...fields } }) };
}

/** Whether a parameter's value, as the string it travels as, satisfies its schema (an integer's text is read as a number). */
function validParameter(schema: JsonSchema, text: string): boolean {
  const resolved = schemas.resolve(schema);
  if (typeof resolved === 'object' && resolved.type === 'integer') return /^-?\d+$/.test(text) && schemas.valid(schema, Number(text));
  return schemas.valid(schema, text);
}

/** Valid requests for an operation, from its parameters' and body's schemas. */
function requests(op: Operation): fc.Arbitrary<Request> {
  const of = (where: Parameter['in']) => op.parameters.filter((p) => p.in === where);
  const strings = (parameters: Parameter[]) =>
    fc.record(Object.fromEntries(parameters.map((p) => [p.name, schemas.arbitrary(p.schema).map(String)])), {
      requiredKeys: parameters.filter((p) => p.required).map((p) => p.name),
    }) as fc.Arbitrary<Record<string, string>>;
  const body = op.body
    ? op.body.required
      ? schemas.arbitrary(op.body.schema)
      : fc.option(schemas.arbitrary(op.body.schema), { nil: undefined })
    : fc.constant(undefined);
  return fc.record({ path: strings(of('path')), query: strings(of('query')), headers: strings(of('header')), body }) as fc.Arbitrary<Request>;
}

/** Whether a value holds a key the document's description (`FORBIDDEN_KEYS_RULE`) says no body may hold. */
function holdsForbiddenKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return Object.entries(value).some(
    ([key, child]) =>
      key === '__proto__' ||
      (key === 'constructor' && typeof child === 'object' && child !== null && Object.hasOwn(child, 'prototype')) ||
      holdsForbiddenKey(child),
  );
}

/**
 * The rules the document says in descriptions only, kept by a valid request: a policy names its
 * caller among its admins unless `bypassLockoutSafetyCheck`; a `nextToken` is one answered; no
 * `__proto__` key (`FORBIDDEN_KEYS_RULE`, which the breakings check). (A grant's `expiresAt`
 * within the next 365 days is kept by the generator; contexts are small.)
 */
function keepingDescribedRules(op: Operation, request: Request): Request | undefined {
  if (holdsForbiddenKey(request.body)) return undefined;
  if (op.operationId === 'putKeyPolicy') {
    const policy = request.body as { admins: string[]; bypassLockoutSafetyCheck?: boolean };
    if (policy.bypassLockoutSafetyCheck !== true)
      return { ...request, body: { ...policy, admins: [principal('owner').arn, ...policy.admins.slice(1)] } };
  }
  if (op.operationId === 'listKeys') {
    const { nextToken: _answeredOnly, ...query } = request.query;
    return { ...request, query };
  }
  return request;
}

/**
 * Requests that break the document, each one valid request with one change. Without its
 * `Idempotency-Key` (unless the change is to it): a key already used with another request is a
 * 409 `Conflict` whatever the request, a second change.
 */
function breakings(op: Operation, sent: Request): { label: string; request: Request }[] {
  const broken: { label: string; request: Request }[] = [];
  const { 'Idempotency-Key': _usedKey, ...headers } = sent.headers;
  const valid = { ...sent, headers };
  for (const p of op.parameters) {
    const value = sent[p.in === 'path' ? 'path' : p.in === 'query' ? 'query' : 'headers'][p.name];
    const resolved = schemas.resolve(p.schema);
    if (typeof resolved === 'boolean') continue;
    const changes =
      resolved.type === 'integer'
        ? [String((resolved.minimum as number) - 1), String((resolved.maximum as number) + 1), '1.5', 'x']
        : schemas.stringChanges(resolved, p.name).map((change) => String(change.value));
    // An empty path segment is another route; a header value is sent trimmed.
    const sendable = changes.filter((text) => (p.in === 'path' ? text !== '' : p.in === 'header' ? text.trim() === text && text !== '' : true));
    for (const text of sendable.filter((candidate) => !validParameter(p.schema, candidate))) {
      const where = p.in === 'path' ? 'path' : p.in === 'query' ? 'query' : 'headers';
      broken.push({
        label: `${p.in} ${p.name} ${JSON.stringify(text).slice(0, 40)}`,
        request: { ...valid, [where]: { ...valid[where], [p.name]: text } },
      });
    }
    if (value === undefined && p.in === 'path') throw new Error(`no ${p.name} in ${op.operationId}`);
  }
  if (op.body?.required) broken.push({ label: 'body: required, left out', request: { ...valid, body: undefined } });
  if (op.body && valid.body !== undefined) {
    for (const { label, value } of schemas.breakings(op.body.schema, valid.body))
      broken.push({ label: `body${label}`, request: { ...valid, body: value } });
    if (isObject(valid.body)) {
      // JSON.parse makes `__proto__` an own key, as the service's parser sees it.
      const body = JSON.parse(`{"__proto__":{}${Object.keys(valid.body).length > 0 ? ',' : ''}${JSON.stringify(valid.body).slice(1)}`);
      broken.push({ label: 'body: a __proto__ key (FORBIDDEN_KEYS_RULE)', request: { ...valid, body } });
    }
  }
  return broken;
}

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A key of the owner's for an operation's requests to work on, made as its link from `createKey` says. */
async function ownKeyFor(op: Operation): Promise<((request: Request) => Request) | undefined> {
  const create = operation('createKey');
  const link = Object.values(create.links).find((candidate) => candidate.operationId === op.operationId);
  if (!link) return undefined;
  const created = await send(create, { path: {}, query: {}, headers: {}, body: {} });
  expect(created.status).toBe(201);
  return (request) => followed(link, created, request);
}

const counts = { operations: 0, valid: 0, validSucceeded: 0, validRefused: 0, invalid: 0, invalidAccepted: 0 };

describe('the OpenAPI document, request side', () => {
  it('never refuses a request that satisfies the document, and always refuses one that breaks it, with 400 ValidationError', async () => {
    const problems: string[] = [];
    for (const op of OPERATIONS) {
      counts.operations++;
      const onOwnKey = await ownKeyFor(op);
      const valid = fc
        .sample(requests(op), { numRuns: VALID_RUNS, seed: SEED + counts.operations })
        .map((request, index) => {
          // Half of them on a key of the owner's, as the document's links make them; the others on what the schema allows.
          const linked = onOwnKey && index % 2 === 0 ? onOwnKey(request) : request;
          return keepingDescribedRules(op, linked);
        })
        .filter((request) => request !== undefined);
      for (const request of valid) {
        const answer = await send(op, request);
        counts.valid++;
        if (answer.status < 300) counts.validSucceeded++;
        const name = `${op.operationId} ${JSON.stringify(request).slice(0, 300)}`;
        if (isValidationError(answer)) {
          counts.validRefused++;
          problems.push(`valid, refused: ${name} → ${JSON.stringify(answer.body)}`);
        }
        const conformance = nonConformities(op.method, op.resource, answer.status, answer.body);
        if (conformance.length > 0) problems.push(`answer breaks the document: ${name} → ${answer.status} ${conformance.join('; ')}`);
      }
      const seen = new Set<string>();
      const broken = valid.flatMap((request) => breakings(op, request)).filter(({ label }) => !seen.has(label) && seen.add(label));
      for (const { label, request } of broken.slice(0, MAX_BREAKINGS)) {
        const answer = await send(op, request);
        counts.invalid++;
        if (!isValidationError(answer)) {
          counts.invalidAccepted++;
          problems.push(
            `invalid (${label}), not refused: ${op.operationId} ${JSON.stringify(request).slice(0, 300)} → ${answer.status} ${JSON.stringify(answer.body)}`,
          );
        }
      }
    }
    console.log(`request-side contract: ${JSON.stringify(counts)}`);
    expect(problems).toEqual([]);
    expect(counts.operations).toBe(OPERATIONS.length);
  }, 120_000);
});

describe('the OpenAPI document, links', () => {
  it('chain create → encrypt → decrypt → rotate → rewrap → grant → revoke and retire, and data keys to decrypt', async () => {
    const [plaintext] = fc.sample(schemas.arbitrary({ $ref: '#/components/schemas/PlaintextItem' }), { numRuns: 1, seed: SEED }) as {
      plaintext: string;
    }[];
    const none: Request = { path: {}, query: {}, headers: {} };
    const step = async (from: { op: Operation; answer: Answer } | undefined, operationId: string, request: Request, as?: PrincipalName) => {
      const op = operation(operationId);
      const link = from && Object.values(from.op.links).find((candidate) => candidate.operationId === operationId);
      if (from) expect(link, `${from.op.operationId} links to ${operationId}`).toBeDefined();
      const answer = await send(op, link ? followed(link, from!.answer, request) : request, as);
      expect(answer.status, `${operationId}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
      expect(nonConformities(op.method, op.resource, answer.status, answer.body)).toEqual([]);
      return { op, answer };
    };
    const created = await step(undefined, 'createKey', { ...none, body: {} });
    const encrypted = await step(created, 'encrypt', { ...none, body: { plaintext: plaintext!.plaintext } });
    expect((await step(encrypted, 'decrypt', { ...none, body: {} })).answer.body?.plaintext).toBe(plaintext!.plaintext);
    expect((await step(created, 'rotateKey', none)).answer.body?.createdVersion).toBe(2);
    const rewrapped = await step(encrypted, 'rewrap', { ...none, body: {} });
    expect(rewrapped.answer.body?.keyVersion).toBe(2);
    expect((await step(rewrapped, 'decrypt', { ...none, body: {} })).answer.body?.plaintext).toBe(plaintext!.plaintext);
    const grant = { grantee: principal('teammate').arn, operations: ['decrypt'] };
    const revoked = await step(created, 'createGrant', { ...none, body: grant });
    await step(revoked, 'revokeGrant', none);
    const retired = await step(created, 'createGrant', { ...none, body: { ...grant, name: 'retired-by-its-grantee' } });
    await step(retired, 'retireGrant', none, 'teammate');
    const dataKey = await step(created, 'generateDataKey', { ...none, body: {} });
    expect((await step(dataKey, 'decrypt', { ...none, body: {} })).answer.body?.plaintext).toBe(dataKey.answer.body?.plaintextKey);
  });
});
