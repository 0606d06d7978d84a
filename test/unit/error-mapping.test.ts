import { DisabledException, KMSInvalidStateException, KMSServiceException, NotFoundException, type KMSClient } from '@aws-sdk/client-kms';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { IdempotencyPersistenceLayerError } from '@aws-lambda-powertools/idempotency';
import { describe, expect, it } from 'vitest';
import { failureFacts, translateDependencyError } from '../../lambdas/domain/dependency-errors.js';
import { ServiceError } from '../../lambdas/domain/errors.js';
import { MasterKey } from '../../lambdas/domain/master-key.js';
import { errorResponse } from '../../lambdas/http/error-response.js';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/11111111-1111-4111-8111-111111111111';
const meta = { $metadata: { httpStatusCode: 400, requestId: '6f1b7a52-4c1e-4c3b-9d0e-2f0d8a6a1c11', attempts: 3 } };

/** A KMS client whose every call fails with `error`: narrow unit tests of the mapping only. */
const failingKms = (error: Error) => ({ send: async () => Promise.reject(error) }) as unknown as KMSClient;

async function mapped(error: Error): Promise<ServiceError> {
  const rejection = await new MasterKey(failingKms(error), ARN).unwrapDataKey({ keyId: 'k', keyVersion: 1 }, new Uint8Array(1)).catch((e) => e);
  expect(rejection).toBeInstanceOf(ServiceError);
  return rejection as ServiceError;
}

/** An error AWS answers that the KMS model does not declare, as the SDK makes it. */
const accessDenied = () =>
  new KMSServiceException({
    name: 'AccessDeniedException',
    $fault: 'client',
    message: `User: arn:aws:sts::111122223333:assumed-role/crypto/fn is not authorized to perform: kms:Decrypt on resource: ${ARN}`,
    ...meta,
  });

/** The SDK's error when an answer takes longer than the request timeout, as Smithy's HTTP handler makes it. */
const timeout = () => Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' });

describe('KMS errors', () => {
  it('maps a disabled CMK to 409 MasterKeyDisabled, keeping KMS’s error as the cause', async () => {
    const disabled = new DisabledException({ message: `${ARN} is disabled.`, ...meta });
    const error = await mapped(disabled);
    expect(error).toMatchObject({ code: 'MasterKeyDisabled', status: 409 });
    expect(error.message).not.toContain(ARN);
    expect(error.cause).toBe(disabled);
  });

  it('maps a CMK pending deletion to 409 MasterKeyPendingDeletion', async () => {
    const error = await mapped(new KMSInvalidStateException({ message: `${ARN} is pending deletion.`, ...meta }));
    expect(error).toMatchObject({ code: 'MasterKeyPendingDeletion', status: 409 });
  });

  it('maps a missing CMK, and a refusal of the service, to 503 DependencyUnavailable with the cause', async () => {
    const missing = new NotFoundException({ message: 'gone', ...meta });
    expect(await mapped(missing)).toMatchObject({ code: 'DependencyUnavailable', status: 503, cause: missing });
    const denied = accessDenied();
    expect(await mapped(denied)).toMatchObject({ code: 'DependencyUnavailable', status: 503, cause: denied });
  });
});

describe('translateDependencyError', () => {
  it('maps throttling to 429 with a retry hint, keeping the cause', () => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'slow down', ...meta });
    const error = translateDependencyError(throttled, 'DynamoDB');
    expect(error).toMatchObject({ code: 'Throttled', status: 429, retryAfterSeconds: 1, cause: throttled });
  });

  it('maps 5xx answers, network failures and timeouts to 503, keeping the cause', () => {
    const failures = [
      Object.assign(new Error('x'), { $metadata: { httpStatusCode: 500 } }),
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      timeout(),
    ];
    for (const failure of failures) {
      expect(translateDependencyError(failure, 'KMS')).toMatchObject({ code: 'DependencyUnavailable', cause: failure });
    }
  });

  it('leaves other errors alone, for the caller to handle or surface as a bug', () => {
    const bug = new TypeError('boom');
    expect(translateDependencyError(bug, 'KMS')).toBe(bug);
  });
});

describe('failureFacts', () => {
  it('tells a KMS AccessDeniedException from a timeout by name, code, fault and request id', () => {
    expect(failureFacts(accessDenied())).toEqual({
      name: 'AccessDeniedException',
      code: 'AccessDeniedException',
      fault: 'client',
      ...meta.$metadata,
    });
    expect(failureFacts(timeout())).toEqual({ name: 'TimeoutError', code: 'TimeoutError' });
    expect(failureFacts(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toEqual({ name: 'Error', code: 'ECONNRESET' });
  });

  it('follows the causes of a wrapped failure, and stops at a cycle', () => {
    const wrapped = new IdempotencyPersistenceLayerError('Failed to put record', { cause: accessDenied() });
    expect(failureFacts(wrapped)).toEqual({
      name: 'IdempotencyPersistenceLayerError',
      code: 'IdempotencyPersistenceLayerError',
      cause: expect.objectContaining({ name: 'AccessDeniedException', requestId: meta.$metadata.requestId }),
    });
    const cyclic: Error & { cause?: unknown } = new Error('a');
    cyclic.cause = cyclic;
    expect(JSON.stringify(failureFacts(cyclic))).toBe(
      JSON.stringify({ name: 'Error', code: 'Error', cause: { name: 'Error', code: 'Error', cause: { name: 'Error', code: 'Error' } } }),
    );
  });
});

describe('errorResponse', () => {
  /** The lines a handler's log gets while mapping `error`, and the answer. */
  function answer(error: unknown) {
    const logged: { message: string; detail: unknown }[] = [];
    const response = errorResponse(error, (message, detail) => logged.push({ message, detail }));
    return { response, logged };
  }

  it('hides the detail of unexpected errors behind a 500, and logs them', () => {
    const { response, logged } = answer(new Error('secret detail'));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret detail');
    expect(logged).toHaveLength(1);
  });

  it('logs a mapped 5xx with the answer and the facts of its cause, never the cause’s message', () => {
    const denied = accessDenied();
    const { response, logged } = answer(translateDependencyError(denied, 'KMS'));
    expect(response.statusCode).toBe(503);
    expect(logged).toEqual([
      {
        message: 'Request failed with a server error',
        detail: {
          statusCode: 503,
          errorCode: 'DependencyUnavailable',
          errorMessage: 'KMS is unavailable; retry later.',
          cause: { name: 'AccessDeniedException', code: 'AccessDeniedException', fault: 'client', ...meta.$metadata },
        },
      },
    ]);
    expect(JSON.stringify(logged)).not.toContain(denied.message);
  });

  it('logs a mapped 5xx without a cause too (a request out of time), and no 4xx', () => {
    expect(answer(new ServiceError('DependencyUnavailable', 'out of time', 2)).logged).toEqual([
      { message: 'Request failed with a server error', detail: { statusCode: 503, errorCode: 'DependencyUnavailable', errorMessage: 'out of time' } },
    ]);
    expect(answer(translateDependencyError(new ProvisionedThroughputExceededException({ message: 'slow', ...meta }), 'DynamoDB')).logged).toEqual([]);
  });

  it('sends Retry-After with Throttled', () => {
    const { response } = answer(new ServiceError('Throttled', 'later', 2));
    expect(response).toMatchObject({ statusCode: 429, headers: { 'retry-after': '2' } });
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'Throttled', message: 'later' } });
  });
});
