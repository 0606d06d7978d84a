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
} as const;

/** The master key, for every function that calls KMS. */
export const masterKeyArn = (): string => required(HANDLER_ENV.masterKeyArn);

export interface DataKeyConfig {
  readonly tableName: string;
  readonly cache: DataKeyCacheLimits;
  /** Live keys one principal may administer or use; creating past it is 409 LimitExceeded. */
  readonly maxKeysPerPrincipal: number;
}

/** Parsed once, where the services are built: a bad value fails the cold start, never a request. */
export function dataKeyConfig(): DataKeyConfig {
  return {
    tableName: required(HANDLER_ENV.tableName),
    cache: {
      maxAgeSeconds: count(HANDLER_ENV.cacheMaxAgeSeconds, DEFAULT_CACHE_LIMITS.maxAgeSeconds),
      maxMessagesPerKey: count(HANDLER_ENV.cacheMaxMessages, DEFAULT_CACHE_LIMITS.maxMessagesPerKey),
      maxBytesPerKey: count(HANDLER_ENV.cacheMaxBytes, DEFAULT_CACHE_LIMITS.maxBytesPerKey),
      maxEntries: count(HANDLER_ENV.cacheMaxEntries, DEFAULT_CACHE_LIMITS.maxEntries),
    },
    maxKeysPerPrincipal: count(HANDLER_ENV.maxKeysPerPrincipal, DEFAULT_MAX_KEYS_PER_PRINCIPAL, 1),
  };
}

const required = (key: string): string => getStringFromEnv({ key, errorMessage: `Environment variable ${key} is not set.` });

/** A whole number of at least `min`; unset or empty means the default. */
function count(key: string, defaultValue: number, min = 0): number {
  if ((process.env[key] ?? '').trim() === '') return defaultValue;
  const value = getNumberFromEnv({ key, defaultValue, errorMessage: `${key} must be a number.` });
  if (!Number.isInteger(value) || value < min) throw new Error(`${key} must be an integer of at least ${min}, not ${value}.`);
  return value;
}
