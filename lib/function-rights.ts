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
  /** Writes audit records (to the audit log group, hashed with the audit key it reads): every function behind IAM auth. */
  readonly audited: boolean;
  /**
   * Checks the dependencies for operators: reads the health probe item (GetItem, on its partition
   * key only) and lists the audit log group's streams. Describing the master key and reading the
   * audit key come with `masterKey` and `audited`.
   */
  readonly dependencyChecks?: true;
  readonly memorySize: number;
}

/** Each function's rights, the one place they are written: both stacks read this table. */
export const FUNCTION_RIGHTS: Readonly<Record<ApiFunctionName, FunctionRights>> = {
  keys: {
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
    memorySize: 512,
  },
  crypto: {
    masterKey: { actions: ['kms:Decrypt'], contextBound: true },
    // Reads only: encrypting needs no coordination (see "Nonce safety"), and versions are added by admins.
    table: ['dynamodb:GetItem'],
    audited: true,
    // Batches of 4 MiB need memory, and memory buys CPU for AES-GCM.
    memorySize: 1769,
  },
  masterKey: {
    masterKey: { actions: ['kms:DescribeKey', 'kms:GetKeyRotationStatus'], contextBound: false },
    audited: true,
    dependencyChecks: true,
    memorySize: 256,
  },
  // The public routes: no caller, no key, nothing to audit.
  health: { audited: false, memorySize: 128 },
};
