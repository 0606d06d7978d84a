import { Stack, type CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { grantsAction, identityPolicyStatements, keyPolicyStatements, requiredConditionKeys, type PolicyStatement } from './policy-statements.js';

/** The KMS actions that use key material on data the caller passes: the ones an encryption context binds. */
export const KMS_CRYPTOGRAPHIC_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateDataKeyPair',
  'kms:GenerateDataKeyPairWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/**
 * Identity policy and key policy statements that allow a cryptographic KMS action require an
 * encryption context (`kms:EncryptionContext:*` or `kms:EncryptionContextKeys`), or restrict the use
 * to an AWS service on the caller's behalf (`kms:ViaService`). The key policy statement that hands
 * the key to this account's IAM (its root, unconditioned) is left to the identity policies.
 * Findings: `Action::<action>` for each action granted without either condition.
 * @param node the CfnResource to check
 */
export default Object.defineProperty(
  (node: CfnResource): NagRuleResult => {
    const statements = identityPolicyStatements(node) ?? keyPolicyStatements(node)?.filter((statement) => !delegatesToAccount(node, statement));
    if (statements === undefined) return NagRuleCompliance.NOT_APPLICABLE;
    const unbound = statements.filter((statement) => !isBound(statement));
    const findings = new Set(unbound.flatMap(cryptographicActions).map((action) => `Action::${action}`));
    return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
  },
  'name',
  { value: 'KMSEncryptionContextRequired' },
);

function cryptographicActions(statement: PolicyStatement): string[] {
  return KMS_CRYPTOGRAPHIC_ACTIONS.filter((action) => grantsAction(statement, action));
}

function isBound(statement: PolicyStatement): boolean {
  const keys = [...requiredConditionKeys(statement)];
  return keys.some((key) => key === 'kms:viaservice' || key === 'kms:encryptioncontextkeys' || key.startsWith('kms:encryptioncontext:'));
}

/**
 * Whether a key policy statement only enables the IAM policies of the key's own account: its
 * principals are that account's root, with no condition. It grants nobody anything by itself.
 */
function delegatesToAccount(node: CfnResource, statement: PolicyStatement): boolean {
  const account = Stack.of(node).account;
  return (
    Object.keys(statement.condition).length === 0 &&
    statement.principals.length > 0 &&
    statement.principals.every((principal) => ['<AWS::AccountId>', account].includes(rootAccount(principal) ?? ''))
  );
}

/** The account of an `AWS` principal naming an account root, by ARN or by account id. */
function rootAccount(principal: string): string | undefined {
  const segment = '(<[^>]+>|[^:<>]+)'; // a literal or a flattened reference such as <AWS::AccountId>
  const match = new RegExp(`^AWS:(?:arn:${segment}:iam::${segment}:root|${segment})$`).exec(principal);
  return match?.[2] ?? match?.[3];
}
