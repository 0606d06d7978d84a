import { CfnCondition, CfnOutput, CfnParameter, CfnRule, Fn, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Validations } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { MasterKey, type MasterKeyUser } from './constructs/master-key.js';
import type { ApiFunctionName } from '../contract/index.js';
import { API_FUNCTION_NAMES, API_FUNCTIONS } from './functions.js';
import { functionRoleName, masterKeyAlias } from './naming.js';

export interface EnvelopeKeyStackProps extends StackProps {
  /** Names and separates deployments: `dev`, `prod`, ... */
  readonly stage: string;
}

/**
 * The master key, in a stack of its own with termination protection: it must outlive any redeploy
 * of the API, since every stored data key is wrapped under it. It wraps data keys and nothing
 * else, and depends on no other stack.
 */
export class EnvelopeKeyStack extends Stack {
  readonly masterKey: MasterKey;

  constructor(scope: Construct, id: string, props: EnvelopeKeyStackProps) {
    super(scope, id, { terminationProtection: true, ...props });
    const params = this.parameters();
    const rotationEnabled = new CfnCondition(this, 'RotationEnabled', {
      expression: Fn.conditionEquals(params.enableKeyRotation.valueAsString, 'true'),
    });
    const account = Stack.of(this).account;
    const roleArn = (fn: ApiFunctionName) =>
      `arn:${Stack.of(this).partition}:iam::${account}:role/${functionRoleName(props.stage, Stack.of(this).region, fn)}`;
    const users: MasterKeyUser[] = API_FUNCTION_NAMES.flatMap((fn) => {
      const { masterKey } = API_FUNCTIONS[fn].rights;
      return masterKey === undefined ? [] : [{ roleArn: roleArn(fn), ...masterKey }];
    });
    const master = new MasterKey(this, 'MasterKey', {
      alias: masterKeyAlias(props.stage),
      description: `Envelope API (${props.stage}): wraps the data keys of the envelope-encryption service`,
      rotationEnabled,
      rotationPeriodInDays: params.rotationPeriodInDays.valueAsNumber,
      pendingWindowInDays: params.pendingWindowInDays.valueAsNumber,
      administrators: new iam.ArnPrincipal(Token.asString(params.keyAdminPrincipalArns.value)),
      keyMaterialOrigin: params.keyMaterialOrigin.valueAsString,
      users,
    });
    this.masterKey = master;
    // KMS does not rotate imported material automatically: refuse the combination before any resource changes.
    new CfnRule(this, 'ImportedKeyMaterialIsNotRotatedAutomatically', {
      ruleCondition: Fn.conditionEquals(params.keyMaterialOrigin.valueAsString, 'EXTERNAL'),
      assertions: [
        {
          assert: Fn.conditionEquals(params.enableKeyRotation.valueAsString, 'false'),
          assertDescription:
            'KeyMaterialOrigin=EXTERNAL needs EnableKeyRotation=false: KMS does not rotate imported key material automatically (rotate it on demand after importing new material).',
        },
      ],
    });
    // cdk-nag evaluates rotation statically and cannot read an Fn::If.
    Validations.of(master.key).acknowledge({
      id: 'AwsSolutions-KMS5',
      reason:
        'Rotation is a deploy-time parameter (EnableKeyRotation, default true) applied through Fn::If, which the rule cannot evaluate; template tests pin both settings.',
    });
    new CfnOutput(this, 'MasterKeyArn', { value: master.key.keyArn, description: 'ARN of the master key (CMK)' });
    new CfnOutput(this, 'MasterKeyAlias', { value: master.alias.aliasName });
  }

  private parameters() {
    return {
      enableKeyRotation: new CfnParameter(this, 'EnableKeyRotation', {
        type: 'String',
        allowedValues: ['true', 'false'],
        default: 'true',
        description: 'Rotate the master key automatically (recommended).',
      }),
      rotationPeriodInDays: new CfnParameter(this, 'RotationPeriodInDays', {
        type: 'Number',
        minValue: 90,
        maxValue: 2560,
        default: 365,
        description: 'Days between automatic rotations of the master key, when rotation is on (90 to 2560).',
      }),
      keyAdminPrincipalArns: new CfnParameter(this, 'KeyAdminPrincipalArns', {
        type: 'CommaDelimitedList',
        description:
          'IAM principal ARNs that administer the master key (lifecycle, rotation, policy, tags) without being able to encrypt or decrypt with it.',
      }),
      keyMaterialOrigin: new CfnParameter(this, 'KeyMaterialOrigin', {
        type: 'String',
        allowedValues: ['AWS_KMS', 'EXTERNAL'],
        default: 'AWS_KMS',
        description:
          'AWS_KMS: KMS generates the master key material. EXTERNAL: you import it (npm run import-key-material); the API answers 409 MasterKeyPendingImport until you do. Needs EnableKeyRotation=false.',
      }),
      pendingWindowInDays: new CfnParameter(this, 'PendingWindowInDays', {
        type: 'Number',
        minValue: 7,
        maxValue: 30,
        default: 30,
        description: 'Days the master key waits in PendingDeletion before KMS deletes it, should the stack ever delete it (7 to 30).',
      }),
    };
  }
}
