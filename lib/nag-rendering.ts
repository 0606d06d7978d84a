import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** A resource ARN as cdk-nag names it in a finding: tokens become `<LogicalId>`, `<LogicalId.Attribute>`. */
export function nagRendering(scope: Construct, value: string): string {
  const render = (part: unknown): string => {
    if (typeof part === 'string') return part;
    const node = part as { Ref?: string; 'Fn::GetAtt'?: string[]; 'Fn::Join'?: [string, unknown[]] };
    if (node.Ref) return `<${node.Ref}>`;
    if (node['Fn::GetAtt']) return `<${node['Fn::GetAtt'].join('.')}>`;
    if (node['Fn::Join']) return node['Fn::Join'][1].map(render).join(node['Fn::Join'][0]);
    return JSON.stringify(part);
  };
  return render(Stack.of(scope).resolve(value));
}
