import { materialId, type EmulatedKey, type KeyMaterial, type KeyStore } from '../key-store.js';
import type { Output } from './operation.js';

/** The one key spec and encryption algorithm the emulator's keys have. */
export const SYMMETRIC_DEFAULT = 'SYMMETRIC_DEFAULT';

/** A key's KeyMetadata, as CreateKey and DescribeKey answer it. */
export function metadata(key: EmulatedKey, store: KeyStore): Output {
  const current = key.materials.at(-1);
  return {
    AWSAccountId: store.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.creationDate,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.state,
    Origin: key.origin ?? 'AWS_KMS',
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: SYMMETRIC_DEFAULT,
    KeySpec: SYMMETRIC_DEFAULT,
    EncryptionAlgorithms: [SYMMETRIC_DEFAULT],
    MultiRegion: false,
    // A key pending its first import has no material yet.
    ...(current && { CurrentKeyMaterialId: materialId(current) }),
    ...(key.origin === 'EXTERNAL' && current && expirationOf(current)),
    ...(key.state === 'PendingDeletion' && { DeletionDate: key.deletionDate }),
  };
}

/**
 * How imported material expires. It stays shown once the material is deleted or has expired: the
 * DescribeKey example of a PendingImport key in "How to identify KMS keys with imported key
 * material" carries its ExpirationModel and ValidTo.
 */
export const expirationOf = (material: KeyMaterial): Output => ({
  ...(material.expirationModel && { ExpirationModel: material.expirationModel }),
  ...(material.validTo !== undefined && { ValidTo: material.validTo }),
});
