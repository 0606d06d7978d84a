/**
 * Wiring shared by the handlers, created once per execution environment. KMS only, so that the
 * master-key function's bundle carries no DynamoDB client.
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { MasterKey } from '../domain/master-key.js';
import { RequestScopedHttpHandler } from './cancellation.js';
import { observeKmsCall, traced } from './observability.js';
import { masterKeyArn } from '../config.js';

export const once = <T>(create: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= create());
};

/**
 * Every AWS SDK client's limits: a connection within 1 s, an answer within 3 s, three attempts
 * with the SDK's backoff. A dependency that hangs fails one call in about 10 s, well inside the
 * functions' timeouts and API Gateway's 29 s, and answers 503 (see translateDependencyError).
 * Calls stop when the request they serve ends (see RequestScopedHttpHandler). Each client is
 * passed to `traced` where it is created (see observability.ts).
 */
export const awsClientConfig = () => ({
  maxAttempts: 3,
  requestHandler: new RequestScopedHttpHandler({ connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true }),
});

export const getMasterKey = once(() => new MasterKey(traced(new KMSClient(awsClientConfig())), masterKeyArn(), observeKmsCall));
