import type { CfnResource } from 'aws-cdk-lib';
import { NagMessageLevel, NagPack, type IApplyRule, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import {
  APIGAccessLoggedStageHasAccountRole,
  APIGAnonymousAllowUsesStarPrincipal,
  APIGGatewayResponseRendersJson,
  APIGResourcePolicyFixedAtSynth,
  DataPathNotUnderWrappingKey,
  DynamoDBCustomerManagedKey,
  DynamoDBForAllValuesNullGuarded,
  IAMNoAwsManagedPolicies,
  KMSEncryptionContextRequired,
  KMSNoWildcardActions,
  StatefulResourcesInProtectedStacks,
} from './index.js';

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
      "governed by AWS alone; under a customer-managed key, its key policy decides who can read the table's storage and CloudTrail records every use. " +
      'That key is not the master key, which wraps data keys only (KMS3).',
    level: NagMessageLevel.ERROR,
    rule: DynamoDBCustomerManagedKey,
  },
  {
    ruleSuffixOverride: 'DDB2',
    info: 'The IAM policy statement allows with `ForAllValues:` on `dynamodb:LeadingKeys` or `dynamodb:Attributes` without `Null: {<key>: "false"}`.',
    explanation:
      'IAM User Guide, "Single-valued vs. multivalued context keys" ' +
      '(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html): `ForAllValues` ' +
      'returns true when the request carries no value for the key, so a grant meant for some partitions or some attributes allows a request that ' +
      'names none. DynamoDB Developer Guide, "Using IAM policy conditions for fine-grained access control" ' +
      '(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html) sets both keys per request; the `Null` ' +
      "condition makes their absence a refusal. The crypto function's right to write a version's last-use hour, and the operators' read of the health probe, depend on it.",
    level: NagMessageLevel.ERROR,
    rule: DynamoDBForAllValuesNullGuarded,
  },
  {
    ruleSuffixOverride: 'APIG1',
    info: 'The REST API resource policy allows `{"AWS": "*"}` (iam.AnyPrincipal); an anonymous caller is allowed only by `"Principal": "*"` (iam.StarPrincipal).',
    explanation:
      'API Gateway developer guide, "Create and attach an API Gateway resource policy to an API" ' +
      '(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html), "Troubleshoot your resource policy": ' +
      'with the Principal set to an AWS principal, every method must use AWS_IAM authorization, or the API answers ' +
      '"User: anonymous is not authorized to perform: execute-api:Invoke". A statement meant to open the unauthenticated routes (the health check) ' +
      'with `{"AWS": "*"}` shuts them instead. Anonymous allows use `"Principal": "*"`; statements for signed callers name their accounts or roles.',
    level: NagMessageLevel.ERROR,
    rule: APIGAnonymousAllowUsesStarPrincipal,
  },
  {
    ruleSuffixOverride: 'APIG2',
    info: 'The REST API resource policy depends on a template parameter (a `Ref` or `Fn::Sub` of one, or an `Fn::If` whose condition reads one).',
    explanation:
      'API Gateway developer guide, "Create and attach an API Gateway resource policy to an API" ' +
      '(https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-create-attach.html): "If you update the resource policy, ' +
      'you\'ll need to deploy the API." CDK creates a new AWS::ApiGateway::Deployment only when the synthesized API changes, as it hashes the API ' +
      "into the deployment's logical id: a stack update that changes only a parameter value changes the RestApi's Policy but deploys nothing, and the " +
      'stage keeps enforcing the old policy. The policy is decided at synth time (props, context), so that changing it changes the template.',
    level: NagMessageLevel.ERROR,
    rule: APIGResourcePolicyFixedAtSynth,
  },
  {
    ruleSuffixOverride: 'APIG3',
    info:
      'The API Gateway stage logs to CloudWatch (access logs, execution logs or data trace), but neither its stack nor a stack it depends on ' +
      "sets the account's API Gateway CloudWatch role (an AWS::ApiGateway::Account with a CloudWatchRoleArn).",
    explanation:
      'API Gateway writes CloudWatch logs with one IAM role per account and Region, named in its account settings: API Gateway developer guide, ' +
      '"Set up CloudWatch logging for REST APIs in API Gateway" (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html). ' +
      'Where it is not set, CloudFormation fails the stage with "CloudWatch Logs role ARN must be set in account settings to enable logging". ' +
      "Set it in the stage's stack or a stack that stack depends on; where the platform team sets it for the account, acknowledge the finding on the " +
      "stage: `Validations.of(stage).acknowledge({ id: 'EnvelopeApi-APIG3', reason })`.",
    level: NagMessageLevel.ERROR,
    rule: APIGAccessLoggedStageHasAccountRole,
  },
  {
    ruleSuffixOverride: 'APIG4',
    info:
      "The gateway response's application/json template does not render valid JSON for every `$context.error` value API Gateway may insert " +
      '(quotes, backslashes, control characters, `"}`, an empty message, a validator\'s detail), or is not a literal string.',
    explanation:
      'API Gateway fills a gateway response template by plain substitution, not VTL: API Gateway developer guide, ' +
      '"x-amazon-apigateway-gateway-responses.responseTemplates object" ' +
      '(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseTemplates.html). ' +
      'Of the $context.error variables only $context.error.messageString arrives quoted ("Variables for data transformations for API Gateway", ' +
      'https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html); message and validationErrorString are ' +
      'inserted as they are, quotes included (`allowed: ["object"]`). A template that quotes them, or inserts them bare, sends clients a body their JSON ' +
      "parser rejects. Fixed messages are written as JSON strings, API Gateway's own through $context.error.messageString (errorBodyTemplate).",
    level: NagMessageLevel.ERROR,
    rule: APIGGatewayResponseRendersJson,
  },
  {
    ruleSuffixOverride: 'KMS3',
    info:
      'The DynamoDB table, global table replica, log group or secret is encrypted under a wrapping key (a KMS key tagged envelope-api:role=master-key), ' +
      'named by reference, by import from its stack or by alias.',
    explanation:
      'The master key wraps data keys and nothing else, so that disabling it, deleting its imported key material or scheduling its deletion only stops ' +
      'the wrapping and unwrapping of data keys. A resource stored under it goes down with it: DynamoDB developer guide, "DynamoDB encryption at rest: ' +
      'How it works" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html), and the API reference\'s SSEDescription ' +
      '(https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SSEDescription.html): a table whose key is inaccessible becomes ' +
      'inaccessible, and DynamoDB archives it once the key has stayed inaccessible for seven days. Nor can a table, log group or secret be created ' +
      'under a key still waiting for its imported material. Data-path resources use a key of their own.',
    level: NagMessageLevel.ERROR,
    rule: DataPathNotUnderWrappingKey,
  },
  {
    ruleSuffixOverride: 'CFN1',
    info:
      'The stateful resource (KMS key, DynamoDB table or global table, secret, log group with a fixed name) does not have DeletionPolicy Retain, ' +
      'or its stack does not have termination protection.',
    explanation:
      'AWS CDK developer guide, "Best practices for developing and deploying cloud infrastructure with the AWS CDK" ' +
      '(https://docs.aws.amazon.com/cdk/v2/guide/best-practices.html): separate the application into stacks as deployment requires, keep stateful ' +
      'resources in a stack of their own and turn on termination protection there, so that stateless stacks can be destroyed and recreated freely. ' +
      'AWS CloudFormation user guide, "Protect CloudFormation stacks from being deleted" ' +
      '(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-protect-stacks.html): deleting a protected stack fails and leaves it ' +
      'unchanged. DeletionPolicy Retain keeps the resource should it leave the template all the same. Without a key, the wrapped data keys are lost; ' +
      'a named log group is kept for its readers, and a new stack cannot create it again while the old one exists.',
    level: NagMessageLevel.ERROR,
    rule: StatefulResourcesInProtectedStacks,
  },
];

/**
 * The Envelope API's own security rules, beside AwsSolutions: least-privilege KMS actions, KMS use
 * bound to an encryption context, no AWS managed policies, the table under a customer-managed key
 * that is not the wrapping key, REST API resource policies and gateway responses that work as
 * deployed, a CloudWatch role for logging stages, and stateful resources in protected stacks.
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
