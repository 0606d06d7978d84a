import { KmsError } from '../errors.js';
import { isImported, materialId, type KeyMaterial } from '../key-store.js';
import { expirationOf } from './key-metadata.js';
import { automaticRotationApplies, usable } from './key-states.js';
import { keyFor, keyOnly, type OperationFamily, type Output } from './operation.js';
import { page, unsupported } from './request-guards.js';

const MAX_ON_DEMAND_ROTATIONS = 25;
const DEFAULT_ROTATION_PERIOD_DAYS = 365;

/** Rotation of a key's material: automatic (on a period), on demand, and the list of rotations. */
export const keyRotationOperations = {
  EnableKeyRotation: async (store, input, access) => {
    const key = usable(automaticRotationApplies(await keyFor(store, access, input.KeyId, 'kms:EnableKeyRotation', keyOnly)));
    store.enableRotation(key, input.RotationPeriodInDays ?? key.rotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS);
    return {};
  },
  DisableKeyRotation: async (store, input, access) => {
    store.disableRotation(usable(automaticRotationApplies(await keyFor(store, access, input.KeyId, 'kms:DisableKeyRotation', keyOnly))));
    return {};
  },
  GetKeyRotationStatus: async (store, input, access) => {
    const key = automaticRotationApplies(await keyFor(store, access, input.KeyId, 'kms:GetKeyRotationStatus', keyOnly));
    // A key pending deletion reports rotation off and is not rotated; cancelling restores the status.
    const enabled = key.rotationEnabled && key.state !== 'PendingDeletion';
    return {
      KeyId: key.arn,
      KeyRotationEnabled: enabled,
      ...(enabled && { RotationPeriodInDays: key.rotationPeriodInDays, NextRotationDate: key.nextRotationDate }),
    };
  },
  RotateKeyOnDemand: async (store, input, access) => {
    const key = await keyFor(store, access, input.KeyId, 'kms:RotateKeyOnDemand', keyOnly);
    // KMS rotates imported material on demand only into new material imported beforehand (ImportType
    // NEW_KEY_MATERIAL, then PENDING_ROTATION: RotateKeyOnDemand), which the emulator does not implement.
    if (key.origin === 'EXTERNAL')
      throw unsupported('This emulator does not rotate imported key material (ImportType NEW_KEY_MATERIAL is not emulated).');
    usable(key);
    if (key.materials.filter((m) => m.rotationType === 'ON_DEMAND').length >= MAX_ON_DEMAND_ROTATIONS) {
      throw new KmsError(
        'LimitExceededException',
        `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`,
      );
    }
    // The rotation completes at once here, so no OnDemandRotationStartDate is ever in progress.
    store.rotate(key, 'ON_DEMAND');
    return { KeyId: key.arn };
  },
  ListKeyRotations: async (store, input, access) => {
    const key = await keyFor(store, access, input.KeyId, 'kms:ListKeyRotations', keyOnly);
    const current = key.materials.at(-1);
    const materials = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL' ? key.materials : key.materials.slice(1);
    const { items, ...rest } = page(materials, input);
    return {
      Rotations: items.map((m) => ({
        KeyId: key.keyId,
        KeyMaterialId: materialId(m),
        KeyMaterialState: m === current ? 'CURRENT' : 'NON_CURRENT',
        ...(m.rotationType && { RotationDate: m.createdAt, RotationType: m.rotationType }),
        ...(key.origin === 'EXTERNAL' && importedMaterialEntry(m)),
      })),
      ...rest,
    };
  },
} satisfies OperationFamily;

/** A ListKeyRotations entry's fields for imported material. */
const importedMaterialEntry = (material: KeyMaterial): Output => ({
  ImportState: isImported(material) ? 'IMPORTED' : 'PENDING_IMPORT',
  ...expirationOf(material),
  ...(material.description !== undefined && { KeyMaterialDescription: material.description }),
});
