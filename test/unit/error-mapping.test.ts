import { DisabledException, KMSInvalidStateException, NotFoundException, type KMSClient } from '@aws-sdk/client-kms';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { translateDependencyError } from '../../lambdas/domain/dependency-errors.js';
import { ServiceError } from '../../lambdas/domain/errors.js';
import { MasterKey } from '../../lambdas/domain/master-key.js';
import { errorResponse } from '../../lambdas/http/error-response.js';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/11111111-1111-4111-8111-111111111111';
const meta = { $metadata: { httpStatusCode: 400 } };

/** A KMS client whose every call fails with `error`: narrow unit tests of the mapping only. */
const failingKms = (error: Error) => ({ send: async () => Promise.reject(error) }) as unknown as KMSClient;

async function mapped(error: Error): Promise<ServiceError> {
  const rejection = await new MasterKey(failingKms(error), ARN).unwrapDataKey({ keyId: 'k', keyVersion: 1 }, new Uint8Array(1)).catch((e) => e);
  expect(rejection).toBeInstanceOf(ServiceError);
  return rejection as ServiceError;
}

describe('KMS errors', () => {
  it('maps a disabled CMK to 409 MasterKeyDisabled', async () => {
    const error = await mapped(new DisabledException({ message: `${ARN} is disabled.`, ...meta }));
    expect(error).toMatchObject({ code: 'MasterKeyDisabled', status: 409 });
    expect(error.message).not.toContain(ARN);
  });

  it('maps a CMK pending deletion to 409 MasterKeyPendingDeletion', async () => {
    const error = await mapped(new KMSInvalidStateException({ message: `${ARN} is pending deletion.`, ...meta }));
    expect(error).toMatchObject({ code: 'MasterKeyPendingDeletion', status: 409 });
  });

  it('maps a missing CMK to 503 DependencyUnavailable', async () => {
    expect(await mapped(new NotFoundException({ message: 'gone', ...meta }))).toMatchObject({ code: 'DependencyUnavailable', status: 503 });
  });
});

describe('translateDependencyError', () => {
  it('maps throttling to 429 with a retry hint', () => {
    const error = translateDependencyError(new ProvisionedThroughputExceededException({ message: 'slow down', ...meta }), 'DynamoDB');
    expect(error).toMatchObject({ code: 'Throttled', status: 429, retryAfterSeconds: 1 });
  });

  it('maps 5xx answers and network failures to 503', () => {
    expect(translateDependencyError(Object.assign(new Error('x'), { $metadata: { httpStatusCode: 500 } }), 'KMS')).toMatchObject({
      code: 'DependencyUnavailable',
    });
    expect(translateDependencyError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'KMS')).toMatchObject({
      code: 'DependencyUnavailable',
    });
  });

  it('leaves other errors alone, for the caller to handle or surface as a bug', () => {
    const bug = new TypeError('boom');
    expect(translateDependencyError(bug, 'KMS')).toBe(bug);
  });
});

describe('errorResponse', () => {
  it('hides the detail of unexpected errors behind a 500', () => {
    const logged: unknown[] = [];
    const response = errorResponse(new Error('secret detail'), (_m, e) => logged.push(e));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret detail');
    expect(logged).toHaveLength(1);
  });

  it('sends Retry-After with Throttled', () => {
    const response = errorResponse(new ServiceError('Throttled', 'later', 2), () => undefined);
    expect(response).toMatchObject({ statusCode: 429, headers: { 'retry-after': '2' } });
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'Throttled', message: 'later' } });
  });
});
