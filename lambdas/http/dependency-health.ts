import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { DependencyHealth, DependencyName, DependencyStatus } from '../../contract/index.js';
import { auditConfig, masterKeyArn, tableName } from '../config.js';
import { type FailureLog, runCheck } from './dependency-checks.js';
import { auditTrailProbe, kmsProbe, probeClientConfig, tableProbe } from './dependency-probes.js';
import { once } from './master-key-service.js';
import { logger, traced } from './observability.js';
import { jsonResponse } from './responses.js';

/**
 * Each check's time, well inside the operator function's 10 s timeout (API_FUNCTIONS in lib/functions.ts):
 * the checks run side by side, then the request's audit record is written (2 s at most), and
 * apiHandler answers 503 on its own 0.5 s before the function's end.
 */
export const CHECK_TIMEOUT_MS = 3_000;

const probes = once(() => ({
  kms: kmsProbe(traced(new KMSClient(probeClientConfig())), masterKeyArn()),
  dynamodb: tableProbe(traced(new DynamoDBClient(probeClientConfig())), tableName()),
  auditTrail: auditTrailProbe(auditConfig(), CHECK_TIMEOUT_MS),
}));

const failureLog =
  (dependency: DependencyName): FailureLog =>
  (reason, error) =>
    logger.warn('Dependency check failed', { dependency, reason, error: error as Error });

/** Checks every dependency now, in parallel, each within CHECK_TIMEOUT_MS. */
export async function checkDependencies(): Promise<DependencyHealth> {
  const { kms, dynamodb, auditTrail } = probes();
  const [master, table, audit] = await Promise.all([
    runCheck(kms, CHECK_TIMEOUT_MS, failureLog('kms')),
    runCheck(dynamodb, CHECK_TIMEOUT_MS, failureLog('dynamodb')),
    runCheck(auditTrail, CHECK_TIMEOUT_MS, failureLog('auditTrail')),
  ]);
  const dependencies = {
    kms: { ...master.status, keyState: master.facts?.keyState ?? null },
    dynamodb: table.status,
    auditTrail: audit.status,
  };
  const allOk = Object.values(dependencies).every((dependency: DependencyStatus) => dependency.status === 'ok');
  return { status: allOk ? 'ok' : 'unavailable', dependencies };
}

/** `GET /v1/health/dependencies`: the report, 200 when every dependency is ok, 503 with the same shape otherwise. */
export async function dependencyHealthResponse(): Promise<APIGatewayProxyResult> {
  const report = await checkDependencies();
  return jsonResponse(report.status === 'ok' ? 200 : 503, report);
}
