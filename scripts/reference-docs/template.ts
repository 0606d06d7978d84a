/** A synthesized CloudFormation template, as far as the pages read it. */
import { code } from './markdown.js';

export interface CfnParameterSpec {
  readonly Type: string;
  readonly Default?: string | number;
  readonly AllowedValues?: readonly string[];
  readonly AllowedPattern?: string;
  readonly ConstraintDescription?: string;
  readonly MinValue?: number;
  readonly MaxValue?: number;
  readonly Description?: string;
}

export interface CfnTemplate {
  readonly Description?: string;
  readonly Parameters?: Readonly<Record<string, CfnParameterSpec>>;
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: Readonly<Record<string, unknown>> }>>;
}

/** A template value as one string, its references written `${Name}` as `Fn::Sub` writes them. */
export function cfnString(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const [[intrinsic, argument]] = Object.entries(value) as [[string, unknown]];
  switch (intrinsic) {
    case 'Ref':
      return `\${${argument}}`;
    case 'Fn::Join': {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map(cfnString).join(separator);
    }
    default:
      return `\${${intrinsic}}`;
  }
}

/** Where a template value comes from, in Markdown: a literal, a stack parameter, another stack's export. */
export function cfnSource(value: unknown, template: CfnTemplate): string {
  const { Ref: ref, 'Fn::ImportValue': imported } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof ref === 'string' && template.Parameters?.[ref]) return `stack parameter ${code(ref)}`;
  if (typeof imported === 'string') return `an export of ${code(imported.split(':')[0]!)}`;
  return code(cfnString(value));
}

export const resourcesOf = (template: CfnTemplate, type: string) =>
  Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => ({ id, properties: resource.Properties ?? {} }));
