import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { attributeConditionKeys } from './dynamodb-attributes.js';
import { batchLeadingKeys, leadingKeysOf, transactionPartLeadingKeys, type LeadingKeys } from './dynamodb-leading-keys.js';
import { PartitionKeys } from './dynamodb-partition-keys.js';
import { closeServer, listen } from './http-server.js';
import { signatureFailureStatus, type IncomingSignedRequest } from './gateway/sigv4-verifier.js';

/** Who may call what on DynamoDB: SigV4 identities and their IAM policies. */
export interface DynamoDbAccessControl {
  /** Verifies the SigV4 signature (service `dynamodb`) and names the principal. */
  authenticate(request: IncomingSignedRequest): Promise<{ ok: true; principalArn: string } | { ok: false; type: string; message: string }>;
  /** undefined: allowed; a string: the AccessDeniedException message. */
  authorize(request: DynamoDbAccessRequest): Promise<string | undefined>;
}

export interface DynamoDbAccessRequest {
  readonly principalArn: string;
  readonly action: string;
  readonly resource: string;
  /**
   * DynamoDB's condition keys the request sets: `dynamodb:LeadingKeys`, for the requests that name
   * items; `dynamodb:Attributes` (multivalued) and `dynamodb:ReturnValues` (single) for updates.
   */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export interface DynamoDbAccessProxyOptions {
  /** The local DynamoDB (dynalite or DynamoDB Local) the proxy stands in front of. */
  readonly upstream: string;
  readonly accessControl: DynamoDbAccessControl;
  readonly region: string;
  readonly accountId: string;
  /**
   * Why a table cannot be read or written at rest, or undefined when it can: DynamoDB refuses every
   * request to a table whose KMS key is disabled, pending deletion or without its material.
   * @default every table is accessible
   */
  readonly tableInaccessible?: (table: string) => string | undefined;
  /** 0 picks a free port. */
  readonly port?: number;
  readonly host?: string;
}

export interface DynamoDbAccessProxy {
  readonly url: string;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'DynamoDB_20120810.';
/** What DynamoDB answers for a table whose KMS key it cannot use (not documented; as reported: "KMS key access denied error: …"). */
export const INACCESSIBLE_TABLE_ERROR = 'AccessDeniedException';
const MAX_BODY_BYTES = 16 * 1024 * 1024;

type Input = Record<string, unknown>;
/** The (action, table name, index name) pairs IAM evaluates for one request, with the partition key values each names. */
type Need = {
  readonly action: string;
  readonly table?: string;
  readonly index?: string;
  readonly leadingKeys?: LeadingKeys;
  /** `dynamodb:Attributes` and `dynamodb:ReturnValues`, where the request sets them. */
  readonly attributes?: Record<string, string | string[]>;
};

/**
 * Neither dynalite nor DynamoDB Local evaluates IAM. This front door does what DynamoDB does
 * before it touches data: it authenticates the SigV4 signature and evaluates every action the
 * request needs, per table or index (each table of a batch, each item of a transaction), with the
 * partition key values it names (`dynamodb:LeadingKeys`, by the table's key schema as DynamoDB
 * describes it), and refuses the whole request with `AccessDeniedException` unless every one is allowed.
 */
export async function startDynamoDbAccessProxy(options: DynamoDbAccessProxyOptions): Promise<DynamoDbAccessProxy> {
  const upstream = new URL(options.upstream);
  const tableArn = (table: string, index?: string) =>
    `arn:aws:dynamodb:${options.region}:${options.accountId}:table/${table}${index === undefined ? '' : `/index/${index}`}`;
  const partitionKeys = new PartitionKeys(options.upstream, options.region);
  /** The condition keys a need sets; rejects when DynamoDB cannot tell the table's key schema. */
  const contextOf = async ({ table, leadingKeys, attributes }: Need): Promise<DynamoDbAccessRequest['context']> => {
    if (table === undefined || leadingKeys === undefined) return attributes;
    const partitionKey = await partitionKeys.of(table);
    const values = partitionKey === undefined ? [] : leadingKeys(partitionKey);
    const context = { ...(values.length > 0 && { 'dynamodb:LeadingKeys': values }), ...attributes };
    return Object.keys(context).length === 0 ? undefined : context;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, 'InternalServerError', 'Internal error.'));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, 'RequestEntityTooLarge', 'Request too large.');
    const headers = flatHeaders(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const identity = await options.accessControl.authenticate({
      method: req.method ?? 'POST',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    });
    if (!identity.ok) return send(res, signatureFailureStatus(identity.type), identity.type, identity.message);
    const target = headers['x-amz-target'] ?? '';
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    let input: Input;
    try {
      input = parseObject(body);
    } catch {
      return send(res, 400, 'SerializationException', 'Start of structure or map found where not expected.');
    }
    const needs = needsOf(operation, input);
    if (typeof needs === 'string') return send(res, 400, 'ValidationException', needs);
    for (const need of needs) {
      const resource = need.table === undefined ? '*' : tableArn(need.table, need.index);
      // A DynamoDB that cannot describe the table cannot serve the request either: an outage, as forward() answers it.
      const context = await contextOf(need).catch(() => null);
      if (context === null) return send(res, 503, 'ServiceUnavailable', 'DynamoDB is unavailable.');
      const denial = await options.accessControl.authorize({ principalArn: identity.principalArn, action: need.action, resource, context });
      if (denial !== undefined) return send(res, 400, 'AccessDeniedException', denial);
    }
    if (operation === 'DeleteTable' && typeof input.TableName === 'string') partitionKeys.forget(input.TableName);
    for (const table of new Set(needs.flatMap((need) => need.table ?? []))) {
      const inaccessible = options.tableInaccessible?.(table);
      if (inaccessible !== undefined) return send(res, 400, INACCESSIBLE_TABLE_ERROR, inaccessible);
    }
    await forward(upstream, req, headers, body, res);
  }

  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      partitionKeys.close();
      await closeServer(server);
    },
  };
}

/** What IAM checks for each operation the service model defines (Service Authorization Reference). */
function needsOf(operation: string, input: Input): Need[] | string {
  const table = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
  const onTable = (action: string): Need[] | string => {
    const name = table(input.TableName);
    return name === undefined
      ? 'TableName is required.'
      : [
          {
            action,
            table: name,
            ...(typeof input.IndexName === 'string' && { index: input.IndexName }),
            leadingKeys: leadingKeysOf(operation, input),
            attributes: attributeConditionKeys(operation, input),
          },
        ];
  };
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const requests = input.RequestItems as Input;
      return ownKeys(requests).map((name) => ({
        action: `dynamodb:${operation}`,
        table: name,
        leadingKeys: batchLeadingKeys(operation, requests[name]),
      }));
    }
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return transactionNeeds(input.TransactItems);
    case 'ListTables':
      return [{ action: 'dynamodb:ListTables' }];
    case '':
      return 'Unknown operation.';
    default:
      return /^[A-Z][A-Za-z]+$/.test(operation) ? onTable(`dynamodb:${operation}`) : 'Unknown operation.';
  }
}

/** A transaction needs the item action of each of its parts, on that part's table. */
const TRANSACT_ACTIONS: Readonly<Record<string, string>> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
  Get: 'dynamodb:GetItem',
};

function transactionNeeds(items: unknown): Need[] | string {
  if (!Array.isArray(items) || items.length === 0) return 'TransactItems must be a non-empty list.';
  const needs: Need[] = [];
  for (const item of items) {
    const [kind] = ownKeys(item);
    const part = kind === undefined ? undefined : (item as Input)[kind];
    const action = kind === undefined ? undefined : Object.hasOwn(TRANSACT_ACTIONS, kind) ? TRANSACT_ACTIONS[kind] : undefined;
    const table = (part as Input | undefined)?.TableName;
    if (action === undefined || typeof table !== 'string') return 'Each transaction item names one operation and its TableName.';
    needs.push({ action, table, leadingKeys: transactionPartLeadingKeys(part) });
  }
  return needs;
}

function ownKeys(value: unknown): string[] {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
}

function parseObject(body: Buffer): Input {
  const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError('not an object');
  return parsed as Input;
}

function forward(upstream: URL, req: IncomingMessage, headers: Record<string, string>, body: Buffer, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const outgoing = httpRequest(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res).on('finish', resolve);
      },
    );
    // An unreachable DynamoDB looks to the client like an outage, as it would in AWS.
    outgoing.on('error', () => {
      send(res, 503, 'ServiceUnavailable', 'DynamoDB is unavailable.');
      resolve();
    });
    outgoing.end(body);
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]));
}

/** An error in DynamoDB's JSON 1.0 shape, which the SDK reads from `__type` and `message`. */
function send(res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const payload = JSON.stringify({ __type: `com.amazon.coral.service#${type}`, message });
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type, 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}
