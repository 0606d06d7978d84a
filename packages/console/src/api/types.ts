/** The API's bodies, as the contract defines them (types only: nothing of the server is bundled). */
export type {
  CreateGrantRequest,
  CreateKeyRequest,
  EncryptionContext,
  Grant,
  GrantConstraints,
  GrantOperation,
  GrantPage,
  KeyMetadata,
  KeyPage,
  KeyPolicy,
  KeyState,
  KeyVersionState,
  KeySummary,
  MasterKeyStatus,
  OpenedValue,
  PutPolicyRequest,
  SealedValue,
  Tags,
} from '../../../../contract/types.js';
export type { ActivityPage, ActivityQuery, ActivityRecord, ConsoleIdentity, ConsoleSession } from '../../../client/src/console/protocol.js';
