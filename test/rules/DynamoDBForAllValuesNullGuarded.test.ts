import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { findingsOf, testStack } from './findings.js';

const RULE = 'EnvelopeApi-DDB2';
const role = (stack: ReturnType<typeof testStack>) => new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
const update = (conditions: Record<string, Record<string, unknown>>, effect = iam.Effect.ALLOW) =>
  new iam.PolicyStatement({ effect, actions: ['dynamodb:UpdateItem'], resources: ['*'], conditions });

describe('DynamoDBForAllValuesNullGuarded (EnvelopeApi-DDB2)', () => {
  it('reports ForAllValues on dynamodb:Attributes or dynamodb:LeadingKeys with no Null guard', () => {
    const stack = testStack();
    role(stack).addToPolicy(
      update({
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'lastUsedAt'] },
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['KEY#*'] },
      }),
    );
    expect(findingsOf(stack, RULE)).toEqual([`${RULE}[dynamodb:Attributes]`, `${RULE}[dynamodb:LeadingKeys]`]);
  });

  it('reports a guard that allows absence (Null true)', () => {
    const stack = testStack();
    role(stack).addToPolicy(update({ 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk'] }, Null: { 'dynamodb:Attributes': 'true' } }));
    expect(findingsOf(stack, RULE)).toEqual([`${RULE}[dynamodb:Attributes]`]);
  });

  it('accepts guarded keys, Deny statements and keys of other services', () => {
    const stack = testStack();
    const r = role(stack);
    r.addToPolicy(update({ 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk'] }, Null: { 'dynamodb:Attributes': 'false' } }));
    r.addToPolicy(update({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['a'] } }, iam.Effect.DENY));
    r.addToPolicy(update({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }));
    expect(findingsOf(stack, RULE)).toEqual([]);
  });
});
