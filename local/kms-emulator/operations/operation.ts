import { KmsError } from '../errors.js';
import type { InputOf, OperationName } from '../input-shapes.js';
import type { EmulatedKey, KeyStore } from '../key-store.js';

export type Output = Record<string, unknown>;
export type EncryptionContext = Readonly<Record<string, string>>;

/** What a request's caller may do: a denial message, or undefined when the action is allowed. */
export interface Access {
  denial(action: string, key?: { readonly arn: string; readonly policy: string }, context?: EncryptionContext): Promise<string | undefined>;
}

/** No access control: every action is allowed (the emulator run on its own). */
export const OPEN_ACCESS: Access = { denial: async () => undefined };

export type Operation<Op extends OperationName> = (store: KeyStore, input: InputOf<Op>, access: Access) => Promise<Output>;

/** A handler for each operation: the operation table's type, so that one without a handler fails to compile. */
export type Operations = { readonly [Op in OperationName]: Operation<Op> };

/** The handlers of one family of operations (a module of this folder), each typed by its operation's input. */
export type OperationFamily = Partial<Operations>;

interface Authorization {
  readonly context?: EncryptionContext;
  readonly grantTokens?: readonly string[] | undefined;
}

/** Refuses the request unless its caller may do `action`, before any state of the key is looked at. */
export async function authorize(access: Access, action: string, key?: EmulatedKey, { context, grantTokens }: Authorization = {}): Promise<void> {
  // No grant exists here (CreateGrant is not emulated), so no grant token can be valid.
  if (grantTokens !== undefined && grantTokens.length > 0) {
    throw new KmsError('InvalidGrantTokenException', 'The request was rejected because the specified grant token is not valid.');
  }
  const denial = await access.denial(action, key, context);
  if (denial !== undefined) throw new KmsError('AccessDeniedException', denial);
}

/** Resolves the request's key and authorizes the action on it. */
export async function keyFor(
  store: KeyStore,
  access: Access,
  identifier: string,
  action: string,
  options: Authorization & { aliases?: boolean } = {},
): Promise<EmulatedKey> {
  const key = store.resolve(identifier, { aliases: options.aliases ?? true });
  await authorize(access, action, key, options);
  return key;
}

/** Key management operations take the key id or ARN only, not an alias. */
export const keyOnly = { aliases: false } as const;
