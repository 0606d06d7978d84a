import { type CfnResource, Stack } from 'aws-cdk-lib';
import { NagRules } from 'cdk-nag';

/** A JSON object (not an array), as a resolved template value may be. */
export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** CloudFormation's "one or a list": `"a"` and `["a"]` alike. */
export const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The resolved value of a property, or `undefined` when it is an intrinsic the template decides at deploy time. */
export function knownPrimitive(node: CfnResource, value: unknown): unknown {
  try {
    return NagRules.resolveIfPrimitive(node, value);
  } catch {
    return undefined;
  }
}

/**
 * A resolved template value as one string, the way cdk-nag names values in findings: `Ref`s and
 * `Fn::GetAtt`s become `<LogicalId>`/`<LogicalId.Attribute>`, `Fn::Join` and `Fn::Sub` are spelled out,
 * anything else is its JSON. `arn:${AWS::Partition}:...` in any form reads `arn:<AWS::Partition>:...`.
 */
export function flattenCfnValue(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{([^}]*)\}/g, '<$1>');
  if (isRecord(value)) {
    if (typeof value.Ref === 'string') return `<${value.Ref}>`;
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `<${getAtt.map(flattenCfnValue).join('.')}>`;
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) return join[1].map(flattenCfnValue).join(join[0]);
    const sub = value['Fn::Sub'];
    if (sub !== undefined) return flattenCfnValue(Array.isArray(sub) ? sub[0] : sub);
    if (value['Fn::ImportValue'] !== undefined) return flattenCfnValue(value['Fn::ImportValue']);
  }
  return JSON.stringify(value) ?? '';
}

/** A property of a CfnResource, resolved and flattened to strings, one per list item. */
export function resolvedStrings(node: CfnResource, value: unknown): string[] {
  return asList(Stack.of(node).resolve(value)).map(flattenCfnValue);
}
