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
  'AWS::IAM::ManagedPolicy': { readonly PolicyDocument: PolicyDocument; readonly ManagedPolicyName?: string };
  'AWS::IAM::Role': { readonly RoleName?: string; readonly ManagedPolicyArns?: unknown[]; readonly Policies?: unknown[] };
  'AWS::Lambda::Function': {
    readonly Runtime: string;
    readonly Architectures: string[];
    readonly MemorySize: number;
    readonly Timeout: number;
    readonly Role: unknown;
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
