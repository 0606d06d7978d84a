import type { ApiFunctionName } from '../contract/index.js';

/** What one function may do with the master key, directly. */
export interface MasterKeyRights {
  readonly actions: readonly string[];
  /** Whether every call must carry exactly the service's encryption-context keys. */
  readonly contextBound: boolean;
}

export interface FunctionRights {
  /** Direct KMS calls on the master key; the key stack's key policy and the function's role both read it. */
  readonly masterKey?: MasterKeyRights;
  /** DynamoDB item actions on the data-key table (which the storage key encrypts, used through DynamoDB only). */
  readonly table?: readonly string[];
  /**
   * Updates a version item's last-use hour, and no other attribute (`dynamodb:Attributes`): the
   * evidence admins read before retiring a version, written at most once per version per hour.
   */
  readonly versionUsage?: true;
  /** Writes audit records (to the audit log group, hashed with the audit key it reads): every function behind IAM auth. */
  readonly audited: boolean;
  /**
   * Checks the dependencies for operators: reads the health probe item (GetItem, on its partition
   * key only) and lists the audit log group's streams. Describing the master key and reading the
   * audit key come with `masterKey` and `audited`.
   */
  readonly dependencyChecks?: true;
}

export interface ApiFunction {
  /** The module whose `handler` export runs, relative to the repository root. */
  readonly entry: string;
  /** Lambda stops an invocation there, whatever it was doing. */
  readonly timeoutSeconds: number;
  /** In MB: Lambda gives CPU in proportion. */
  readonly memorySize: number;
  readonly rights: FunctionRights;
}

/**
 * The service's functions, the one place each is described: the stacks deploy them from it (the
 * key stack's policy names the roles with master-key rights), the local runtime runs them from it.
 */
export const API_FUNCTIONS: Readonly<Record<ApiFunctionName, ApiFunction>> = {
  keys: {
    entry: 'lambdas/keys.ts',
    timeoutSeconds: 10,
    memorySize: 512,
    rights: {
      masterKey: { actions: ['kms:GenerateDataKeyWithoutPlaintext'], contextBound: true },
      table: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'dynamodb:BatchGetItem',
        'dynamodb:BatchWriteItem',
      ],
      audited: true,
    },
  },
  crypto: {
    entry: 'lambdas/crypto.ts',
    // API Gateway's integration timeout (29 s by default): past it, no caller is left to answer.
    timeoutSeconds: 29,
    // Batches of 4 MiB need memory, and memory buys CPU for AES-GCM.
    memorySize: 1769,
    rights: {
      masterKey: { actions: ['kms:Decrypt'], contextBound: true },
      // Reads only: encrypting needs no coordination (see "Nonce safety"), and versions are added by admins.
      table: ['dynamodb:GetItem'],
      versionUsage: true,
      audited: true,
    },
  },
  masterKey: {
    entry: 'lambdas/master-key.ts',
    timeoutSeconds: 10,
    memorySize: 256,
    rights: {
      masterKey: { actions: ['kms:DescribeKey', 'kms:GetKeyRotationStatus'], contextBound: false },
      audited: true,
      dependencyChecks: true,
    },
  },
  // The public routes: no caller, no key, nothing to audit.
  health: { entry: 'lambdas/health.ts', timeoutSeconds: 3, memorySize: 128, rights: { audited: false } },
};

export const API_FUNCTION_NAMES = Object.keys(API_FUNCTIONS) as ApiFunctionName[];
