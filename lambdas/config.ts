import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { DEFAULT_CACHE_LIMITS, type DataKeyCacheLimits } from './domain/data-key-provider.js';
import { DEFAULT_MAX_KEYS_PER_PRINCIPAL } from './domain/key-management.js';

/**
 * Every environment variable the handlers read, by name. The stack sets them, the local runtime
 * and the tests too, each importing the names from here.
 */
export const HANDLER_ENV = {
  tableName: 'TABLE_NAME',
  masterKeyArn: 'MASTER_KEY_ARN',
  cacheMaxAgeSeconds: 'ENVELOPE_CACHE_MAX_AGE_SECONDS',
  cacheMaxMessages: 'ENVELOPE_CACHE_MAX_MESSAGES',
  cacheMaxBytes: 'ENVELOPE_CACHE_MAX_BYTES',
  cacheMaxEntries: 'ENVELOPE_CACHE_MAX_ENTRIES',
  maxKeysPerPrincipal: 'ENVELOPE_MAX_KEYS_PER_PRINCIPAL',
  /** Where audit records go: a CloudWatch Logs log group (in AWS) or a JSON-lines file (locally), exactly one. */
  auditLogGroup: 'ENVELOPE_AUDIT_LOG_GROUP',
  auditFile: 'ENVELOPE_AUDIT_FILE',
  /** The audit key: a Secrets Manager secret (in AWS) or a file (locally), exactly one. */
  auditKeySecretArn: 'ENVELOPE_AUDIT_KEY_SECRET_ARN',
  auditKeyFile: 'ENVELOPE_AUDIT_KEY_FILE',
} as const;

/** The master key, for every function that calls KMS. */
export const masterKeyArn = (): string => required(HANDLER_ENV.masterKeyArn);

/** The data-key table, for every function that reads it. */
export const tableName = (): string => required(HANDLER_ENV.tableName);

export interface DataKeyConfig {
  readonly tableName: string;
  readonly cache: DataKeyCacheLimits;
  /** Live keys one principal may administer or use; creating past it is 409 LimitExceeded. */
  readonly maxKeysPerPrincipal: number;
}

/** Parsed once, where the services are built: a bad value fails the cold start, never a request. */
export function dataKeyConfig(): DataKeyConfig {
  return {
    tableName: tableName(),
    cache: {
      maxAgeSeconds: count(HANDLER_ENV.cacheMaxAgeSeconds, DEFAULT_CACHE_LIMITS.maxAgeSeconds),
      maxMessagesPerKey: count(HANDLER_ENV.cacheMaxMessages, DEFAULT_CACHE_LIMITS.maxMessagesPerKey),
      maxBytesPerKey: count(HANDLER_ENV.cacheMaxBytes, DEFAULT_CACHE_LIMITS.maxBytesPerKey),
      maxEntries: count(HANDLER_ENV.cacheMaxEntries, DEFAULT_CACHE_LIMITS.maxEntries),
    },
    maxKeysPerPrincipal: count(HANDLER_ENV.maxKeysPerPrincipal, DEFAULT_MAX_KEYS_PER_PRINCIPAL, 1),
  };
}

export interface AuditConfig {
  readonly sink: { readonly logGroupName: string } | { readonly file: string };
  readonly key: { readonly secretArn: string } | { readonly file: string };
}

/** Parsed once, like dataKeyConfig: a function without its audit trail fails its cold start, never a request. */
export function auditConfig(): AuditConfig {
  const logGroupName = exactlyOne(HANDLER_ENV.auditLogGroup, HANDLER_ENV.auditFile);
  const secretArn = exactlyOne(HANDLER_ENV.auditKeySecretArn, HANDLER_ENV.auditKeyFile);
  return {
    sink: logGroupName.first ? { logGroupName: logGroupName.value } : { file: logGroupName.value },
    key: secretArn.first ? { secretArn: secretArn.value } : { file: secretArn.value },
  };
}

/** The value of exactly one of two variables, and whether it was the first. */
function exactlyOne(first: string, second: string): { value: string; first: boolean } {
  const [a, b] = [process.env[first]?.trim() ?? '', process.env[second]?.trim() ?? ''];
  if ((a === '') === (b === '')) throw new Error(`Set exactly one of ${first} and ${second}.`);
  return a === '' ? { value: b, first: false } : { value: a, first: true };
}

const required = (key: string): string => getStringFromEnv({ key, errorMessage: `Environment variable ${key} is not set.` });

/** A whole number of at least `min`; unset or empty means the default. */
function count(key: string, defaultValue: number, min = 0): number {
  if ((process.env[key] ?? '').trim() === '') return defaultValue;
  const value = getNumberFromEnv({ key, defaultValue, errorMessage: `${key} must be a number.` });
  if (!Number.isInteger(value) || value < min) throw new Error(`${key} must be an integer of at least ${min}, not ${value}.`);
  return value;
}
