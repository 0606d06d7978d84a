import type { ApiFunctionName } from '../../contract/index.js';
import { API_FUNCTION_NAMES } from '../../lib/functions.js';
import { CALLER_POLICIES, callerPolicyName, functionRoleName, type CallerPolicy } from '../../lib/naming.js';
import type { NamedPolicy, PolicyDocument } from './policy-evaluator.js';
import type { DeploymentTarget, SynthesizedTemplates } from './synthesized-templates.js';
import { TemplateResolver, type CfnTemplate } from './template-values.js';

/** The physical resources the local runtime stands in for, as CloudFormation would name them. */
export interface LocalResources {
  readonly masterKeyArn: string;
  /** The data stack's key, which encrypts the table, the audit log group and the audit key at rest. */
  readonly storageKeyArn: string;
  readonly tableName: string;
  readonly apiId: string;
}

export interface FunctionRole {
  readonly roleName: string;
  readonly roleArn: string;
  readonly policies: readonly NamedPolicy[];
}

/** The API stack's policies, read from its synthesized template (the key policies live in KMS). */
export interface DeployedPolicies {
  readonly functionRoles: Readonly<Record<ApiFunctionName, FunctionRole>>;
  readonly callerPolicies: Readonly<Record<CallerPolicy, NamedPolicy>>;
  /** `arn:aws:execute-api:<region>:<account>:<api id>`; method ARNs add `/<stage>/<METHOD>/<path>`. */
  readonly apiArn: string;
  readonly stageName: string;
  /** The resource policy as API Gateway stores it: the `execute-api:/…` shorthand expanded. */
  readonly apiResourcePolicy: PolicyDocument;
  /** The API stack's template with every value of this deployment: the local gateway reads its methods and responses. */
  readonly apiTemplate: TemplateResolver;
}

/** The key stack's key policy, with its parameters given (the rest take their defaults). */
export function keyPolicyOf(templates: SynthesizedTemplates, target: DeploymentTarget, parameters: Record<string, unknown>): PolicyDocument {
  return onlyKeyPolicy(resolverFor(templates.key, target, parameters, {}), 'key');
}

/** The data stack's storage key policy. */
export function storageKeyPolicyOf(templates: SynthesizedTemplates, target: DeploymentTarget): PolicyDocument {
  return onlyKeyPolicy(resolverFor(templates.data, target, {}, {}), 'data');
}

/**
 * The key the data stack's table is encrypted with, as its template names it (by ARN): DynamoDB
 * makes the table inaccessible while that key is not usable, so the local proxy asks KMS about it.
 */
export function tableEncryptionKeyOf(templates: SynthesizedTemplates, target: DeploymentTarget, resources: LocalResources): string {
  const names = physicalNames(target, resources);
  const imports = exportsOf(resolverFor(templates.key, target, {}, {}, names('key')));
  const [[, table] = []] = resolverFor(templates.data, target, {}, imports, names('data')).resources('AWS::DynamoDB::Table');
  const keyArn = (table?.SSESpecification as { KMSMasterKeyId?: unknown } | undefined)?.KMSMasterKeyId;
  if (typeof keyArn !== 'string') throw new Error('The data stack has no table encrypted with a customer-managed key.');
  return keyArn;
}

/** The API stack's roles, caller policies and resource policy, over the local resources. */
export function apiPoliciesOf(
  templates: SynthesizedTemplates,
  target: DeploymentTarget,
  resources: LocalResources,
  parameters: Record<string, unknown> = {},
): DeployedPolicies {
  const resolver = stackResolversOf(templates, target, resources, { api: parameters }).api;
  const apiArn = `arn:aws:execute-api:${target.region}:${target.account}:${resources.apiId}`;
  const [[, restApi] = []] = resolver.resources('AWS::ApiGateway::RestApi');
  const [[, stage] = []] = resolver.resources('AWS::ApiGateway::Stage');
  if (!restApi || !stage) throw new Error('The API stack has no REST API stage.');
  return {
    functionRoles: functionRoles(resolver, target),
    callerPolicies: callerPolicies(resolver, target),
    apiArn,
    stageName: String(stage.StageName),
    apiResourcePolicy: expandExecuteApiShorthand(restApi.Policy as PolicyDocument, apiArn),
    apiTemplate: resolver,
  };
}

/** Each stack's template with every value of this deployment (physical names, the given parameters, the API stack's imports). */
export function stackResolversOf(
  templates: SynthesizedTemplates,
  target: DeploymentTarget,
  resources: LocalResources,
  parameters: Partial<Record<keyof SynthesizedTemplates, Record<string, unknown>>> = {},
): Record<keyof SynthesizedTemplates, TemplateResolver> {
  const names = physicalNames(target, resources);
  const key = resolverFor(templates.key, target, parameters.key ?? {}, {}, names('key'));
  const data = resolverFor(templates.data, target, parameters.data ?? {}, {}, names('data'));
  // The API stack imports what the key and data stacks export: their outputs, resolved as deployed.
  const imports = { ...exportsOf(key), ...exportsOf(data) };
  return { key, data, api: resolverFor(templates.api, target, parameters.api ?? {}, imports, names('api')) };
}

function onlyKeyPolicy(resolver: TemplateResolver, stack: string): PolicyDocument {
  const keys = resolver.resources('AWS::KMS::Key');
  if (keys.length !== 1) throw new Error(`The ${stack} stack must have exactly one KMS key, not ${keys.length}.`);
  return keys[0]![1].KeyPolicy as PolicyDocument;
}

/** A resource's `Ref` and `Arn`, from its type and (resolved on demand) its properties. */
type PhysicalNames = (logicalId: string, type: string, property: (name: string) => unknown) => { ref: unknown; arn: string };

/** How CloudFormation names each resource of a stack, for this deployment. */
function physicalNames(target: DeploymentTarget, resources: LocalResources): (stack: keyof SynthesizedTemplates) => PhysicalNames {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${target.region}:${target.account}:${resource}`;
  return (stack) => (id, type, property) => {
    switch (type) {
      case 'AWS::KMS::Key': {
        const keyArn = stack === 'key' ? resources.masterKeyArn : resources.storageKeyArn;
        return { ref: keyArn.split('/').pop(), arn: keyArn };
      }
      case 'AWS::DynamoDB::Table':
        return { ref: resources.tableName, arn: arn('dynamodb', `table/${resources.tableName}`) };
      case 'AWS::Logs::LogGroup': {
        const name = String(property('LogGroupName') ?? `${stack}-${id}`);
        return { ref: name, arn: arn('logs', `log-group:${name}:*`) };
      }
      case 'AWS::SecretsManager::Secret': {
        const secretArn = arn('secretsmanager', `secret:${String(property('Name'))}-AbCdEf`);
        return { ref: secretArn, arn: secretArn };
      }
      case 'AWS::ApiGateway::RestApi':
        return { ref: resources.apiId, arn: arn('execute-api', resources.apiId) };
      case 'AWS::ApiGateway::Stage':
        return { ref: property('StageName'), arn: arn('execute-api', `${resources.apiId}/${String(property('StageName'))}`) };
      case 'AWS::IAM::Role':
        return { ref: property('RoleName') ?? id, arn: `arn:aws:iam::${target.account}:role/${String(property('RoleName') ?? id)}` };
      case 'AWS::SNS::Topic': {
        const topicArn = arn('sns', String(property('TopicName') ?? id));
        return { ref: topicArn, arn: topicArn };
      }
      case 'AWS::Lambda::Function':
        return { ref: id, arn: arn('lambda', `function:${id}`) };
      default:
        return { ref: id, arn: arn(type.split('::')[1]!.toLowerCase(), id) };
    }
  };
}

function resolverFor(
  template: CfnTemplate,
  target: DeploymentTarget,
  parameters: Record<string, unknown>,
  imports: Record<string, unknown>,
  names?: PhysicalNames,
): TemplateResolver {
  const refs: Record<string, unknown> = {
    'AWS::Region': target.region,
    'AWS::AccountId': target.account,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': 'local',
    ...parameters,
  };
  const attributes: Record<string, unknown> = {};
  if (names) {
    // Physical names may themselves use parameters; resolve them with a resolver that knows no resources.
    const bare = new TemplateResolver(template, { refs, imports });
    for (const [id, resource] of Object.entries(template.Resources)) {
      const { ref, arn } = names(id, resource.Type, (name) => bare.resolve(resource.Properties?.[name]));
      refs[id] = ref;
      attributes[`${id}.Arn`] = arn;
      attributes[`${id}.KeyId`] = ref;
      // API Gateway's id for a REST API's root resource (`/`): any stable string, for the local gateway to find it.
      if (resource.Type === 'AWS::ApiGateway::RestApi') attributes[`${id}.RootResourceId`] = `${id}-root`;
    }
  }
  return new TemplateResolver(template, { refs, attributes, imports });
}

/** A stack's exports, by name, with their deployed values. */
function exportsOf(resolver: TemplateResolver): Record<string, unknown> {
  return Object.fromEntries(resolver.outputs().flatMap(({ value, exportName }) => (exportName === undefined ? [] : [[exportName, value]])));
}

function functionRoles(resolver: TemplateResolver, target: DeploymentTarget): Record<ApiFunctionName, FunctionRole> {
  const policies = resolver.resources('AWS::IAM::Policy');
  const entries = API_FUNCTION_NAMES.map((fn): [ApiFunctionName, FunctionRole] => {
    const roleName = functionRoleName(target.stage, target.region, fn);
    const attached = policies
      .filter(([, policy]) => (policy.Roles as unknown[]).includes(roleName))
      .map(([id, policy]): NamedPolicy => ({ name: id, document: policy.PolicyDocument as PolicyDocument }));
    return [fn, { roleName, roleArn: `arn:aws:iam::${target.account}:role/${roleName}`, policies: attached }];
  });
  return Object.fromEntries(entries) as Record<ApiFunctionName, FunctionRole>;
}

function callerPolicies(resolver: TemplateResolver, target: DeploymentTarget): Record<CallerPolicy, NamedPolicy> {
  const byName = new Map(
    resolver.resources('AWS::IAM::ManagedPolicy').map(([, policy]) => [String(policy.ManagedPolicyName), policy.PolicyDocument as PolicyDocument]),
  );
  const entries = (Object.keys(CALLER_POLICIES) as CallerPolicy[]).map((key) => {
    const name = callerPolicyName(target.stage, target.region, key);
    const document = byName.get(name);
    if (!document) throw new Error(`The API stack has no managed policy ${name}.`);
    return [key, { name, document }];
  });
  return Object.fromEntries(entries) as Record<CallerPolicy, NamedPolicy>;
}

/** API Gateway reads `execute-api:/…` in its resource policy as this API's own method ARNs. */
function expandExecuteApiShorthand(policy: PolicyDocument, apiArn: string): PolicyDocument {
  const expand = (resource: unknown) =>
    typeof resource === 'string' && resource.startsWith('execute-api:/') ? `${apiArn}/${resource.slice('execute-api:/'.length)}` : resource;
  const statements = [policy.Statement].flat() as Record<string, unknown>[];
  return {
    ...policy,
    Statement: statements.map((statement) => ({
      ...statement,
      Resource: Array.isArray(statement.Resource) ? statement.Resource.map(expand) : expand(statement.Resource),
    })),
  };
}
