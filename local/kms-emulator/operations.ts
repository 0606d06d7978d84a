import { aliasOperations } from './operations/aliases.js';
import { cryptographicOperations } from './operations/cryptography.js';
import { keyLifecycleOperations } from './operations/key-lifecycle.js';
import { keyMaterialImportOperations } from './operations/key-material-import.js';
import { keyPolicyOperations } from './operations/key-policies.js';
import { keyRotationOperations } from './operations/key-rotation.js';
import type { Operations } from './operations/operation.js';

/**
 * The operation table, joined from the families in `operations/`. Its type wants a handler for
 * every operation input-shapes.ts declares, each taking that operation's input: an operation
 * without one, or a handler for another's input, fails to compile. No prototype: only these names
 * are operations.
 */
export const OPERATIONS: Operations = Object.freeze(
  Object.assign(Object.create(null) as Operations, {
    ...keyLifecycleOperations,
    ...keyRotationOperations,
    ...keyPolicyOperations,
    ...aliasOperations,
    ...cryptographicOperations,
    ...keyMaterialImportOperations,
  } satisfies Operations),
);
