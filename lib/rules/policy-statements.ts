import { type CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { asList, flattenCfnValue, isRecord } from './cfn-values.js';

/** One statement of a policy document as the template renders it, read without trusting its shape. */
export interface PolicyStatement {
  readonly allows: boolean;
  /** `Action` patterns; empty when the statement lists `NotAction` instead. */
  readonly actions: readonly string[];
  /** `NotAction` patterns, when the statement grants everything but these. */
  readonly notActions?: readonly string[];
  /** `Principal` entries as `AWS:<arn>`, `Service:<name>`, ... or `*`; empty without `Principal`. */
  readonly principals: readonly string[];
  /** `Condition`: operator to condition keys to values. */
  readonly condition: Readonly<Record<string, unknown>>;
}

/**
 * The statements of the identity policies a resource carries: `AWS::IAM::Policy`,
 * `AWS::IAM::ManagedPolicy`, `AWS::IAM::{Role,User,Group}Policy` and the inline `Policies` of roles,
 * users and groups. `undefined` for any other resource.
 */
export function identityPolicyStatements(node: CfnResource): PolicyStatement[] | undefined {
  if (
    node instanceof iam.CfnPolicy ||
    node instanceof iam.CfnManagedPolicy ||
    node instanceof iam.CfnRolePolicy ||
    node instanceof iam.CfnUserPolicy ||
    node instanceof iam.CfnGroupPolicy
  ) {
    return statementsOf(node, node.policyDocument);
  }
  if (node instanceof iam.CfnRole || node instanceof iam.CfnUser || node instanceof iam.CfnGroup) {
    return asList(Stack.of(node).resolve(node.policies))
      .filter(isRecord)
      .flatMap((policy) => statementsOf(node, policy.policyDocument));
  }
  return undefined;
}

/** The statements of a KMS key's policy; `undefined` for any other resource. */
export function keyPolicyStatements(node: CfnResource): PolicyStatement[] | undefined {
  if (node instanceof kms.CfnKey || node instanceof kms.CfnReplicaKey) return statementsOf(node, node.keyPolicy);
  return undefined;
}

/** Whether an IAM action pattern (`*` and `?` wildcards, any case) matches an action. */
export function actionMatches(pattern: string, action: string): boolean {
  const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 'i').test(action);
}

/** Whether an Allow statement grants an action, through `Action` or `NotAction`. */
export function grantsAction(statement: PolicyStatement, action: string): boolean {
  if (!statement.allows) return false;
  if (statement.notActions) return !statement.notActions.some((pattern) => actionMatches(pattern, action));
  return statement.actions.some((pattern) => actionMatches(pattern, action));
}

/**
 * The condition keys (lower case) a request must carry for the statement to apply. A key under an
 * `...IfExists` operator, or under `Null` with `true`, may be missing, so it does not count.
 */
export function requiredConditionKeys(statement: PolicyStatement): Set<string> {
  const keys = new Set<string>();
  for (const [operator, block] of Object.entries(statement.condition)) {
    if (!isRecord(block) || /IfExists$/i.test(operator)) continue;
    for (const [key, value] of Object.entries(block)) {
      if (/^Null$/i.test(operator) && String(value).toLowerCase() !== 'false') continue;
      keys.add(key.toLowerCase());
    }
  }
  return keys;
}

function statementsOf(node: CfnResource, document: unknown): PolicyStatement[] {
  const resolved = parseIfString(Stack.of(node).resolve(document));
  return isRecord(resolved) ? asList(resolved.Statement).filter(isRecord).map(readStatement) : [];
}

function readStatement(statement: Record<string, unknown>): PolicyStatement {
  const strings = (value: unknown) => asList(value).map(flattenCfnValue);
  return {
    allows: statement.Effect === 'Allow',
    actions: strings(statement.Action),
    notActions: statement.NotAction === undefined ? undefined : strings(statement.NotAction),
    principals: readPrincipals(statement.Principal),
    condition: isRecord(statement.Condition) ? statement.Condition : {},
  };
}

function readPrincipals(principal: unknown): string[] {
  if (principal === undefined) return [];
  if (!isRecord(principal)) return [flattenCfnValue(principal)];
  return Object.entries(principal).flatMap(([type, values]) => asList(values).map((value) => `${type}:${flattenCfnValue(value)}`));
}

/** CloudFormation takes a policy document as an object or as its JSON text. */
function parseIfString(document: unknown): unknown {
  if (typeof document !== 'string') return document;
  try {
    return JSON.parse(document) as unknown;
  } catch {
    return undefined;
  }
}
