import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { addEnvelopeStage, type EnvelopeStacks, type EnvelopeStageOptions } from '../../lib/envelope-app.js';

export interface SynthesizedApp extends EnvelopeStacks {
  readonly app: App;
  /** The cloud assembly folder: templates and bundled assets. */
  readonly outdir: string;
}

/** Builds the app as `cdk synth` does, into a fresh folder. */
export function synthesizeApp(stage = 'test', options: Omit<EnvelopeStageOptions, 'env'> = {}): SynthesizedApp {
  const outdir = mkdtempSync(join(tmpdir(), 'envelope-cdk-'));
  const app = new App({ outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
  const stacks = addEnvelopeStage(app, stage, { env: { region: 'us-east-1' }, ...options });
  app.synth();
  return { app, outdir, ...stacks };
}
