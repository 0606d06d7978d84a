import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CloudWatchLogsClient, DescribeLogStreamsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { HEALTH_PROBE_ITEM, TABLE_SCHEMA } from '../../contract/index.js';
import type { AuditConfig } from '../config.js';
import { readAuditKey } from './audit-sink.js';
import type { Probe } from './dependency-checks.js';
import { awsClientConfig, once } from './master-key-service.js';
import { traced } from './observability.js';

/**
 * One look at each dependency, as cheap as it can be and with no more rights than it needs: the
 * operator function's role may describe the master key, read the probe item and nothing else of
 * the table, read the audit key and list the audit log group's streams.
 */

/** The master key, described: usable while it is `Enabled` (KMS refuses cryptography in any other state). */
export const kmsProbe =
  (kms: KMSClient, keyArn: string): Probe<{ keyState: string | null }> =>
  async (signal) => {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }), { abortSignal: signal });
    const keyState = KeyMetadata?.KeyState ?? null;
    return { usable: keyState === 'Enabled', keyState };
  };

/**
 * A read of the probe item, which need not exist: DynamoDB refuses it if the table is missing or
 * inaccessible (its storage key disabled), or the role may not read it, and fails it if it is down.
 */
export const tableProbe =
  (db: DynamoDBClient, tableName: string): Probe =>
  async (signal) => {
    const Key = { [TABLE_SCHEMA.partitionKey]: { S: HEALTH_PROBE_ITEM.partitionKey }, [TABLE_SCHEMA.sortKey]: { S: HEALTH_PROBE_ITEM.sortKey } };
    await db.send(new GetItemCommand({ TableName: tableName, Key }), { abortSignal: signal });
    return { usable: true };
  };

/**
 * The audit trail: its key read (as every audited request needs it; the value stays here) and its
 * sink reachable without writing to it: the log group's streams listed, or the local file (or,
 * before its first record, its folder) writable.
 */
export const auditTrailProbe =
  (config: AuditConfig, timeoutMs: number): Probe =>
  async (signal) => {
    const [key] = await Promise.all([readAuditKey(config.key, timeoutMs), sinkReachable(config.sink, signal)]);
    return { usable: key.length > 0 };
  };

async function sinkReachable(sink: AuditConfig['sink'], signal: AbortSignal): Promise<void> {
  if ('file' in sink) return writable(sink.file);
  await logsClient().send(new DescribeLogStreamsCommand({ logGroupName: sink.logGroupName, limit: 1 }), { abortSignal: signal });
}

async function writable(file: string): Promise<void> {
  await access(file, constants.W_OK).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    await access(dirname(file), constants.W_OK);
  });
}

/** One attempt per check: what an operator asks is how the dependency answers now, not after retries. */
export const probeClientConfig = () => ({ ...awsClientConfig(), maxAttempts: 1 });

const logsClient = once(() => traced(new CloudWatchLogsClient(probeClientConfig())));
