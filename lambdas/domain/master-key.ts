import {
  DecryptCommand,
  DescribeKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyRotationStatusCommand,
  type GetKeyRotationStatusCommandOutput,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { KMS_CONTEXT_KEYS, type ErrorCode, type MasterKeyStatus } from '../../contract/index.js';
import type { DataKeyRef } from './ciphertext-token.js';
import { observedCall, UNOBSERVED_CALLS, type DependencyObserver } from './dependency-calls.js';
import { translateDependencyError } from './dependency-errors.js';
import { ServiceError } from './errors.js';

export type { MasterKeyStatus };

/**
 * The customer-managed KMS key that wraps every data key. Each call names the data key id and
 * version in its encryption context, so a wrapped key only unwraps for the record it was made for.
 */
export class MasterKey {
  constructor(
    private readonly kms: KMSClient,
    readonly keyArn: string,
    private readonly observeCall: DependencyObserver = UNOBSERVED_CALLS,
  ) {}

  async generateWrappedDataKey(ref: DataKeyRef): Promise<Uint8Array> {
    const out = await this.call(() =>
      this.kms.send(
        new GenerateDataKeyWithoutPlaintextCommand({
          KeyId: this.keyArn,
          KeySpec: 'AES_256',
          EncryptionContext: kmsContext(ref),
        }),
      ),
    );
    return out.CiphertextBlob!;
  }

  /** Returns the plaintext data key; the caller owns it and must zero it after use. */
  async unwrapDataKey(ref: DataKeyRef, wrappedKey: Uint8Array): Promise<Uint8Array> {
    const out = await this.call(() =>
      this.kms.send(
        new DecryptCommand({
          KeyId: this.keyArn,
          CiphertextBlob: wrappedKey,
          EncryptionContext: kmsContext(ref),
        }),
      ),
    );
    return out.Plaintext!;
  }

  async status(): Promise<MasterKeyStatus> {
    const { KeyMetadata } = await this.call(() => this.kms.send(new DescribeKeyCommand({ KeyId: this.keyArn })));
    const origin = KeyMetadata?.Origin ?? 'AWS_KMS';
    // KMS refuses rotation status for imported material: it never rotates it automatically.
    const rotation: Partial<GetKeyRotationStatusCommandOutput> =
      origin === 'EXTERNAL' ? {} : await this.call(() => this.kms.send(new GetKeyRotationStatusCommand({ KeyId: this.keyArn })));
    return {
      keyArn: KeyMetadata?.Arn ?? this.keyArn,
      keyState: KeyMetadata?.KeyState ?? 'Unknown',
      keyMaterialOrigin: origin,
      keyMaterialValidTo: KeyMetadata?.ValidTo?.toISOString() ?? null,
      keyRotationEnabled: rotation.KeyRotationEnabled ?? false,
      rotationPeriodInDays: rotation.RotationPeriodInDays ?? null,
      nextRotationDate: rotation.NextRotationDate?.toISOString() ?? null,
    };
  }

  private call<T>(operation: () => Promise<T>): Promise<T> {
    return observedCall(operation, translateKmsError, this.observeCall);
  }
}

export function kmsContext({ keyId, keyVersion }: DataKeyRef): Record<string, string> {
  return { [KMS_CONTEXT_KEYS.dataKeyId]: keyId, [KMS_CONTEXT_KEYS.dataKeyVersion]: String(keyVersion) };
}

/** KMS's answers about the master key itself get errors of their own; any other failure is translated as any dependency's. */
function translateKmsError(error: unknown): unknown {
  const refusal = masterKeyRefusal(error);
  if (refusal === undefined) return translateDependencyError(error, 'KMS');
  return new ServiceError(refusal.code, refusal.message, undefined, { cause: error });
}

function masterKeyRefusal(error: unknown): { code: ErrorCode; message: string } | undefined {
  const name = (error as Error | undefined)?.name;
  const message = (error as Error | undefined)?.message ?? '';
  if (name === 'DisabledException') {
    return { code: 'MasterKeyDisabled', message: 'The master key is disabled; a key administrator must enable it in KMS.' };
  }
  if (name === 'KMSInvalidStateException' && /pending deletion/i.test(message)) {
    return {
      code: 'MasterKeyPendingDeletion',
      message: 'The master key is pending deletion; a key administrator must cancel the deletion in KMS.',
    };
  }
  if (name === 'KMSInvalidStateException' && /pending import/i.test(message)) {
    return {
      code: 'MasterKeyPendingImport',
      message: 'The master key has no key material (never imported, deleted or expired); a key administrator must import it again.',
    };
  }
  if (name === 'KMSInvalidStateException' || name === 'NotFoundException' || name === 'AccessDeniedException' || name === 'KMSInternalException') {
    return { code: 'DependencyUnavailable', message: 'The master key is not usable by the service right now.' };
  }
  return undefined;
}
