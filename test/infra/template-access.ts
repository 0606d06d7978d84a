import type { Template } from 'aws-cdk-lib/assertions';

/** Typed reads of a synthesized template, for assertions that look inside policy documents. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

interface PolicyDocument {
  readonly Statement: PolicyStatement[];
}

/** The CloudFormation properties each resource type's assertions read. */
export interface ResourceProperties {
  'AWS::KMS::Key': { readonly KeyPolicy: PolicyDocument; readonly [name: string]: unknown };
  'AWS::IAM::Policy': { readonly PolicyDocument: PolicyDocument; readonly Roles?: unknown[] };
  'AWS::IAM::ManagedPolicy': { readonly PolicyDocument: PolicyDocument; readonly ManagedPolicyName?: unknown };
  'AWS::IAM::Role': {
    readonly RoleName?: unknown;
    readonly AssumeRolePolicyDocument: PolicyDocument;
    readonly ManagedPolicyArns?: unknown[];
    readonly Policies?: unknown[];
  };
  'AWS::Lambda::Function': {
    readonly Runtime: string;
    readonly Architectures: string[];
    readonly MemorySize: number;
    readonly Timeout: number;
    readonly Role: unknown;
    readonly Environment?: { readonly Variables?: Record<string, unknown> };
  };
  'AWS::ApiGateway::RestApi': { readonly Policy?: PolicyDocument; readonly [name: string]: unknown };
  'AWS::ApiGateway::GatewayResponse': {
    readonly ResponseType: string;
    readonly StatusCode: string;
    readonly ResponseTemplates: Record<string, string>;
    readonly ResponseParameters?: Record<string, string>;
  };
}

/** The resources of one type, by logical id, with typed properties. */
export function resourcesOf<T extends keyof ResourceProperties>(template: Template, type: T): Record<string, ResourceProperties[T]> {
  return Object.fromEntries(Object.entries(template.findResources(type)).map(([id, resource]) => [id, resource.Properties as ResourceProperties[T]]));
}

export const actionsOf = (statement: PolicyStatement): string[] => [statement.Action].flat();

/** Every statement of the template's identity policies, or of those attached to one role. */
export function identityStatements(template: Template, roleLogicalId?: string): PolicyStatement[] {
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((policy) => roleLogicalId === undefined || JSON.stringify(policy.Roles).includes(roleLogicalId))
    .flatMap((policy) => policy.PolicyDocument.Statement);
}

export const keyPolicyStatements = (template: Template): PolicyStatement[] =>
  Object.values(resourcesOf(template, 'AWS::KMS::Key')).flatMap((key) => key.KeyPolicy.Statement);

/** The REST API's resource policy statements (the template's one RestApi). */
export function restApiPolicyStatements(template: Template): PolicyStatement[] {
  const apis = Object.values(resourcesOf(template, 'AWS::ApiGateway::RestApi'));
  if (apis.length !== 1) throw new Error(`expected one AWS::ApiGateway::RestApi, found ${apis.length}`);
  return apis[0]!.Policy?.Statement ?? [];
}

/** Every argument of one intrinsic function (`Ref`, `Fn::ImportValue`, ...) anywhere in a template value. */
export function intrinsicArguments(value: unknown, intrinsic: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((item) => intrinsicArguments(item, intrinsic));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, item]) => [...(name === intrinsic ? [item] : []), ...intrinsicArguments(item, intrinsic)]);
}

/**
 * A template string value spelled out: the parts of an `Fn::Join` joined, a `Ref` as `${Name}`, an
 * `Fn::GetAtt` as `${Name.Attribute}`, an `Fn::ImportValue` as `${Import:Name}`.
 */
export function spelledOut(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, unknown[]]; 'Fn::ImportValue'?: unknown };
  if (node.Ref !== undefined) return `\${${node.Ref}}`;
  if (node['Fn::GetAtt'] !== undefined) return `\${${node['Fn::GetAtt'].join('.')}}`;
  if (node['Fn::Join'] !== undefined) return node['Fn::Join'][1].map(spelledOut).join(node['Fn::Join'][0]);
  if (node['Fn::ImportValue'] !== undefined) return `\${Import:${spelledOut(node['Fn::ImportValue'])}}`;
  throw new Error(`cannot spell out ${JSON.stringify(value)}`);
}

/**
 * The actions of the AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs, as AWS documents
 * them: what API Gateway's CloudWatch role must be granted, written here apart from lib/.
 */
export const PUSH_TO_CLOUDWATCH_LOGS_ACTIONS = [
  'logs:CreateLogGroup',
  'logs:CreateLogStream',
  'logs:DescribeLogGroups',
  'logs:DescribeLogStreams',
  'logs:PutLogEvents',
  'logs:GetLogEvents',
  'logs:FilterLogEvents',
];
