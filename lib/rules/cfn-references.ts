import { CfnCondition, CfnElement, CfnParameter, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { flattenCfnValue, isRecord } from './cfn-values.js';

/** What a resolved template value refers to, wherever it sits (inside `Fn::If`, `Fn::Join`, `Fn::Sub`...). */
export interface CfnReferences {
  /** Logical ids named by `Ref`, `Fn::GetAtt` and `${Name}` / `${Name.Attribute}` of `Fn::Sub`, pseudo parameters included. */
  readonly logicalIds: ReadonlySet<string>;
  /** Conditions named by `Fn::If` and `{"Condition": name}`. */
  readonly conditions: ReadonlySet<string>;
  /** Export names of `Fn::ImportValue`, when given as a literal. */
  readonly imports: ReadonlySet<string>;
  /** Literal strings, and each `Fn::Join` and `Fn::Sub` spelled out as one (see `flattenCfnValue`). */
  readonly strings: ReadonlySet<string>;
}

/** The references of a value resolved with `Stack.resolve`. */
export function cfnReferences(value: unknown): CfnReferences {
  const found = { logicalIds: new Set<string>(), conditions: new Set<string>(), imports: new Set<string>(), strings: new Set<string>() };
  const visit = (item: unknown): void => {
    if (typeof item === 'string') {
      found.strings.add(item);
    } else if (Array.isArray(item)) {
      item.forEach(visit);
    } else if (isRecord(item)) {
      readIntrinsic(item, found);
      Object.values(item).forEach(visit);
    }
  };
  visit(value);
  return found;
}

function readIntrinsic(item: Record<string, unknown>, found: { [K in keyof CfnReferences]: Set<string> }): void {
  const { Ref: ref, Condition: condition } = item;
  if (typeof ref === 'string') found.logicalIds.add(ref);
  if (typeof condition === 'string') found.conditions.add(condition);
  const getAtt = item['Fn::GetAtt'];
  const getAttTarget = Array.isArray(getAtt) ? getAtt[0] : typeof getAtt === 'string' ? getAtt.split('.')[0] : undefined;
  if (typeof getAttTarget === 'string') found.logicalIds.add(getAttTarget);
  const ifCondition = item['Fn::If'];
  if (Array.isArray(ifCondition) && typeof ifCondition[0] === 'string') found.conditions.add(ifCondition[0]);
  const imported = item['Fn::ImportValue'];
  if (typeof imported === 'string') found.imports.add(imported);
  const sub = item['Fn::Sub'];
  if (sub !== undefined) {
    const [template, variables] = Array.isArray(sub) ? sub : [sub, undefined];
    const local = new Set(isRecord(variables) ? Object.keys(variables) : []);
    for (const [, name] of typeof template === 'string' ? template.matchAll(/\$\{([^!}][^}.]*)(?:\.[^}]*)?\}/g) : []) {
      if (name !== undefined && !local.has(name)) found.logicalIds.add(name);
    }
  }
  if (item['Fn::Join'] !== undefined || sub !== undefined) found.strings.add(flattenCfnValue(item));
}

/** The logical id an element will have in its template (an override included). */
export const logicalIdOf = (element: CfnElement): string => Stack.of(element).resolve(element.logicalId) as string;

/** The template elements (resources, parameters, conditions, outputs...) of one stack, not of its nested stacks. */
export function elementsOf(stack: Stack): CfnElement[] {
  return stack.node.findAll().filter((c: IConstruct): c is CfnElement => CfnElement.isCfnElement(c) && Stack.of(c) === stack);
}

/**
 * The logical ids of the stack's parameters that a resolved value depends on: directly, or through
 * a condition (`Fn::If`) whose expression names one, however deep the conditions nest.
 */
export function parametersReferenced(stack: Stack, value: unknown): string[] {
  const elements = elementsOf(stack);
  const parameters = new Set(elements.filter((e) => e instanceof CfnParameter).map(logicalIdOf));
  const conditions = new Map(
    elements.filter((e): e is CfnCondition => e instanceof CfnCondition).map((c) => [logicalIdOf(c), c.expression] as const),
  );
  const found = new Set<string>();
  const seenConditions = new Set<string>();
  const pending = [cfnReferences(value)];
  for (let refs = pending.pop(); refs !== undefined; refs = pending.pop()) {
    for (const id of refs.logicalIds) if (parameters.has(id)) found.add(id);
    for (const name of refs.conditions) {
      if (seenConditions.has(name)) continue;
      seenConditions.add(name);
      pending.push(cfnReferences(stack.resolve(conditions.get(name))));
    }
  }
  return [...found].sort();
}
