import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { ApiFunctionName } from '../../contract/index.js';
import { addEnvelopeStage, type EnvelopeStacks, type EnvelopeStageOptions } from '../../lib/envelope-app.js';

export interface SynthesizedApp extends EnvelopeStacks {
  readonly app: App;
  /** The cloud assembly folder: templates and bundled assets. */
  readonly outdir: string;
}

export interface SynthesisOptions extends EnvelopeStageOptions {
  /**
   * Bundle the functions' code, as `cdk synth` does; false skips it, for tests that read templates only.
   * @default true
   */
  readonly bundling?: boolean;
}

/** Builds the app as `cdk synth` does, into a fresh folder: in us-east-1 of an unnamed account unless `env` says otherwise. */
export function synthesizeApp(stage = 'test', { bundling = true, ...options }: SynthesisOptions = {}): SynthesizedApp {
  const outdir = mkdtempSync(join(tmpdir(), 'envelope-cdk-'));
  const context = { '@aws-cdk/core:defaultCrossStackReferences': 'strong', ...(!bundling && { 'aws:cdk:bundling-stacks': [] }) };
  const app = new App({ outdir, context });
  const stacks = addEnvelopeStage(app, stage, { env: { region: 'us-east-1' }, ...options });
  app.synth();
  return { app, outdir, ...stacks };
}

/** The bundle `cdk deploy` uploads for a function: its asset's `index.mjs`. */
export function deployedBundle({ outdir, apiStack }: SynthesizedApp, fn: ApiFunctionName): string {
  const { code } = apiStack.functions[fn].function.node.defaultChild as CfnFunction;
  const s3Key = apiStack.resolve((code as CfnFunction.CodeProperty).s3Key) as string;
  return join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.mjs');
}
