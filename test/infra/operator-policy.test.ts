import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesizeApp } from './synthesize.js';

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
}

/** The operator managed policy's statements, their resources as plain text (`<AWS::Partition>` for a Ref). */
let statements: { actions: string[]; resources: string[] }[];

beforeAll(() => {
  const { apiStack } = synthesizeApp('test', { bundling: false });
  const policies = Object.values(Template.fromStack(apiStack).findResources('AWS::IAM::ManagedPolicy'));
  const operator = policies.find((policy) => String(policy.Properties.ManagedPolicyName).endsWith('-operator'))!;
  statements = (operator.Properties.PolicyDocument.Statement as Statement[]).map((statement) => ({
    actions: [statement.Action].flat(),
    resources: [statement.Resource].flat().map(plainText),
  }));
});

function plainText(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (node.Ref) return `<${node.Ref}>`;
  if (node['Fn::Join']) return node['Fn::Join'][1].map(plainText).join(node['Fn::Join'][0]);
  return JSON.stringify(value);
}

describe('the operator managed policy', () => {
  it('lets operators query the audit trail with Logs Insights (the console Activity page), and read nothing else of the logs', () => {
    const onLogs = statements.filter(({ actions }) => actions.some((action) => action.startsWith('logs:')));
    expect(onLogs.flatMap(({ actions }) => actions).sort()).toEqual(['logs:DescribeQueryDefinitions', 'logs:GetQueryResults', 'logs:StartQuery']);
    const group = 'arn:<AWS::Partition>:logs:us-east-1:<AWS::AccountId>:log-group:/envelope-api-test/audit';
    expect(onLogs.find(({ actions }) => actions.includes('logs:StartQuery'))).toEqual({
      actions: ['logs:StartQuery'],
      resources: [group, `${group}:*`],
    });
    // IAM scopes these two to no resource: '*' is the only one it accepts.
    expect(onLogs.find(({ actions }) => actions.includes('logs:GetQueryResults'))?.resources).toEqual(['*']);
  });

  it('still invokes only the operators’ routes', () => {
    const others = statements.filter(({ actions }) => !actions.some((action) => action.startsWith('logs:')));
    expect(others.flatMap(({ actions }) => actions)).toEqual(['execute-api:Invoke']);
  });
});
