/** The cost model's inputs for each priced request, from a run's results and the synthesized stacks. */
import { API_FUNCTIONS } from '../lib/functions.js';
import type { DeploymentResources, RequestCostInputs } from './cost.js';
import type { HandlerProfileName } from './handler-time.js';
import { accessLogLine, bytesOf, lambdaPlatformLines } from './log-lines.js';
import { CALL_COUNT_OPERATIONS, type StoredResults } from './results.js';

/** What the cost model reads of the deployment, besides a run's results. */
export interface Deployment {
  readonly resources: DeploymentResources;
  readonly accessLogFormat: string;
}

/** Every request priced is the crypto function's. */
export const MEMORY_MB = API_FUNCTIONS.crypto.memorySize;

/**
 * One kind of request's inputs, or undefined when the run did not measure them. KMS calls and
 * DynamoDB reads are per item as the bench counted them over 10,000 operations on a warm cache.
 */
export function costInputs(results: StoredResults, profile: HandlerProfileName, { accessLogFormat }: Deployment): RequestCostInputs | undefined {
  const measured = results.handlers?.profiles?.[profile];
  const calls = profile === 'singleDecrypt' ? results.calls?.cacheOn?.decrypts : results.calls?.cacheOn?.encrypts;
  const { items, msPerRequest, auditBytesPerRequest, logBytesPerRequest } = measured ?? {};
  if (items === undefined || msPerRequest === undefined || auditBytesPerRequest === undefined || logBytesPerRequest === undefined) return undefined;
  if (calls?.kms === undefined || calls.dynamoDbReads === undefined) return undefined;
  return {
    items,
    handlerMs: msPerRequest,
    memoryMb: MEMORY_MB,
    auditBytes: auditBytesPerRequest,
    logBytes: logBytesPerRequest + bytesOf(lambdaPlatformLines(MEMORY_MB)) + bytesOf([accessLogLine(accessLogFormat)]),
    kmsCalls: (items * calls.kms) / CALL_COUNT_OPERATIONS,
    dynamoDbReads: (items * calls.dynamoDbReads) / CALL_COUNT_OPERATIONS,
  };
}
