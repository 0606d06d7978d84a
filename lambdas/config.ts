import { getNumberFromEnv, getStringFromEnv } from '@aws-lambda-powertools/commons/utils/env';
import { DEFAULT_CACHE_LIMITS, type DataKeyCacheLimits } from './domain/data-key-provider.js';
import { DEFAULT_MAX_KEYS_PER_PRINCIPAL } from './domain/key-management.js';

/** One environment variable the handlers read. */
export interface HandlerVariable {
  readonly name: string;
  /** What it holds: the environment reference (docs/reference/environment.md) prints it. */
  readonly description: string;
  /** A whole number of at least `min`, `default` when unset or empty; without it, the value is text. */
  readonly count?: { readonly default: number; readonly min: number };
}

/**
 * Every environment variable the handlers read, with what it holds. The stack sets them, the local
 * runtime and the tests too, each importing the names from here (HANDLER_ENV).
 */
export const HANDLER_VARIABLES = {
  tableName: { name: 'TABLE_NAME', description: 'The data-key table (DynamoDB): key records, grants and idempotency records.' },
  masterKeyArn: { name: 'MASTER_KEY_ARN', description: 'The KMS master key that wraps every data key.' },
  cacheMaxAgeSeconds: {
    name: 'ENVELOPE_CACHE_MAX_AGE_SECONDS',
    description: 'Seconds a function may reuse an unwrapped data key and a key record; 0 turns caching off.',
    count: { default: DEFAULT_CACHE_LIMITS.maxAgeSeconds, min: 0 },
  },
  cacheMaxMessages: {
    name: 'ENVELOPE_CACHE_MAX_MESSAGES',
    description: 'Messages one cached data key may encrypt before it is unwrapped afresh (never more than 2^32).',
    count: { default: DEFAULT_CACHE_LIMITS.maxMessagesPerKey, min: 0 },
  },
  cacheMaxBytes: {
    name: 'ENVELOPE_CACHE_MAX_BYTES',
    description: 'Plaintext bytes one cached data key may encrypt before it is unwrapped afresh.',
    count: { default: DEFAULT_CACHE_LIMITS.maxBytesPerKey, min: 0 },
  },
  cacheMaxEntries: {
    name: 'ENVELOPE_CACHE_MAX_ENTRIES',
    description: 'Data keys, and key records, one function instance keeps cached at a time.',
    count: { default: DEFAULT_CACHE_LIMITS.maxEntries, min: 0 },
  },
  maxKeysPerPrincipal: {
    name: 'ENVELOPE_MAX_KEYS_PER_PRINCIPAL',
    description: 'Live keys one principal may administer or use; creating past it is 409 `LimitExceeded`.',
    count: { default: DEFAULT_MAX_KEYS_PER_PRINCIPAL, min: 1 },
  },
  auditLogGroup: {
    name: 'ENVELOPE_AUDIT_LOG_GROUP',
    description: 'Where audit records go in AWS: a CloudWatch Logs log group. Exactly one of it and `ENVELOPE_AUDIT_FILE`.',
  },
  auditFile: {
    name: 'ENVELOPE_AUDIT_FILE',
    description: 'Where audit records go locally: a JSON-lines file. Exactly one of it and `ENVELOPE_AUDIT_LOG_GROUP`.',
  },
  auditKeySecretArn: {
    name: 'ENVELOPE_AUDIT_KEY_SECRET_ARN',
    description:
      'The audit key (it hashes aliases and context values in audit records) in AWS: a Secrets Manager secret. Exactly one of it and `ENVELOPE_AUDIT_KEY_FILE`.',
  },
  auditKeyFile: {
    name: 'ENVELOPE_AUDIT_KEY_FILE',
    description: 'The audit key locally: a file. Exactly one of it and `ENVELOPE_AUDIT_KEY_SECRET_ARN`.',
  },
} as const satisfies Record<string, HandlerVariable>;

type HandlerVariables = typeof HANDLER_VARIABLES;

/** The variables' names, by the same keys. */
export const HANDLER_ENV = Object.fromEntries(Object.entries(HANDLER_VARIABLES).map(([key, { name }]) => [key, name])) as {
  readonly [K in keyof HandlerVariables]: HandlerVariables[K]['name'];
};

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
      maxAgeSeconds: count(HANDLER_VARIABLES.cacheMaxAgeSeconds),
      maxMessagesPerKey: count(HANDLER_VARIABLES.cacheMaxMessages),
      maxBytesPerKey: count(HANDLER_VARIABLES.cacheMaxBytes),
      maxEntries: count(HANDLER_VARIABLES.cacheMaxEntries),
    },
    maxKeysPerPrincipal: count(HANDLER_VARIABLES.maxKeysPerPrincipal),
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

/** A count variable's value: a whole number of at least its minimum; unset or empty means its default. */
function count({ name: key, count: { default: defaultValue, min } }: HandlerVariable & Required<Pick<HandlerVariable, 'count'>>): number {
  if ((process.env[key] ?? '').trim() === '') return defaultValue;
  const value = getNumberFromEnv({ key, defaultValue, errorMessage: `${key} must be a number.` });
  if (!Number.isInteger(value) || value < min) throw new Error(`${key} must be an integer of at least ${min}, not ${value}.`);
  return value;
}
