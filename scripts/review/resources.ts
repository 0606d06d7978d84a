/**
 * What the report asks about, read from the synthesized stacks: each resource with the policy on
 * it (a key policy, a topic policy, the API's resource policy, or none) and the actions asked.
 */
import { API_ROUTES } from '../../contract/index.js';
import { auditLogGroupName } from '../../lib/naming.js';
import { apiPoliciesOf, type DeployedPolicies, stackResolversOf } from '../../local/iam/deployed-policies.js';
import type { NamedPolicy, PolicyDocument } from '../../local/iam/policy-evaluator.js';
import { TemplateResolver } from '../../local/iam/template-values.js';
import { actionsOn, columns, on, type ReviewColumn } from './columns.js';
import { elsewhereResource, logGroupsResource } from './elsewhere.js';
import type { ConditionNames } from './conditions.js';
import { KEY_STACK_PARAMETERS, REVIEW_RESOURCES, REVIEW_TARGET } from './deployment.js';
import type { ServiceRole } from './principals.js';
import type { StackTemplates } from './synthesis.js';

export interface ReviewResource {
  readonly id: string;
  readonly title: string;
  /** The stack that makes it; none for what the stacks do not make. */
  readonly stack?: string;
  readonly arn: string;
  /** The policy on the resource that decides with the principals' identity policies, named; none when those decide alone. */
  readonly policy?: string;
  readonly resourcePolicy?: PolicyDocument;
  readonly columns: readonly ReviewColumn[];
}

/** The deployment as the report reads it: the resolved policies and the names its conditions mention. */
export interface ReviewedDeployment {
  readonly deployed: DeployedPolicies;
  readonly resources: readonly ReviewResource[];
  readonly names: ConditionNames;
  readonly apiGatewayRole?: ServiceRole;
}

const { account, region } = REVIEW_TARGET;
const arnOf = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;

function onlyResource(resolver: TemplateResolver, type: string): [string, Record<string, unknown>] {
  const found = resolver.resources(type);
  if (found.length !== 1) throw new Error(`Expected exactly one ${type}, found ${found.length}.`);
  return found[0]!;
}

export async function reviewedDeployment(templates: StackTemplates): Promise<ReviewedDeployment> {
  const resolvers = stackResolversOf(templates, REVIEW_TARGET, REVIEW_RESOURCES, { key: KEY_STACK_PARAMETERS });
  const deployed = apiPoliciesOf(templates, REVIEW_TARGET, REVIEW_RESOURCES);
  const [, masterKey] = onlyResource(resolvers.key, 'AWS::KMS::Key');
  const [, storageKey] = onlyResource(resolvers.data, 'AWS::KMS::Key');
  const [topicKeyId, topicKey] = onlyResource(resolvers.api, 'AWS::KMS::Key');
  const [topicId] = onlyResource(resolvers.api, 'AWS::SNS::Topic');
  const [, topicPolicy] = onlyResource(resolvers.api, 'AWS::SNS::TopicPolicy');
  const { stage } = REVIEW_TARGET;
  const tableArn = arnOf('dynamodb', `table/${REVIEW_RESOURCES.tableName}`);
  const logGroup = arnOf('logs', `log-group:${auditLogGroupName(stage)}`);
  const secretArn = String(resolvers.data.resolve({ Ref: onlyResource(resolvers.data, 'AWS::SecretsManager::Secret')[0] }));
  const topicArn = String(resolvers.api.resolve({ Ref: topicId }));
  const topicKeyArn = arnOf('kms', `key/${topicKeyId}`);
  const kmsActions = (keyArn: string) => actionsOn('kms', 'key').then((actions) => columns(actions.map(on(keyArn))));
  const keyResource = (id: string, title: string, stack: string, arn: string, policy: PolicyDocument) =>
    kmsActions(arn).then((cols): ReviewResource => ({ id, title, stack, arn, policy: 'its key policy', resourcePolicy: policy, columns: cols }));
  const resources = await Promise.all([
    keyResource('master-key', 'Master key', 'EnvelopeKey', REVIEW_RESOURCES.masterKeyArn, masterKey.KeyPolicy as PolicyDocument),
    keyResource('storage-key', 'Storage key', 'EnvelopeData', REVIEW_RESOURCES.storageKeyArn, storageKey.KeyPolicy as PolicyDocument),
    actionsOn('dynamodb', 'table').then(async (actions) => ({
      id: 'data-key-table',
      title: 'Data-key table',
      stack: 'EnvelopeData',
      arn: tableArn,
      columns: await columns(actions.map(on(tableArn))),
    })),
    actionsOn('dynamodb', 'index').then(async (actions) => ({
      id: 'data-key-table-indexes',
      title: "Data-key table's indexes (it has none yet)",
      stack: 'EnvelopeData',
      arn: `${tableArn}/index/*`,
      columns: await columns(actions.map(on(`${tableArn}/index/example`))),
    })),
    columns([
      ...[
        'logs:CreateLogStream',
        'logs:DescribeLogStreams',
        'logs:StartQuery',
        'logs:PutRetentionPolicy',
        'logs:DeleteLogGroup',
        'logs:DisassociateKmsKey',
      ].map(on(`${logGroup}:*`)),
      ...['logs:PutLogEvents', 'logs:GetLogEvents'].map(on(`${logGroup}:log-stream:example`)),
    ]).then((cols) => ({
      id: 'audit-log-group',
      title: 'Audit log group',
      stack: 'EnvelopeData',
      arn: logGroup,
      columns: cols,
    })),
    columns(
      [
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecret',
        'secretsmanager:DeleteSecret',
        'secretsmanager:PutResourcePolicy',
      ].map(on(secretArn)),
    ).then((cols) => ({
      id: 'audit-key-secret',
      title: 'Audit key secret',
      stack: 'EnvelopeData',
      arn: secretArn,
      columns: cols,
    })),
    columns(
      (API_ROUTES as readonly { method: string; resource: string }[]).map((route) => ({
        label: `${route.method} ${route.resource}`,
        action: 'execute-api:Invoke',
        resource: `${deployed.apiArn}/${deployed.stageName}/${route.method}${route.resource.replace(/\{[^}]+\}/g, 'example')}`,
      })),
    ).then((cols) => ({
      id: 'api',
      title: 'REST API routes',
      stack: 'EnvelopeApi',
      arn: deployed.apiArn,
      policy: "the API's resource policy",
      resourcePolicy: deployed.apiResourcePolicy,
      columns: cols,
    })),
    columns(['sns:Publish', 'sns:Subscribe', 'sns:SetTopicAttributes', 'sns:AddPermission', 'sns:DeleteTopic'].map(on(topicArn))).then((cols) => ({
      id: 'alarm-topic',
      title: 'Alarm topic',
      stack: 'EnvelopeApi',
      arn: topicArn,
      policy: 'its topic policy',
      resourcePolicy: topicPolicy.PolicyDocument as PolicyDocument,
      columns: cols,
    })),
    keyResource('alarm-topic-key', "Alarm topic's key", 'EnvelopeApi', topicKeyArn, topicKey.KeyPolicy as PolicyDocument),
    logGroupsResource(templates.api, resolvers.api),
    elsewhereResource(),
  ]);
  return {
    deployed,
    resources,
    names: { account, region, auditKeySecretArn: secretArn, auditLogGroupArn: logGroup, alarmTopicArn: topicArn },
    ...(templates.account && { apiGatewayRole: apiGatewayRoleOf(templates.account) }),
  };
}

/** The account stack's role, with its identity policies resolved (its name is CloudFormation's: the logical id stands for it). */
function apiGatewayRoleOf(template: NonNullable<StackTemplates['account']>): ServiceRole {
  const refs = { 'AWS::Region': region, 'AWS::AccountId': account, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
  const ids = Object.fromEntries(Object.keys(template.Resources).map((id) => [id, id]));
  const resolver = new TemplateResolver(template, { refs: { ...ids, ...refs } });
  const [[roleName] = []] = resolver.resources('AWS::IAM::Role');
  if (!roleName) throw new Error('The account stack has no role.');
  const policies = resolver
    .resources('AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Roles as unknown[]).includes(roleName))
    .map(([id, policy]): NamedPolicy => ({ name: id, document: policy.PolicyDocument as PolicyDocument }));
  return { roleName, policies };
}
