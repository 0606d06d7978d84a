import { Aspects, CfnOutput, Stack, Tag } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IConstruct } from 'constructs';
import { cfnReferences, elementsOf, logicalIdOf } from './cfn-references.js';

/** The tag that marks the master key, the one that wraps data keys (lib/constructs/master-key.ts). */
export const WRAPPING_KEY_TAG = { key: 'envelope-api:role', value: 'master-key' } as const;

/** A wrapping key and the names it can be referred to by, from its own stack or another. */
export interface WrappingKey {
  readonly stack: Stack;
  /** The key's logical id, and those of its aliases (a `Ref` to an alias is its name). */
  readonly logicalIds: ReadonlySet<string>;
  /** Alias names (`alias/...`) given as literals. */
  readonly aliasNames: ReadonlySet<string>;
  /** Names of the stack's exports whose value is the key or one of its aliases. */
  readonly exportNames: ReadonlySet<string>;
}

/** Every KMS key of the app tagged as a wrapping key. */
export function wrappingKeys(scope: IConstruct): WrappingKey[] {
  return scope.node.root.node
    .findAll()
    .filter((c): c is kms.CfnKey => c instanceof kms.CfnKey && isTaggedWrappingKey(c))
    .map(describe);
}

/**
 * The tag as the template will carry it: the key's TagManager, which the `Tags` aspects fill during
 * synthesis (before cdk-nag's validation runs). Before synthesis, a pending
 * `Tags.of(key or an ancestor).add(...)` of the tag counts too.
 */
function isTaggedWrappingKey(key: kms.CfnKey): boolean {
  const applied = key.tags.tagValues()[WRAPPING_KEY_TAG.key];
  if (applied !== undefined) return applied === WRAPPING_KEY_TAG.value;
  return key.node.scopes.some((scope) =>
    Aspects.of(scope).all.some((aspect) => aspect instanceof Tag && aspect.key === WRAPPING_KEY_TAG.key && aspect.value === WRAPPING_KEY_TAG.value),
  );
}

function describe(key: kms.CfnKey): WrappingKey {
  const stack = Stack.of(key);
  const elements = elementsOf(stack);
  const keyId = logicalIdOf(key);
  const aliases = elements.filter((e): e is kms.CfnAlias => e instanceof kms.CfnAlias && refersTo(stack.resolve(e.targetKeyId), [keyId]));
  const logicalIds = new Set([keyId, ...aliases.map(logicalIdOf)]);
  const aliasNames = new Set(aliases.map((alias) => stack.resolve(alias.aliasName) as unknown).filter((name) => typeof name === 'string'));
  const exportNames = new Set(
    elements
      .filter((e): e is CfnOutput => e instanceof CfnOutput && refersTo(stack.resolve(e.value), logicalIds))
      .map((output) => stack.resolve(output.exportName) as unknown)
      .filter((name) => typeof name === 'string'),
  );
  return { stack, logicalIds, aliasNames, exportNames };
}

function refersTo(value: unknown, logicalIds: Iterable<string>): boolean {
  const referenced = cfnReferences(value).logicalIds;
  return [...logicalIds].some((id) => referenced.has(id));
}

/**
 * Whether a property value, resolved in `stack`, names a wrapping key: a `Ref` or `Fn::GetAtt` of the
 * key or its alias in the same stack; an `Fn::ImportValue` of an export of the key's stack that
 * holds it; a literal alias name or alias ARN. Before synthesis a reference to another stack's key
 * still reads as a `Ref`/`Fn::GetAtt` of its logical id: it counts when `stack` has no element of
 * that name.
 */
export function namesWrappingKey(stack: Stack, value: unknown, keys: readonly WrappingKey[]): boolean {
  const refs = cfnReferences(value);
  const local = new Set(elementsOf(stack).map(logicalIdOf));
  return keys.some(
    (key) =>
      [...refs.logicalIds].some((id) => key.logicalIds.has(id) && (key.stack === stack || !local.has(id))) ||
      [...refs.imports].some((name) => key.exportNames.has(name)) ||
      [...refs.strings].some((text) => [...key.aliasNames].some((alias) => text === alias || text.endsWith(`:${alias}`))),
  );
}
