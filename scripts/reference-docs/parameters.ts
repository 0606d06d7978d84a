/** parameters.md: each stack's CloudFormation parameters. */
import { code, type Page, type Section, table } from './markdown.js';
import { STAGE, type Synthesized, type SynthesizedStack } from './stacks.js';
import type { CfnParameterSpec } from './template.js';

/** CDK's own parameter: the bootstrap version it reads from SSM, never set by hand. */
const CDK_PARAMETERS = new Set(['BootstrapVersion']);

function allowedText(spec: CfnParameterSpec): string {
  if (spec.AllowedValues) return spec.AllowedValues.map(code).join(', ');
  if (spec.AllowedPattern) return `${code(spec.AllowedPattern)}${spec.ConstraintDescription ? ` (${spec.ConstraintDescription})` : ''}`;
  if (spec.MinValue !== undefined || spec.MaxValue !== undefined) return `${spec.MinValue ?? '…'} to ${spec.MaxValue ?? '…'}`;
  return 'any';
}

const defaultText = (spec: CfnParameterSpec): string => {
  if (spec.Default === undefined) return 'none: required';
  return spec.Default === '' ? 'empty' : code(spec.Default);
};

function parametersSection({ name, template }: SynthesizedStack): Section | undefined {
  const parameters = Object.entries(template.Parameters ?? {}).filter(([parameter]) => !CDK_PARAMETERS.has(parameter));
  if (parameters.length === 0) return undefined;
  const rows = parameters.map(([parameter, spec]) => [code(parameter), spec.Type, defaultText(spec), allowedText(spec), spec.Description ?? '']);
  return {
    heading: name,
    text: [template.Description ?? '', table(['Parameter', 'Type', 'Default', 'Allowed', 'Description'], rows)].join('\n\n'),
  };
}

export const parametersPage = ({ stacks }: Synthesized): Page => ({
  file: 'parameters.md',
  title: 'Stack parameters',
  sources: 'the synthesized stacks',
  intro: [
    `The CloudFormation parameters of each stack, as synthesized for stage \`${STAGE}\` (other stages' stacks are named after theirs).`,
    `Set one at deploy time with \`npx cdk deploy --all --parameters <stack>:<Parameter>=<value>\`, for example \`--parameters EnvelopeApi-${STAGE}:LogRetentionInDays=30\`.`,
    "Stacks with none of their own (besides CDK's `BootstrapVersion`) are left out.",
  ].join(' '),
  sections: stacks.map(parametersSection).filter((section) => section !== undefined),
});
