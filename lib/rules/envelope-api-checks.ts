import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type IApplyRule, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { DynamoDBCustomerManagedKey, IAMNoAwsManagedPolicies, KMSEncryptionContextRequired, KMSNoWildcardActions } from './index.js';

const PACK_NAME = 'EnvelopeApi';

type EnvelopeApiRule = Omit<IApplyRule, 'node'> & { readonly ruleSuffixOverride: string };

/** The rules, each with why it fires (info) and why it exists (explanation). */
const RULES: readonly EnvelopeApiRule[] = [
  {
    ruleSuffixOverride: 'KMS1',
    info: 'The IAM policy grants a wildcard KMS action (`*`, `kms:*`, or a pattern such as `kms:Re*` or `kms:Generate*`).',
    explanation:
      'A wildcard grants actions nobody reviewed, including ones KMS adds later: `kms:Re*` grants ReplicateKey, RetireGrant and RevokeGrant ' +
      'besides ReEncrypt*, `kms:Generate*` GenerateMac and GenerateRandom besides GenerateDataKey*. Application roles name each KMS action they call, so a role that can wrap data ' +
      "keys cannot also unwrap them, and none can change a key's policy, grants or state. Key administrators are granted in the key policy instead.",
    level: NagMessageLevel.ERROR,
    rule: KMSNoWildcardActions,
  },
  {
    ruleSuffixOverride: 'KMS2',
    info:
      'The policy statement allows a cryptographic KMS action (Encrypt, Decrypt, GenerateDataKey*, ReEncrypt*) without an encryption-context ' +
      'condition (`kms:EncryptionContext:*` or `kms:EncryptionContextKeys`) or a `kms:ViaService` restriction.',
    explanation:
      'The service binds every wrapped data key to its record through the encryption context: a principal that may call KMS without it ' +
      'can unwrap any ciphertext of the key, out of context, or wrap keys that do not name their record. Only an AWS service using the key ' +
      "on the caller's behalf (DynamoDB table encryption) cannot pass the service's context, so `kms:ViaService` stands in for it. The key " +
      "policy statement that enables IAM policies of the key's account (its root, unconditioned) is left to those policies, which this rule checks.",
    level: NagMessageLevel.ERROR,
    rule: KMSEncryptionContextRequired,
  },
  {
    ruleSuffixOverride: 'IAM1',
    info: 'The IAM role, user or group attaches an AWS managed policy (`arn:<partition>:iam::aws:policy/...`).',
    explanation:
      'AWS managed policies are written for every account, not for this service: they grant more than a function needs (often on `*`), ' +
      "and AWS changes them without a deployment of ours. The service's roles carry only statements written for them, scoped to their own resources.",
    level: NagMessageLevel.ERROR,
    rule: IAMNoAwsManagedPolicies,
  },
  {
    ruleSuffixOverride: 'DDB1',
    info: 'The DynamoDB table is not encrypted with a customer-managed KMS key (SSEEnabled true, SSEType KMS and a KMSMasterKeyId, on every replica of a global table).',
    explanation:
      'The data-key table holds wrapped keys and their metadata. Under an AWS owned or AWS managed key, access to the table at rest is ' +
      "governed by AWS alone; under the master key, its key policy decides who can read the table's storage, CloudTrail records every use, and " +
      'disabling the key cuts off the table together with the wrapped keys.',
    level: NagMessageLevel.ERROR,
    rule: DynamoDBCustomerManagedKey,
  },
];

/**
 * The Envelope API's own security rules, beside AwsSolutions: least-privilege KMS actions, KMS use
 * bound to an encryption context, no AWS managed policies, and the table under a customer-managed key.
 *
 * `Validations.of(app).addPlugins(new EnvelopeApiChecks(app))`; findings are acknowledged like any
 * cdk-nag rule: `Validations.of(construct).acknowledge({ id: 'EnvelopeApi-KMS2[Action::kms:Decrypt]', reason })`.
 */
export class EnvelopeApiChecks extends NagPack {
  override readonly name = PACK_NAME;
  override readonly ruleIds = RULES.map((rule) => `${PACK_NAME}-${rule.ruleSuffixOverride}`);

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = PACK_NAME;
  }

  protected override checkResource(node: CfnResource): void {
    for (const rule of RULES) this.applyRule({ ...rule, node });
  }
}
