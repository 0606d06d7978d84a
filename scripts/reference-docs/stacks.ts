/** The stage's stacks, synthesized as `cdk synth` makes them. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { addEnvelopeStage } from '../../lib/envelope-app.js';
import { root } from './repository.js';
import type { CfnTemplate } from './template.js';

/** The stage the stacks are synthesized for: bin/envelope-api.ts's default. Other stages differ only in names. */
export const STAGE = 'dev';

export interface SynthesizedStack {
  readonly name: string;
  readonly template: CfnTemplate;
}

export interface Synthesized {
  readonly stacks: readonly SynthesizedStack[];
  readonly api: SynthesizedStack;
  /** The logical id of each function in the API stack's template. */
  readonly functionIds: Readonly<Record<string, string>>;
}

/** The stage's stacks as `cdk synth` makes them (with cdk.json's context), without bundling the functions' code. */
export function synthesize(): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'envelope-docs-'));
  try {
    const { context } = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
    const app = new App({ outdir, context: { ...context, 'aws:cdk:bundling-stacks': [] } });
    const stacks = addEnvelopeStage(app, STAGE);
    const assembly = app.synth();
    const synthesized = (stack: { stackName: string }): SynthesizedStack => ({
      name: stack.stackName,
      template: assembly.getStackByName(stack.stackName).template as CfnTemplate,
    });
    const { apiStack } = stacks;
    const functionIds = Object.fromEntries(
      Object.entries(apiStack.functions).map(([name, fn]) => [name, apiStack.getLogicalId(fn.function.node.defaultChild as CfnFunction)]),
    );
    return {
      stacks: [stacks.keyStack, stacks.dataStack, apiStack, ...(stacks.accountStack ? [stacks.accountStack] : [])].map(synthesized),
      api: synthesized(apiStack),
      functionIds,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
