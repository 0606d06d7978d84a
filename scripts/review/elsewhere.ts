/**
 * Past the service's stores: each function's own log group, and anything else in the account, so
 * that a role or caller policy widened beyond the service's resources shows in the report too.
 */
import { API_FUNCTION_NAMES } from '../../lib/functions.js';
import { functionRoleName } from '../../lib/naming.js';
import type { PolicyDocument } from '../../local/iam/policy-evaluator.js';
import type { TemplateResolver } from '../../local/iam/template-values.js';
import { columns } from './columns.js';
import { REVIEW_TARGET } from './deployment.js';
import { FUNCTION_LABELS } from './principals.js';
import type { ReviewResource } from './resources.js';
import type { StackTemplates } from './synthesis.js';

const { account, region, stage } = REVIEW_TARGET;

/** The key policy KMS gives a key made without one: IAM policies decide ("Default key policy", https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html). */
const DEFAULT_KEY_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' },
  ],
};
const arnOf = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;

type RawResource = { readonly Type: string; readonly Properties?: Record<string, unknown> };
const refOf = (value: unknown) => (value as { Ref?: string } | undefined)?.Ref;
const getAttOf = (value: unknown) => (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];

/** Writing each function's log group and the API's access logs: every function's role should write its own only. */
export async function logGroupsResource(template: StackTemplates['api'], api: TemplateResolver): Promise<ReviewResource> {
  const resources = template.Resources as Readonly<Record<string, RawResource>>;
  const roleNames = Object.fromEntries(Object.entries(resources).map(([id, resource]) => [id, resource.Properties?.RoleName]));
  const lambdas = Object.values(resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
  const functionLogs = API_FUNCTION_NAMES.flatMap((fn) => {
    const lambda = lambdas.find((resource) => roleNames[getAttOf(resource.Properties?.Role) ?? ''] === functionRoleName(stage, region, fn));
    const logGroup = refOf((lambda?.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup);
    return logGroup ? [{ owner: `function:${fn}`, label: `PutLogEvents: ${FUNCTION_LABELS[fn]}'s log group`, logGroup }] : [];
  });
  const apiStage = Object.values(resources).find((resource) => resource.Type === 'AWS::ApiGateway::Stage');
  const accessLogs = getAttOf((apiStage?.Properties?.AccessLogSetting as { DestinationArn?: unknown } | undefined)?.DestinationArn);
  const groups = [...functionLogs, ...(accessLogs ? [{ owner: undefined, label: "PutLogEvents: the API's access logs", logGroup: accessLogs }] : [])];
  return {
    id: 'log-groups',
    title: 'Function and access log groups',
    stack: 'EnvelopeApi',
    arn: arnOf('logs', 'log-group:<each>'),
    columns: await columns(
      groups.map(({ owner, label, logGroup }) => ({
        label,
        action: 'logs:PutLogEvents',
        resource: arnOf('logs', `log-group:${String(api.resolve({ Ref: logGroup }))}:log-stream:example`),
        ...(owner && { owner }),
      })),
    ),
  };
}

/** One question each about resources the stacks do not make: no role or caller policy of theirs should reach them. */
export async function elsewhereResource(): Promise<ReviewResource> {
  return {
    id: 'elsewhere',
    title: 'Anything else in the account',
    arn: arnOf('*', '*'),
    columns: await columns([
      {
        label: 'Decrypt: another KMS key (default key policy)',
        action: 'kms:Decrypt',
        resource: arnOf('kms', 'key/00000000-0000-4000-8000-0000000000ff'),
        resourcePolicy: DEFAULT_KEY_POLICY,
      },
      { label: 'CreateKey', action: 'kms:CreateKey', resource: '*' },
      { label: 'GetItem: another table', action: 'dynamodb:GetItem', resource: arnOf('dynamodb', 'table/another') },
      {
        label: 'GetSecretValue: another secret',
        action: 'secretsmanager:GetSecretValue',
        resource: arnOf('secretsmanager', 'secret:another-AbCdEf'),
      },
      { label: 'PutLogEvents: another log group', action: 'logs:PutLogEvents', resource: arnOf('logs', 'log-group:another:log-stream:example') },
      { label: 'GetObject: any bucket', action: 's3:GetObject', resource: 'arn:aws:s3:::another-bucket/object' },
      { label: 'PassRole: another role', action: 'iam:PassRole', resource: `arn:aws:iam::${account}:role/another` },
      { label: 'InvokeFunction: another function', action: 'lambda:InvokeFunction', resource: arnOf('lambda', 'function:another') },
      { label: 'Invoke: another API', action: 'execute-api:Invoke', resource: arnOf('execute-api', 'another/prod/GET/v1/anything') },
      { label: 'PutTraceSegments (X-Ray)', action: 'xray:PutTraceSegments', resource: '*' },
    ]),
  };
}
