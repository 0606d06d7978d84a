/** Request and response bodies of the API, as JSON carries them. */
import type { ErrorCode } from './errors.js';

export type EncryptionContext = Record<string, string>;
/** Names for sorting keys: team, cost centre, data class. */
export type Tags = Record<string, string>;
export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface KeyPolicy {
  readonly admins: readonly string[];
  readonly users: readonly string[];
}

/**
 * What a version may still do: `Enabled` decrypts and rewraps (the current version also encrypts);
 * `Retired` (below the key's `minDecryptionVersion`) is refused until the minimum is lowered again;
 * `PendingDestruction` is retired and destroyed at the key's `versionDestruction.destructionDate`
 * unless cancelled; `Destroyed` can never decrypt again: its wrapped key is shredded.
 */
export type KeyVersionState = 'Enabled' | 'Retired' | 'PendingDestruction' | 'Destroyed';

export interface KeyVersionInfo {
  readonly version: number;
  readonly createdAt: string;
  readonly state: KeyVersionState;
  /**
   * The hour (`…T13:00:00.000Z`) this version last decrypted or rewrapped something, null if it has
   * not since it was created. Up to an hour late, and only in `GET /v1/keys/{key}` and the
   * version routes' answers (docs/key-versions.md says how it is kept).
   */
  readonly lastUsedAt?: string | null;
}

/** Retired versions scheduled for destruction: every version up to `throughVersion`, at `destructionDate`. */
export interface VersionDestruction {
  readonly throughVersion: number;
  readonly destructionDate: string;
}

/** A key's metadata, as its admins see it. */
export interface KeyMetadata {
  readonly keyId: string;
  readonly alias: string | null;
  readonly description: string | null;
  readonly state: KeyState;
  readonly currentVersion: number;
  readonly versions: readonly KeyVersionInfo[];
  readonly createdAt: string;
  readonly createdBy: string;
  readonly deletionDate: string | null;
  readonly policy: KeyPolicy;
  readonly tags: Tags;
  /** The oldest version that may decrypt and rewrap; older ones answer 409 KeyVersionRetired. 1 until an admin raises it. */
  readonly minDecryptionVersion: number;
  /** A destruction of retired versions that has not happened yet, or null. */
  readonly versionDestruction: VersionDestruction | null;
  /** Every version up to this one is destroyed (0: none). */
  readonly destroyedThroughVersion: number;
}

/** What listing shows a key's users: enough to use it, nothing of its policy or history. */
export type KeySummary = Pick<KeyMetadata, 'keyId' | 'alias' | 'state' | 'currentVersion'> & {
  /** For a grantee: its own active grants on the key. */
  readonly grants?: readonly Grant[];
};

export interface KeyPage {
  readonly keys: readonly (KeyMetadata | KeySummary)[];
  readonly nextToken?: string;
}

export interface CreateKeyRequest {
  readonly alias?: string;
  readonly description?: string;
  readonly tags?: Tags;
}

export interface PutPolicyRequest extends KeyPolicy {
  readonly bypassLockoutSafetyCheck?: boolean;
}

/** `PUT /v1/keys/{key}/min-decryption-version`: versions below it are retired, those at or above it enabled again. */
export interface RetireVersionsRequest {
  readonly minDecryptionVersion: number;
}

/** A rotate answers the version it created, whatever concurrent rotations did. */
export type RotatedKey = KeyMetadata & { readonly createdVersion: number };

/** One sealed value: `ciphertext` is the token (`ev2.…`). */
export interface SealedValue {
  readonly ciphertext: string;
  readonly keyId: string;
  readonly keyVersion: number;
}

/** One opened value: `plaintext` in base64. */
export interface OpenedValue {
  readonly plaintext: string;
  readonly keyId: string;
  readonly keyVersion: number;
}

/** A batch item's outcome, in request order, with the caller's `reference` when it gave one. */
export type BatchItemResult<T> = (T | { readonly error: { readonly code: ErrorCode; readonly message: string } }) & { readonly reference?: string };

/** What a grant may allow, as KMS's grant operations. */
export type GrantOperation = 'encrypt' | 'decrypt' | 'rewrap' | 'generateDataKey';

/** KMS's grant constraints: the request's context must equal, or contain, these pairs. */
export type GrantConstraints = { readonly contextEquals: EncryptionContext } | { readonly contextSubset: EncryptionContext };

export interface CreateGrantRequest {
  /** The principal ARN the grant is for (a role, not a role session). */
  readonly grantee: string;
  readonly operations: readonly GrantOperation[];
  readonly constraints?: GrantConstraints;
  /** ISO date, at most a year ahead. @default a year ahead */
  readonly expiresAt?: string;
  /** Unique per key; the same name with the same grant answers the same grant. */
  readonly name?: string;
}

export interface Grant {
  readonly grantId: string;
  readonly keyId: string;
  readonly grantee: string;
  readonly operations: readonly GrantOperation[];
  readonly constraints: GrantConstraints | null;
  readonly expiresAt: string;
  readonly name: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
}

export interface GrantPage {
  readonly grants: readonly Grant[];
  readonly nextToken?: string;
}

/** The one data-key spec, as KMS names it. */
export type DataKeySpec = 'AES_256';

export interface DataKeyRequestBody {
  readonly keyId: string;
  readonly context?: EncryptionContext;
  readonly keySpec?: DataKeySpec;
  /** As KMS's GenerateDataKeyWithoutPlaintext: only the encrypted form comes back. */
  readonly withoutPlaintext?: boolean;
}

/** A fresh data key: `encryptedKey` is an ordinary ciphertext that decrypt opens; `plaintextKey` is base64. */
export interface DataKeyValue {
  readonly encryptedKey: string;
  readonly plaintextKey?: string;
  readonly keyId: string;
  readonly keyVersion: number;
}

export interface MasterKeyStatus {
  readonly keyArn: string;
  readonly keyState: string;
  /** `AWS_KMS`, or `EXTERNAL` for imported key material (which KMS does not rotate automatically). */
  readonly keyMaterialOrigin: string;
  /** When imported material expires, if it does. */
  readonly keyMaterialValidTo: string | null;
  readonly keyRotationEnabled: boolean;
  readonly rotationPeriodInDays: number | null;
  readonly nextRotationDate: string | null;
}

/** The dependencies `GET /v1/health/dependencies` checks: the master key, the table and the audit trail. */
export type DependencyName = 'kms' | 'dynamodb' | 'auditTrail';

/**
 * Why a dependency is unavailable, in the service's words (never the dependency's own message):
 * it did not answer in time, refused the service's role, could not be reached, throttled, answered
 * that it cannot be used (a master key not enabled), or failed otherwise.
 */
export const DEPENDENCY_FAILURES = ['Timeout', 'AccessDenied', 'Unreachable', 'Throttled', 'NotUsable', 'Failed'] as const;
export type DependencyFailure = (typeof DEPENDENCY_FAILURES)[number];

export interface DependencyStatus {
  readonly status: 'ok' | 'unavailable';
  /** How long the check took, in milliseconds. */
  readonly latencyMs: number;
  /** Set when unavailable. */
  readonly reason?: DependencyFailure;
}

/** The master key's check also reports its state, when KMS described it. */
export type KmsDependencyStatus = DependencyStatus & { readonly keyState: string | null };

/** The operators' check: `ok` (HTTP 200) when every dependency is, `unavailable` (HTTP 503) otherwise. */
export interface DependencyHealth {
  readonly status: 'ok' | 'unavailable';
  readonly dependencies: {
    readonly kms: KmsDependencyStatus;
    readonly dynamodb: DependencyStatus;
    readonly auditTrail: DependencyStatus;
  };
}
