import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AuditTouched } from '../domain/audit-record.js';
import { ChangeRequest, changeRequestToken } from '../domain/change-request.js';
import { ServiceError } from '../domain/errors.js';
import { API_ROUTES, IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_PATTERN, IDEMPOTENCY_LIMITS, TABLE_SCHEMA, type ApiRoute } from '../../contract/index.js';
import type { ApiRequest, Route } from './api-handler.js';

/** The routes the contract marks `idempotent`, by name. */
const IDEMPOTENT_ROUTES = new Set(API_ROUTES.filter((route: ApiRoute) => route.idempotent).map((route) => `${route.method} ${route.resource}`));

/**
 * Makes the contract's `idempotent` routes among `routes` retryable with an `Idempotency-Key`
 * header. Two layers:
 *
 * - Powertools' idempotency utility over the data-key table stores the first successful answer:
 *   a retry with the same key and request gets it again without running the route; the same key
 *   with another request, or while the first is still running, is 409 `Conflict`.
 * - Its lock expires, and an attempt may die between its change and storing the answer. So the
 *   route also gets the request as a `ChangeRequest`, whose token the domain writes with the change
 *   itself: a retry that passes an expired lock finds the change and answers it (see
 *   change-request.ts), and never makes it twice.
 *
 * A failed request leaves nothing behind, so its retry runs anew. Keys are scoped to the caller
 * and the route. Without the header, the route runs as is.
 */
export function retryable<R extends Readonly<Record<string, Route>>>(routes: R, dynamoDb: () => DynamoDBClient, tableName: () => string): R {
  return Object.fromEntries(
    Object.entries<Route>(routes).map(([name, route]) => [name, IDEMPOTENT_ROUTES.has(name) ? idempotent(name, route, dynamoDb, tableName) : route]),
  ) as R;
}

function idempotent(name: string, route: Route, dynamoDb: () => DynamoDBClient, tableName: () => string): Route {
  let run: ((call: IdempotentCall) => Promise<StoredAnswer | Answer>) | undefined;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: '[caller, route, key]',
    payloadValidationJmesPath: '[request.path, request.body]',
    expiresAfterSeconds: IDEMPOTENCY_LIMITS.rememberedSeconds,
    throwOnNoIdempotencyKey: true,
  });
  const idempotentRun = () =>
    (run ??= makeIdempotent(
      async ({ request }: IdempotentCall): Promise<StoredAnswer> => {
        const ran = request.ran();
        return { answer: await route(ran), touched: ran.audit.touched() };
      },
      {
        persistenceStore: new DynamoDBPersistenceLayer({
          tableName: tableName(),
          keyAttr: TABLE_SCHEMA.partitionKey,
          sortKeyAttr: TABLE_SCHEMA.sortKey,
          staticPkValue: 'IDEMPOTENCY',
          expiryAttr: TABLE_SCHEMA.timeToLiveAttribute,
          awsSdkV3Client: dynamoDb(),
        }),
        config,
      },
    ));
  return async (request) => {
    const key = request.headers[IDEMPOTENCY_HEADER];
    if (key === undefined) return route(request);
    if (!IDEMPOTENCY_KEY_PATTERN.test(key))
      throw new ServiceError('ValidationError', 'Idempotency-Key must be 1 to 128 characters of A-Z, a-z, 0-9, _ . : -');
    // A record left in progress by an invocation that timed out expires with that invocation.
    config.registerLambdaContext(request.context);
    const attempt = new Attempt(request, name, key);
    try {
      const { answer, touched } = storedAnswerOf(await idempotentRun()({ caller: request.caller, route: name, key, request: attempt }));
      const answeredBy = attempt.answeredBy();
      if (answeredBy === 'stored' && touched) request.audit.retouch(touched);
      request.audit.replayed(answeredBy);
      return answer;
    } catch (error) {
      throw translateIdempotencyError(error);
    }
  };
}

/** One attempt of a request: what the route sees, and whether it ran or the stored answer was given. */
class Attempt {
  readonly path: ApiRequest['path'];
  readonly body: unknown;
  private readonly change: ChangeRequest;
  private routeRan = false;

  constructor(
    private readonly request: ApiRequest,
    route: string,
    key: string,
  ) {
    this.path = request.path;
    this.body = request.body;
    this.change = new ChangeRequest(changeRequestToken([request.caller, route, key, JSON.stringify(request.path), JSON.stringify(request.body)]));
  }

  ran(): ApiRequest {
    this.routeRan = true;
    return { ...this.request, change: this.change };
  }

  /** Who answered: the stored answer, an earlier attempt's change the route found, or this attempt. */
  answeredBy(): 'stored' | 'recovered' | undefined {
    if (!this.routeRan) return 'stored';
    return this.change.recovered ? 'recovered' : undefined;
  }
}

type Answer = Awaited<ReturnType<Route>>;

/** What the idempotency record keeps of a successful attempt: its answer, and what it touched for the audit trail. */
interface StoredAnswer {
  readonly answer: Answer;
  readonly touched?: AuditTouched;
}

/** A record stored before answers carried what they touched holds the bare answer; it is still answered. */
const storedAnswerOf = (stored: StoredAnswer | Answer): StoredAnswer =>
  'answer' in stored && 'touched' in stored ? stored : { answer: stored as Answer };

interface IdempotentCall {
  readonly caller: string;
  readonly route: string;
  readonly key: string;
  readonly request: Attempt;
}

function translateIdempotencyError(error: unknown): unknown {
  switch ((error as Error | undefined)?.name) {
    case 'IdempotencyValidationError':
      return new ServiceError(
        'Conflict',
        'This Idempotency-Key was already used with a different request; use a new key for a new request.',
        undefined,
        {
          cause: error,
        },
      );
    case 'IdempotencyAlreadyInProgressError':
    // A duplicate that lost the race to an attempt which failed and removed its record before the duplicate read it.
    case 'IdempotencyItemNotFoundError':
      return new ServiceError('Conflict', 'A request with this Idempotency-Key is still in progress; retry shortly.', 1, { cause: error });
    case 'IdempotencyPersistenceLayerError':
    case 'IdempotencyUnknownError':
      return new ServiceError('DependencyUnavailable', 'DynamoDB is unavailable; retry later.', 2, { cause: error });
    default:
      return error;
  }
}
