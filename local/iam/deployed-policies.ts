import type { ApiFunctionName } from '../../contract/index.js';
import { FUNCTION_ENTRIES } from '../../lambdas/routes.js';
import { CALLER_POLICIES, callerPolicyName, functionRoleName, type CallerPolicy } from '../../lib/naming.js';
import type { NamedPolicy, PolicyDocument } from './policy-evaluator.js';
import type { DeploymentTarget, SynthesizedTemplates } from './synthesized-templates.js';
import { TemplateResolver, type CfnTemplate } from './template-values.js';

/** The physical resources the local runtime stands in for, as CloudFormation would name them. */
export interface LocalResources {
  readonly masterKeyArn: string;
  readonly tableName: string;
  readonly apiId: string;
}

export interface FunctionRole {
  readonly roleName: string;
  readonly roleArn: string;
  readonly policies: readonly NamedPolicy[];
}

/** The API stack's policies, read from its synthesized template (the key policy lives in KMS). */
export interface DeployedPolicies {
  readonly functionRoles: Readonly<Record<ApiFunctionName, FunctionRole>>;
  readonly callerPolicies: Readonly<Record<CallerPolicy, NamedPolicy>>;
  /** `arn:aws:execute-api:<region>:<account>:<api id>`; method ARNs add `/<stage>/<METHOD>/<path>`. */
  readonly apiArn: string;
  readonly stageName: string;
  readonly apiResourcePolicy: PolicyDocument;
}

/** The key stack's key policy, with its parameters given (the rest take their defaults). */
export function keyPolicyOf(templates: SynthesizedTemplates, target: DeploymentTarget, parameters: Record<string, unknown>): PolicyDocument {
  const resolver = resolverFor(templates.key, target, parameters, {});
  const [[, key] = []] = resolver.resources('AWS::KMS::Key');
  if (!key) throw new Error('The key stack has no KMS key.');
  return key.KeyPolicy as PolicyDocument;
}

/** The API stack's roles, caller policies and resource policy, over the local resources. */
export function apiPoliciesOf(
  templates: SynthesizedTemplates,
  target: DeploymentTarget,
  resources: LocalResources,
  parameters: Record<string, unknown> = {},
): DeployedPolicies {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${target.region}:${target.account}:${resource}`;
  const imports = Object.fromEntries(
    Object.values(templates.key.Outputs ?? {})
      .filter((output) => output.Export)
      .map((output) => [output.Export!.Name as string, resources.masterKeyArn]),
  );
  const resolver = resolverFor(templates.api, target, parameters, imports, (id, type, property) => {
    if (type === 'AWS::DynamoDB::Table') return { ref: resources.tableName, arn: arn('dynamodb', `table/${resources.tableName}`) };
    if (type === 'AWS::ApiGateway::RestApi') return { ref: resources.apiId, arn: arn('execute-api', resources.apiId) };
    if (type === 'AWS::ApiGateway::Stage')
      return { ref: property('StageName'), arn: arn('execute-api', `${resources.apiId}/${String(property('StageName'))}`) };
    if (type === 'AWS::IAM::Role') return { ref: property('RoleName'), arn: `arn:aws:iam::${target.account}:role/${String(property('RoleName'))}` };
    return { ref: id, arn: arn(type.split('::')[1]!.toLowerCase(), id) };
  });
  const apiArn = arn('execute-api', resources.apiId);
  const [[, restApi] = []] = resolver.resources('AWS::ApiGateway::RestApi');
  const [[, stage] = []] = resolver.resources('AWS::ApiGateway::Stage');
  if (!restApi || !stage) throw new Error('The API stack has no REST API stage.');
  return {
    functionRoles: functionRoles(resolver, target),
    callerPolicies: callerPolicies(resolver, target.stage),
    apiArn,
    stageName: String(stage.StageName),
    apiResourcePolicy: expandExecuteApiShorthand(restApi.Policy as PolicyDocument, apiArn),
  };
}

/** A resource's `Ref` and `Arn`, from its type and (resolved on demand) its properties. */
type PhysicalNames = (logicalId: string, type: string, property: (name: string) => unknown) => { ref: unknown; arn: string };

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
    }
  }
  return new TemplateResolver(template, { refs, attributes, imports });
}

function functionRoles(resolver: TemplateResolver, target: DeploymentTarget): Record<ApiFunctionName, FunctionRole> {
  const policies = resolver.resources('AWS::IAM::Policy');
  const entries = (Object.keys(FUNCTION_ENTRIES) as ApiFunctionName[]).map((fn): [ApiFunctionName, FunctionRole] => {
    const roleName = functionRoleName(target.stage, fn);
    const attached = policies
      .filter(([, policy]) => (policy.Roles as unknown[]).includes(roleName))
      .map(([id, policy]): NamedPolicy => ({ name: id, document: policy.PolicyDocument as PolicyDocument }));
    return [fn, { roleName, roleArn: `arn:aws:iam::${target.account}:role/${roleName}`, policies: attached }];
  });
  return Object.fromEntries(entries) as Record<ApiFunctionName, FunctionRole>;
}

function callerPolicies(resolver: TemplateResolver, stage: string): Record<CallerPolicy, NamedPolicy> {
  const byName = new Map(
    resolver.resources('AWS::IAM::ManagedPolicy').map(([, policy]) => [String(policy.ManagedPolicyName), policy.PolicyDocument as PolicyDocument]),
  );
  const entries = (Object.keys(CALLER_POLICIES) as CallerPolicy[]).map((key) => {
    const name = callerPolicyName(stage, key);
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
