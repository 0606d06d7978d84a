/**
 * The findings of AWS Control Tower's proactive controls (cfn-guard, through
 * @cdklabs/cdk-validator-cfnguard) over the synthesized templates that the project accepts, each
 * with its reason: the one place they are, as test/review/cfn-guard.test.ts requires every
 * finding to be fixed or listed here, and every entry here to match a finding still made.
 */
export interface GuardAcknowledgement {
  /** The control, as Control Tower names it: `CT.KMS.PR.1`. */
  readonly control: string;
  /** The resources it is accepted for, by the start of their logical ids; '' is a finding on the template as a whole. */
  readonly resources: readonly string[];
  readonly reason: string;
}

const FUNCTION_LOGS = ['KeysFunctionLogs', 'CryptoFunctionLogs', 'MasterKeyFunctionLogs', 'HealthFunctionLogs'];

export const GUARD_ACKNOWLEDGEMENTS: readonly GuardAcknowledgement[] = [
  {
    control: 'CT.APIGATEWAY.PR.1',
    resources: ['ApiDeploymentStage'],
    reason:
      "Execution logging needs the account-wide API Gateway CloudWatch role and records request data; the stage has JSON access logs and X-Ray tracing instead (as cdk-nag's AwsSolutions-APIG6 acknowledgement says).",
  },
  {
    control: 'CT.CLOUDWATCH.PR.2',
    resources: [...FUNCTION_LOGS, 'ApiAccessLogs', 'AuditRecords'],
    reason:
      'Retention is a stack parameter (LogRetentionInDays, default 365 days; AuditRetentionInDays, default 3653 days), a Ref the control cannot read.',
  },
  {
    control: 'CT.CLOUDWATCH.PR.3',
    resources: [...FUNCTION_LOGS, 'ApiAccessLogs'],
    reason:
      'Function and access logs hold no secret (nothing secret is logged: docs/security.md) and CloudWatch Logs encrypts them with its own keys; the audit log group, which is kept for years, is encrypted with the storage key.',
  },
  {
    control: 'CT.KMS.PR.1',
    resources: ['MasterKey'],
    reason:
      "The master key's rotation is the EnableKeyRotation parameter (default true) through Fn::If, which the control cannot read; imported key material cannot rotate automatically (as cdk-nag's AwsSolutions-KMS5 acknowledgement says).",
  },
  {
    control: 'CT.KMS.PR.3',
    resources: ['MasterKey', 'StorageKey', 'AlarmsTopicKey', ''],
    reason:
      "Only the keys' root statement (kms:* for the account, which delegates to IAM as AWS advises) allows kms:CreateGrant without kms:GrantIsForAWSResource: no application role, caller or key administrator holds CreateGrant (docs/access-report.md), and the service's grants are records in its table, not KMS grants.",
  },
  {
    control: 'CT.LAMBDA.PR.2',
    // The Lambda permissions of the API's methods, all under /v1.
    resources: ['Apiv1'],
    reason:
      "Each permission lets API Gateway invoke the function for one method of this API only: its SourceArn is the method's ARN, an Fn::Join the control cannot read as a reference.",
  },
  {
    control: 'CT.LAMBDA.PR.3',
    resources: ['KeysFunction', 'CryptoFunction', 'MasterKeyFunction', 'HealthFunction'],
    reason:
      'The functions call only AWS APIs (KMS, DynamoDB, CloudWatch Logs, Secrets Manager, X-Ray), signed and over TLS; a VPC would add endpoints or NAT and keep nothing out.',
  },
];
