import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AuditConfig } from '../config.js';
import type { AuditEntry } from '../domain/audit-record.js';
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand, ResourceAlreadyExistsException } from '@aws-sdk/client-cloudwatch-logs';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientConfig } from './master-key-service.js';
import { traced } from './observability.js';

/** Where audit entries (intents and outcomes) go, one JSON line each; a write that cannot finish within `timeoutMs` fails. */
export interface AuditSink {
  write(record: AuditEntry, timeoutMs: number): Promise<void>;
}

/**
 * The audit log group, written with PutLogEvents: Lambda sends everything a function prints to the
 * function's own log group, so records reach a group of their own only through the API. One log
 * stream per execution environment, created at its first record, named as Lambda names its own.
 */
export function logGroupSink(logGroupName: string, logs = traced(new CloudWatchLogsClient(awsClientConfig()))): AuditSink {
  const logStreamName = `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/${process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'envelope-api'}/${randomUUID()}`;
  let created = false;
  return {
    write: async (record, timeoutMs) => {
      const abortSignal = AbortSignal.timeout(Math.max(timeoutMs, 0));
      if (!created) {
        await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }), { abortSignal }).catch((error: unknown) => {
          if (!(error instanceof ResourceAlreadyExistsException)) throw error;
        });
        created = true;
      }
      const logEvents = [{ timestamp: Date.parse(record.time), message: JSON.stringify(record) }];
      const { rejectedLogEventsInfo } = await logs.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents }), { abortSignal });
      if (rejectedLogEventsInfo) throw new Error(`CloudWatch Logs rejected the record: ${JSON.stringify(rejectedLogEventsInfo)}`);
    },
  };
}

/** The local runtime's stand-in for the log group: a JSON-lines file, appended to (readable by its owner only). */
export function fileSink(file: string): AuditSink {
  // Synchronous: a local append takes microseconds, far less than an asynchronous one's promise
  // machinery (a sixth of a busy worker's time), and the record must be written before the answer
  // anyway. Opened per record, so that a file moved or deleted away is created again, not written
  // after its unlinking.
  return { write: async (record) => appendFileSync(file, `${jsonLine(record)}\n`, { mode: 0o600 }) };
}

/**
 * JSON with the characters some readers take for line breaks (U+0085, U+2028, U+2029) escaped, as
 * JSON allows: a context key or user agent holding one must not split a record in two.
 */
export const jsonLine = (value: unknown): string =>
  JSON.stringify(value).replace(/[\u0085\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function auditSink(config: AuditConfig['sink']): AuditSink {
  return 'logGroupName' in config ? logGroupSink(config.logGroupName) : fileSink(config.file);
}

/** The audit key: the secret's string in AWS (read with the function's role), the file's content locally. */
export async function readAuditKey(config: AuditConfig['key'], timeoutMs: number): Promise<string> {
  if ('file' in config) return (await readFile(config.file, 'utf8')).trim();
  const secrets = traced(new SecretsManagerClient(awsClientConfig()));
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: config.secretArn }), {
    abortSignal: AbortSignal.timeout(Math.max(timeoutMs, 0)),
  });
  if (typeof SecretString !== 'string') throw new Error('The audit key secret has no string value.');
  return SecretString;
}
