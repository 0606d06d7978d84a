import { Aws, type CfnCondition, Fn, RemovalPolicy, Tags, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KMS_CONTEXT_KEYS } from '../../contract/index.js';
import type { MasterKeyRights } from '../functions.js';

/** What one application role may do with the master key, and under which context keys. */
export interface MasterKeyUser extends MasterKeyRights {
  /** ARN of the role, which may not exist yet when the key is created. */
  readonly roleArn: string;
}

export interface MasterKeyProps {
  readonly alias: string;
  readonly description: string;
  /** Rotation on or off, decided at deploy time. */
  readonly rotationEnabled: CfnCondition;
  readonly rotationPeriodInDays: number;
  readonly pendingWindowInDays: number;
  /** Who administers the key, without being able to use it. */
  readonly administrators: iam.IPrincipal;
  /**
   * Where the key material comes from: `AWS_KMS`, or `EXTERNAL` for material a key administrator
   * imports (the key waits in PendingImport until then). May be a deploy-time parameter.
   * @default 'AWS_KMS'
   */
  readonly keyMaterialOrigin?: string;
  readonly users: readonly MasterKeyUser[];
  /**
   * Data keys wrapped under it are useless without it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Actions a key administrator needs: lifecycle, rotation, policy and tags; no cryptography. */
export const KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:UpdateKeyDescription',
  'kms:ListAliases',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:GetKeyRotationStatus',
  'kms:RotateKeyOnDemand',
  'kms:ListKeyRotations',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:ListGrants',
  'kms:RevokeGrant',
  'kms:GetParametersForImport',
  'kms:ImportKeyMaterial',
  'kms:DeleteImportedKeyMaterial',
];

/**
 * The customer-managed master key that wraps every data key, and nothing else: no table, log
 * group or secret is encrypted with it (they have the data stack's storage key), so disabling it,
 * deleting its imported material or scheduling its deletion stops only the wrapping of data keys.
 * Its policy separates administrators from users: the account root (so IAM stays usable, as AWS
 * advises), administrators without cryptographic rights, and each application role with exactly
 * the actions it needs, bound to the service's encryption-context keys.
 */
export class MasterKey extends Construct {
  readonly key: kms.Key;
  readonly alias: kms.Alias;
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: MasterKeyProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.pendingWindowInDays) && (props.pendingWindowInDays < 7 || props.pendingWindowInDays > 30)) {
      throw new Error('pendingWindowInDays must be between 7 and 30.');
    }
    this.key = new kms.Key(this, 'Key', {
      description: props.description,
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      policy: this.keyPolicy(props),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.applyDeployTimeSettings(props);
    this.keyArn = this.key.keyArn;
    this.alias = this.key.addAlias(props.alias);
    Tags.of(this.key).add('envelope-api:role', 'master-key');
  }

  /**
   * Grants KMS actions on the key in the grantee's identity policy, bound to the service's
   * encryption-context keys unless `contextBound` is false (metadata actions carry no context).
   */
  grant(grantee: iam.IGrantable, { actions, contextBound }: { readonly actions: readonly string[]; readonly contextBound: boolean }): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [...actions],
      resourceArns: [this.keyArn],
      conditions: contextBound ? encryptionContextConditions() : undefined,
    });
  }

  /** `kms.Key` takes rotation as a plain boolean and range-checks the period at synth: use the L1. */
  private applyDeployTimeSettings(props: MasterKeyProps): void {
    const cfnKey = this.key.node.defaultChild as kms.CfnKey;
    cfnKey.enableKeyRotation = Fn.conditionIf(props.rotationEnabled.logicalId, true, false) as unknown as boolean;
    cfnKey.rotationPeriodInDays = Fn.conditionIf(props.rotationEnabled.logicalId, props.rotationPeriodInDays, Aws.NO_VALUE) as unknown as number;
    cfnKey.pendingWindowInDays = props.pendingWindowInDays;
    if (props.keyMaterialOrigin !== undefined) cfnKey.origin = props.keyMaterialOrigin;
  }

  private keyPolicy(props: MasterKeyProps): iam.PolicyDocument {
    const account = new iam.AccountRootPrincipal();
    const statements = [
      new iam.PolicyStatement({ sid: 'EnableIamPolicies', principals: [account], actions: ['kms:*'], resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'KeyAdministrators',
        principals: [props.administrators],
        actions: KEY_ADMIN_ACTIONS,
        resources: ['*'],
      }),
      ...props.users.map(
        (user, index) =>
          new iam.PolicyStatement({
            sid: `ApplicationRole${index}`,
            principals: [account],
            actions: [...user.actions],
            resources: ['*'],
            conditions: {
              ArnEquals: { 'aws:PrincipalArn': user.roleArn },
              ...(user.contextBound && encryptionContextConditions()),
            },
          }),
      ),
    ];
    return new iam.PolicyDocument({ statements });
  }
}

/** Every call must name exactly the service's context keys, so a wrapped key is bound to its record. */
export function encryptionContextConditions(): Record<string, Record<string, unknown>> {
  const keys = Object.values(KMS_CONTEXT_KEYS);
  return {
    'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': keys },
    Null: Object.fromEntries(keys.map((key) => [`kms:EncryptionContext:${key}`, 'false'])),
  };
}
