import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import { EnvelopeApiError } from '../errors.js';
import { type AuditOutcomeFields, activityRecordOf, type StatusTally } from './activity-page.js';
import { ACTIVITY_LIMIT, type ActivityRecord } from './protocol.js';

/** What the two Logs Insights queries select: a key by its id (an alias is resolved first), a caller by its ARN. */
export interface LogsFilter {
  readonly keyId?: string;
  readonly principal?: string;
}

const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isKeyId = (value: string): boolean => KEY_ID.test(value);
/** An IAM or STS principal's ARN: nothing in it can end a quoted string in a query. */
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/-]+$/;

/**
 * The outcome records that match, as the saved queries select them (`who-used-a-key` searches
 * the message for the key id; `what-a-principal-did` compares the caller), intents left out. The
 * values are checked, never escaped: a value that is not an id or an ARN matches no record anyway.
 */
export function logsFilter({ keyId, principal }: LogsFilter): string {
  if (keyId !== undefined && !isKeyId(keyId)) throw invalid(`key is not a key id or an alias: ${JSON.stringify(keyId)}.`);
  if (principal !== undefined && !PRINCIPAL_ARN.test(principal)) {
    throw invalid(`principal is not an IAM principal's ARN: ${JSON.stringify(principal)} (for example arn:aws:iam::111122223333:role/app).`);
  }
  const conditions = [
    'phase = "outcome"',
    ...(keyId === undefined ? [] : [`@message like "${keyId}"`]),
    ...(principal === undefined ? [] : [`caller = "${principal}"`]),
  ];
  return `filter ${conditions.join(' and ')}`;
}

/** The newest records, one more than a page holds, so that a page knows it is truncated. */
export const recordsQuery = (filter: string): string =>
  [filter, 'fields @timestamp, @message', 'sort @timestamp desc', `limit ${ACTIVITY_LIMIT + 1}`].join('\n| ');

/** Requests per hour and status, over every record that matches. */
export const hourlyQuery = (filter: string): string => [filter, 'stats count(*) as requests by bin(1h), status'].join('\n| ');

const fieldOf = (row: readonly ResultField[], name: (field: string) => boolean) => row.find((field) => name(field.field ?? ''))?.value;

/** A row of the records query: the audit record in its message, read as the local trail is read. */
export function recordOfRow(row: readonly ResultField[]): ActivityRecord {
  return activityRecordOf(JSON.parse(fieldOf(row, (name) => name === '@message') ?? '{}') as AuditOutcomeFields);
}

/** A row of the hourly query. Logs Insights writes its times in UTC, as `2026-12-06 09:00:00.000`. */
export function tallyOfRow(row: readonly ResultField[]): StatusTally {
  const hour = fieldOf(row, (name) => name.startsWith('bin(')) ?? '';
  return {
    hour: new Date(`${hour.replace(' ', 'T')}Z`),
    status: Number(fieldOf(row, (name) => name === 'status')),
    count: Number(fieldOf(row, (name) => name === 'requests')),
  };
}

const invalid = (message: string) => new EnvelopeApiError(400, 'ValidationError', message);
