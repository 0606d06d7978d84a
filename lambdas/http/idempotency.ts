import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ServiceError } from '../domain/errors.js';
import { TABLE_SCHEMA } from '../../contract/index.js';
import type { ApiRequest, Route } from './api-handler.js';

/** The request header that makes a state-changing request safely retryable. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;
/** How long a first outcome is answered to retries with the same key. */
const REMEMBERED_SECONDS = 24 * 60 * 60;

/**
 * Makes a route retryable with an `Idempotency-Key` header, by Powertools' idempotency utility over
 * the data-key table: a retry with the same key and request gets the first successful answer
 * again, without doing the work twice; the same key with another request, or while the first is
 * still running, is 409 `Conflict`. A failed request leaves nothing behind, so its retry runs
 * anew. Keys are scoped to the caller and the route. Without the header, the route runs as is.
 */
export function retryable<R extends Readonly<Record<string, Route>>>(routes: R, dynamoDb: () => DynamoDBClient, tableName: () => string): R {
  return Object.fromEntries(
    Object.entries<Route>(routes).map(([name, route]) => [name, name.startsWith('GET ') ? route : idempotent(name, route, dynamoDb, tableName)]),
  ) as R;
}

function idempotent(name: string, route: Route, dynamoDb: () => DynamoDBClient, tableName: () => string): Route {
  let run: ((call: IdempotentCall) => Promise<Awaited<ReturnType<Route>>>) | undefined;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[caller, route, key]',
    payloadValidationJmesPath: '[request.path, request.body]',
    expiresAfterSeconds: REMEMBERED_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  const idempotentRun = () =>
    (run ??= makeIdempotent(async ({ request }: IdempotentCall) => route(request), {
      persistenceStore: new DynamoDBPersistenceLayer({
        tableName: tableName(),
        keyAttr: TABLE_SCHEMA.partitionKey,
        sortKeyAttr: TABLE_SCHEMA.sortKey,
        staticPkValue: 'IDEMPOTENCY',
        expiryAttr: TABLE_SCHEMA.timeToLiveAttribute,
        awsSdkV3Client: dynamoDb(),
      }),
      config,
    }));
  return async (request) => {
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return route(request);
    if (!IDEMPOTENCY_KEY_PATTERN.test(key))
      throw new ServiceError('ValidationError', 'Idempotency-Key must be 1 to 128 characters of A-Z, a-z, 0-9, _ . : -');
    // A record left in progress by an invocation that timed out expires with that invocation.
    config.registerLambdaContext(request.context);
    try {
      return await idempotentRun()({ caller: request.caller, route: name, key, request });
    } catch (error) {
      throw translateIdempotencyError(error);
    }
  };
}

interface IdempotentCall {
  readonly caller: string;
  readonly route: string;
  readonly key: string;
  readonly request: ApiRequest;
}

function translateIdempotencyError(error: unknown): unknown {
  switch ((error as Error | undefined)?.name) {
    case 'IdempotencyValidationError':
      return new ServiceError('Conflict', 'This Idempotency-Key was already used with a different request; use a new key for a new request.');
    case 'IdempotencyAlreadyInProgressError':
      return new ServiceError('Conflict', 'A request with this Idempotency-Key is still in progress; retry shortly.', 1);
    case 'IdempotencyPersistenceLayerError':
    case 'IdempotencyUnknownError':
      return new ServiceError('DependencyUnavailable', 'DynamoDB is unavailable; retry later.', 2);
    default:
      return error;
  }
}
