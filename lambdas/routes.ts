import type { ApiFunctionName } from '../contract/index.js';

/** Lambda entry files, relative to the repository root, one per function. */
export const FUNCTION_ENTRIES: Record<ApiFunctionName, string> = {
  keys: 'lambdas/keys.ts',
  crypto: 'lambdas/crypto.ts',
  masterKey: 'lambdas/master-key.ts',
  health: 'lambdas/health.ts',
};

/** Each function's timeout: Lambda stops an invocation there, whatever it was doing. */
export const FUNCTION_TIMEOUT_SECONDS: Record<ApiFunctionName, number> = { keys: 10, crypto: 29, masterKey: 10, health: 3 };
