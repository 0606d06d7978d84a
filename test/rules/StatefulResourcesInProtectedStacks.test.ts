import { App, NestedStack, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { NagRuleCompliance } from 'cdk-nag';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { StatefulResourcesInProtectedStacks } from '../../lib/rules/index.js';
import { findingsOf } from './findings.js';

const RULE = 'EnvelopeApi-CFN1';
const partitionKey = { name: 'pk', type: dynamodb.AttributeType.STRING };

/** One of each stateful resource, all with the same removal policy. */
function statefulResources(scope: Construct, removalPolicy: RemovalPolicy): void {
  new kms.Key(scope, 'Key', { removalPolicy });
  new dynamodb.Table(scope, 'Table', { partitionKey, removalPolicy });
  new dynamodb.TableV2(scope, 'GlobalTable', { partitionKey, removalPolicy });
  new secretsmanager.Secret(scope, 'Secret', { removalPolicy });
  new logs.LogGroup(scope, 'NamedLogs', { logGroupName: '/envelope/audit', removalPolicy });
}

const STATEFUL_PATHS = ['GlobalTable/Resource', 'Key/Resource', 'NamedLogs/Resource', 'Secret/Resource', 'Table/Resource'];

/** Paths (below the stack) of the resources the rule reports. */
function reportedIn(stack: Stack): string[] {
  findingsOf(stack, RULE);
  return stack.node
    .findAll()
    .filter((c) => StatefulResourcesInProtectedStacks(c as kms.CfnKey) === NagRuleCompliance.NON_COMPLIANT)
    .map((c) => c.node.path.slice(stack.node.path.length + 1))
    .sort();
}

describe('StatefulResourcesInProtectedStacks (EnvelopeApi-CFN1)', () => {
  it('reports stateful resources of a stack without termination protection, retained or not', () => {
    const stack = new Stack(new App(), 'Unprotected');
    statefulResources(stack, RemovalPolicy.RETAIN);
    expect(reportedIn(stack)).toEqual(STATEFUL_PATHS);
    expect(findingsOf(stack, RULE)).toEqual([RULE]);
  });

  it('reports stateful resources of a protected stack that are not retained (DESTROY, SNAPSHOT, RETAIN_ON_UPDATE_OR_DELETE)', () => {
    for (const policy of [RemovalPolicy.DESTROY, RemovalPolicy.SNAPSHOT, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE]) {
      const stack = new Stack(new App(), 'Protected', { terminationProtection: true });
      new kms.Key(stack, 'Key', { removalPolicy: policy });
      expect(reportedIn(stack)).toEqual(['Key/Resource']);
    }
  });

  it('accepts retained stateful resources of a protected stack, and of a stack nested in one', () => {
    const stack = new Stack(new App(), 'Protected', { terminationProtection: true });
    statefulResources(stack, RemovalPolicy.RETAIN);
    statefulResources(new NestedStack(stack, 'Nested'), RemovalPolicy.RETAIN);
    expect(reportedIn(stack)).toEqual([]);
    expect(findingsOf(stack, RULE)).toEqual([]);

    const unprotectedRoot = new Stack(new App(), 'Unprotected');
    statefulResources(new NestedStack(unprotectedRoot, 'Nested'), RemovalPolicy.RETAIN);
    expect(reportedIn(unprotectedRoot)).toEqual(STATEFUL_PATHS.map((path) => `Nested/${path}`));
  });

  it('does not apply to log groups without a fixed name, nor to stateless resources', () => {
    const stack = new Stack(new App(), 'Unprotected');
    const unnamed = new logs.LogGroup(stack, 'Logs', { removalPolicy: RemovalPolicy.DESTROY });
    const fn = new lambda.Function(stack, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => 1'),
    });
    expect(StatefulResourcesInProtectedStacks(unnamed.node.defaultChild as logs.CfnLogGroup)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(StatefulResourcesInProtectedStacks(fn.node.defaultChild as lambda.CfnFunction)).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(findingsOf(stack, RULE)).toEqual([]);
  });
});
